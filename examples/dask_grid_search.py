"""
Grid search on a Dask cluster
=============================

The same :class:`~sklearn.model_selection.GridSearchCV` runs on a Dask cluster
through joblib's ``"dask"`` backend (the ``dask`` extra: ``pip install
"sparsenn[dask]"``). Here a :class:`~distributed.LocalCluster` of two
single-threaded worker processes on the loopback interface; with a real cluster
pass its scheduler address to :class:`~distributed.Client`. Every worker needs
sparsenn installed (see the user guide, "Scaling out").

This script is not run when the documentation is built (it starts processes);
``tests/test_dask.py`` runs the same search and checks it against ``n_jobs=1``.
"""

from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV

from sparsenn import SparseMLPClassifier
from sparsenn.dask import dask_backend
from sparsenn.datasets import make_morse

if __name__ == "__main__":
    X, y = make_morse(20, random_state=0)
    grid = {
        "density": [0.1, 0.25, 1.0],
        "connectivity": ["random", "structured"],
        "random_state": [0, 1],
    }
    search = GridSearchCV(SparseMLPClassifier((64,), max_iter=10), grid, cv=3)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1"
        ) as cluster,
        Client(cluster) as client,
    ):
        # checks that every worker imports sparsenn (else an ImportError naming
        # worker and package), sizes numba's pool by the worker's threads, then
        # enters joblib.parallel_backend("dask")
        with dask_backend(client):
            search.fit(X, y)
    print(search.best_params_, round(search.best_score_, 3))
