"""Fork- and thread-safety of the compiled kernels; import changes nothing."""

import multiprocessing
import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
from joblib import Parallel, delayed
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from sparsenn import SparseMLPClassifier

X, Y = make_classification(
    400, 32, n_informative=10, n_classes=3, random_state=0, n_clusters_per_class=1
)


def _fit_score(seed):
    model = SparseMLPClassifier((64,), density=0.25, max_iter=2, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, Y).score(X, Y)


def _fitted_once():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        SparseMLPClassifier((64,), density=0.25, max_iter=1, random_state=0).fit(X, Y)


def test_import_changes_no_environment_variable():
    code = (
        "import os; before = dict(os.environ); import sparsenn; "
        "import sparsenn.linalg, sparsenn.fixedpoint, sparsenn.datasets; "
        "assert dict(os.environ) == before, set(os.environ) ^ set(before)"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_fork_pool_after_fit_can_fit_and_predict():
    _fitted_once()
    expected = [_fit_score(seed) for seed in range(2)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        result = pool.map_async(_fit_score, range(2)).get(timeout=120)
    assert result == expected


@pytest.mark.parametrize("backend", ["multiprocessing", "loky"])
def test_joblib_backends_after_fit(backend):
    _fitted_once()
    expected = [_fit_score(seed) for seed in range(2)]
    result = Parallel(n_jobs=2, backend=backend, timeout=120)(
        delayed(_fit_score)(seed) for seed in range(2)
    )
    assert result == expected


def test_grid_search_in_two_processes_after_fit():
    _fitted_once()
    grid = {"density": [0.25, 0.5]}
    base = SparseMLPClassifier((32,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parallel = GridSearchCV(base, grid, cv=2, n_jobs=2).fit(X, Y)
        serial = GridSearchCV(base, grid, cv=2, n_jobs=1).fit(X, Y)
    np.testing.assert_array_equal(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


def test_two_threads_fit_as_one_after_the_other():
    def fit(seed):
        model = SparseMLPClassifier((128,), density=0.2, max_iter=3, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(X, Y).predict_proba(X)

    results = {}
    threads = [
        threading.Thread(target=lambda s=s: results.__setitem__(s, fit(s)))
        for s in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for seed in range(2):
        np.testing.assert_array_equal(results[seed], fit(seed))


def test_warnings_in_worker_processes_point_at_the_call_of_fit():
    # a loky worker has no user frame: the warning names the search's own call
    # of fit (sklearn's _validation.py), not the worker's bootstrap or <frozen runpy>
    code = (
        "import numpy as np\n"
        "from sklearn.model_selection import cross_val_score\n"
        "from sparsenn import SparseMLPRegressor\n"
        "X = np.random.default_rng(0).random((100, 4)); y = X.sum(1)\n"
        "est = SparseMLPRegressor((32,), density=0.25, max_iter=1)\n"
        "cross_val_score(est, X, y, cv=2, n_jobs=2)\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "always", "-c", code],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if "Warning:" in ln]
    assert lines, out.stderr
    for line in lines:
        assert "model_selection" in line and "_validation.py" in line, line


def test_overlapping_blas_limits_in_threads_restore_the_thread_counts():
    # BLAS thread counts are global: two holders in two threads that enter and
    # leave interleaved (A enters, B enters, A leaves, B leaves) must leave the
    # counts found before, not the one-thread limit A saw when B entered.
    from threadpoolctl import threadpool_info

    from sparsenn.linalg._threads import single_threaded_blas

    def counts():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    steps = [threading.Event() for _ in range(3)]

    def first():
        with single_threaded_blas():
            steps[0].set()
            steps[1].wait(10)
        steps[2].set()

    def second():
        steps[0].wait(10)
        with single_threaded_blas():
            steps[1].set()
            steps[2].wait(10)

    before = counts()
    if max(before, default=1) < 2:
        pytest.skip("BLAS runs one thread here: a lost limit would not show")
    threads = [threading.Thread(target=f) for f in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(s.is_set() for s in steps)
    assert counts() == before


def test_threading_layer_is_fork_safe():
    from sparsenn.linalg._numba import NUMBA_AVAILABLE, threading_layer

    if not NUMBA_AVAILABLE:
        pytest.skip("numba not installed")
    _fitted_once()
    assert threading_layer() in {"tbb", "workqueue"}


def test_fresh_process_trains_on_the_chosen_threading_layer():
    # numba's own default (GNU OpenMP when present) must not be started by a
    # kernel's helper before sparsenn chooses the layer
    from sparsenn.linalg._numba import NUMBA_AVAILABLE

    if not NUMBA_AVAILABLE:
        pytest.skip("numba not installed")
    code = (
        "import warnings, numba, numpy as np; "
        "from sparsenn import SparseMLPClassifier; "
        "warnings.simplefilter('ignore'); "
        "X = np.random.default_rng(0).random((64, 16)); y = np.arange(64) % 3; "
        "SparseMLPClassifier((32,), density=0.25, max_iter=1).fit(X, y); "
        "print(numba.threading_layer())"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env,
        timeout=300, check=True,
    )  # fmt: skip
    assert out.stdout.strip().splitlines()[-1] in {"tbb", "workqueue"}, out.stdout


def test_warnings_point_at_the_callers_line():
    model = SparseMLPClassifier((8,), density=1.0, max_iter=1, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, Y)  # ConvergenceWarning: max_iter reached
    assert caught, "expected a ConvergenceWarning"
    for w in caught:
        assert w.filename == __file__, (w.filename, str(w.message))
