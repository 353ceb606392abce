"""GridSearchCV through joblib's Dask backend on a two-process LocalCluster."""

import sys

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sparsenn import SparseMLPClassifier
from sparsenn.dask import (
    NumbaThreadsPlugin,
    check_workers,
    dask_backend,
    numba_threads_plugin,
    worker_packages,
    worker_threads,
)
from sparsenn.datasets import make_morse

distributed = pytest.importorskip("distributed")

GRID = {
    "density": [0.1, 0.5],
    "connectivity": ["random", "structured"],
    "random_state": [0, 1],
}


def _cluster():
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )


@pytest.fixture(scope="module")
def client():
    with _cluster() as cluster, distributed.Client(cluster) as client:
        client.register_plugin(numba_threads_plugin())
        yield client


def _search():
    X, y = make_morse(6, random_state=0)
    est = SparseMLPClassifier((32,), max_iter=5, learning_rate_init=0.01)
    return GridSearchCV(est, GRID, cv=2), X, y


def test_dask_search_equals_the_sequential_search(client):
    sequential, X, y = _search()
    sequential.set_params(n_jobs=1).fit(X, y)
    on_dask, _, _ = _search()
    with joblib.parallel_backend("dask"):
        on_dask.fit(X, y)
    assert len(on_dask.cv_results_["params"]) == 8
    assert on_dask.cv_results_["params"] == sequential.cv_results_["params"]
    for key in ("split0_test_score", "split1_test_score", "mean_test_score"):
        np.testing.assert_array_equal(
            on_dask.cv_results_[key], sequential.cv_results_[key]
        )
    assert on_dask.best_params_ == sequential.best_params_
    # the fits really ran in the two worker processes
    assert len(client.scheduler_info()["workers"]) == 2


def test_numba_threads_follow_the_worker_threads(client):
    threads = client.run(worker_threads)
    assert sorted(threads.values()) == [1, 1]  # threads_per_worker=1
    versions = check_workers(client)
    assert all(v["sparsenn"] for v in versions.values())


def test_plugin_rejects_a_bad_thread_count():
    with pytest.raises(ValueError, match="n_threads=0"):
        NumbaThreadsPlugin(0)
    assert worker_packages(["numpy"])["numpy"] == np.__version__


def _hide_sparsenn():
    """Make ``import sparsenn`` fail in this (worker) process."""

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name == "sparsenn" or name.startswith("sparsenn."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    for name in [m for m in sys.modules if m.split(".")[0] == "sparsenn"]:
        del sys.modules[name]
    sys.meta_path.insert(0, Blocker())


def test_workers_missing_sparsenn_are_named():
    with _cluster() as cluster, distributed.Client(cluster) as client:
        client.run(_hide_sparsenn)
        with pytest.raises(ImportError, match=r"2 of 2 Dask workers.*sparsenn") as e:
            check_workers(client)
        for address in client.scheduler_info()["workers"]:
            assert address in str(e.value)
        search, X, y = _search()
        with pytest.raises(ImportError, match="sparsenn"):
            with dask_backend(client):
                search.fit(X, y)
        assert not hasattr(search, "cv_results_")


def test_dask_backend_checks_then_runs(client):
    search, X, y = _search()
    with dask_backend(client) as used:
        search.fit(X, y)
    assert used is client
    assert len(search.cv_results_["params"]) == 8
