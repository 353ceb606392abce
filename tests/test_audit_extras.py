"""The optional extras as a new user meets them: sparsenn.dask and sparsenn.plotting."""

import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import sparsenn.dask as sdask
import sparsenn.plotting as plotting
from sparsenn import SparseMLPClassifier

ROOT = Path(__file__).resolve().parents[1]


def _data():
    rng = np.random.default_rng(0)
    X = rng.random((60, 8))
    return X, (X[:, 0] > X[:, 1]).astype(int)


# --- sparsenn.dask ----------------------------------------------------------


def _local_cluster(processes, **kwargs):
    distributed = pytest.importorskip("distributed")
    if processes:  # an in-process cluster talks over inproc://, not TCP
        kwargs["host"] = "127.0.0.1"
    return distributed.LocalCluster(
        threads_per_worker=1,
        processes=processes,
        dashboard_address="127.0.0.1:0",
        **kwargs,
    )


def test_the_documented_plugin_registration_is_a_worker_plugin():
    distributed = pytest.importorskip("distributed")
    # the class docstring's ``client.register_plugin(...)``: register_plugin
    # refuses anything that is not a WorkerPlugin (NumbaThreadsPlugin() is not)
    (expr,) = re.findall(
        r"client\.register_plugin\((\w+\(\))\)", sdask.NumbaThreadsPlugin.__doc__
    )
    plugin = eval(expr, vars(sdask))  # the documented expression
    assert isinstance(plugin, distributed.WorkerPlugin)


def test_in_process_workers_leave_the_users_numba_threads(monkeypatch):
    distributed = pytest.importorskip("distributed")
    import numba

    from sparsenn.dask import _workers

    limited = []
    monkeypatch.setattr(
        _workers, "_limit_numba_threads", lambda n: limited.append(n) or True
    )
    before = numba.config.NUMBA_NUM_THREADS
    X, y = _data()
    with (
        _local_cluster(n_workers=2, processes=False) as cluster,
        distributed.Client(cluster) as client,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        with sdask.dask_backend(client):
            from sklearn.model_selection import cross_val_score

            cross_val_score(SparseMLPClassifier((8,), max_iter=2), X, y, cv=2)
    # the workers run in this process: its numba pool is the user's own
    assert limited == []
    assert numba.config.NUMBA_NUM_THREADS == before
    assert not [w for w in caught if "numba" in str(w.message)]


def test_a_closed_client_or_an_address_is_named():
    distributed = pytest.importorskip("distributed")
    with _local_cluster(n_workers=1, processes=False) as cluster:
        client = distributed.Client(cluster)
        client.close()
        with pytest.raises(RuntimeError, match="Dask client is closed"):
            with sdask.dask_backend(client):
                pass  # pragma: no cover
        with pytest.raises(RuntimeError, match="Dask client is closed"):
            sdask.check_workers(client)
    with pytest.raises(TypeError, match="client must be a distributed.Client, got str"):
        with sdask.dask_backend("tcp://127.0.0.1:8786"):
            pass  # pragma: no cover


def test_workers_whose_numba_pool_runs_are_named_in_a_warning():
    distributed = pytest.importorskip("distributed")
    # the workers' pools start at 2 threads; the limit would be 1 (their nthreads)
    with (
        _local_cluster(
            n_workers=1, processes=True, env={"NUMBA_NUM_THREADS": "2"}
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert list(client.run(sdask.worker_threads).values()) == [2]  # pool runs
        with pytest.warns(UserWarning, match=r"numba's threads already run in 1 Dask"):
            with sdask.dask_backend(client):
                pass
        (address,) = client.scheduler_info()["workers"]
        with pytest.warns(UserWarning, match=re.escape(address)) as record:
            with sdask.dask_backend(client):
                pass
        assert record[0].filename == __file__  # the user's ``with`` line
        client.restart()  # the advice of the warning: fresh pools, limited
        client.wait_for_workers(1)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            with sdask.dask_backend(client):
                pass
        assert list(client.run(sdask.worker_threads).values()) == [1]


def test_the_dask_extra_requires_a_distributed_with_register_plugin():
    tomllib = pytest.importorskip("tomllib")
    requirements = pytest.importorskip("packaging.requirements")
    pyproject = ROOT / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("not a source checkout")
    extra = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    reqs = {r.name: r.specifier for r in map(requirements.Requirement, extra["dask"])}
    # Client.register_plugin (used by dask_backend) came with 2023.9.2
    assert "2023.9.1" not in reqs["distributed"]
    assert "2023.9.2" in reqs["distributed"]


# --- sparsenn.plotting ------------------------------------------------------


@pytest.fixture
def mpl():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield matplotlib
    plt.close("all")


def test_density_curve_from_estimator_checks_matplotlib_before_fitting(monkeypatch):
    from sparsenn.plotting import _curves

    fits = []
    monkeypatch.setattr(_curves, "validation_curve", lambda *a, **k: fits.append(1))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    X, y = _data()
    with pytest.raises(ImportError, match="'plot' extra"):
        plotting.DensityCurveDisplay.from_estimator(
            SparseMLPClassifier((8,), max_iter=2), X, y, param_range=[0.5], cv=2
        )
    assert fits == []  # no cross-validation ran for a picture that cannot be drawn


def _scores(n):
    return {"split0_test_score": [0.5] * n, "split1_test_score": [0.6] * n}


def test_density_curve_from_results_of_a_list_of_grids(mpl):
    # GridSearchCV(param_grid=[{connectivity, density}, {density}])
    params = [
        {"density": 1.0},
        {"connectivity": "random", "density": 0.1},
        {"connectivity": "structured", "density": 0.1},
    ]
    results = {"params": params, **_scores(3)}
    with pytest.raises(ValueError, match=r"group_name='connectivity' is not set in 1"):
        plotting.DensityCurveDisplay.from_results(results, group_name="connectivity")
    # without grouping, every candidate sets density: drawn
    disp = plotting.DensityCurveDisplay.from_results(results)
    assert disp.lines_["all"].get_xdata().tolist() == [0.1, 1.0]
    results = {"params": [{"density": None}, {"density": 0.5}], **_scores(2)}
    with pytest.raises(TypeError, match="param_name must take real values"):
        plotting.DensityCurveDisplay.from_results(results)
    with pytest.raises(TypeError, match="param_name must be a parameter name"):
        plotting.DensityCurveDisplay.from_results(results, param_name=None)


def test_bad_layer_and_bad_network_name_the_parameter(mpl):
    X, y = _data()
    clf = SparseMLPClassifier((8,), max_iter=2, random_state=0).fit(X, y)
    for layer in (1.5, "0"):
        with pytest.raises(TypeError, match="layer must be an int"):
            plotting.plot_connection_pattern(clf, layer=layer)
    assert plotting.plot_connection_pattern(clf, layer=np.int64(1)).images
    with pytest.raises(TypeError, match="net must be a FixedPointNetwork"):
        plotting.plot_saturation(clf)
    with pytest.raises(TypeError, match="net must be a FixedPointNetwork"):
        plotting.saturation_rates(clf)
