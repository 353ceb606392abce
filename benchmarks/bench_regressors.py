"""SparseMLPRegressor vs scikit-learn's MLPRegressor: R^2 and time per epoch.

Part 1 (accuracy): ``load_diabetes`` and ``make_friedman1`` (10,000 samples),
the same hidden sizes, solver, learning rate and epochs for both; R^2 on a
held-out quarter, mean over seeds.  Target: SparseMLPRegressor(density=0.2)
within 0.02 of MLPRegressor.

Part 2 (speed): time per epoch at widths 1024 and 2048 (two hidden layers,
friedman1, float32, batch 256), ratio to MLPRegressor measured in the same run.

    python benchmarks/bench_regressors.py            # full run (~5 min)
    python benchmarks/bench_regressors.py --quick    # smoke run (RigL every 10 steps)
    python benchmarks/bench_regressors.py --missed-cell  # friedman1 (128,) analysis
    python benchmarks/bench_regressors.py --poisson  # counts, loss="poisson" (~3 min)

Both parts also fit ``density=0.2`` with learned connectivity
(``connectivity="random", rewiring="rigl"``), the same recipe otherwise.
"""

import argparse
import warnings

import numpy as np
from _common import machine, table, timed_fit
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import d2_tweedie_score, mean_poisson_deviance
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparsenn import SparseMLPRegressor
from sparsenn.exceptions import UnusedNeuronWarning

#: Learned connectivity (docs/rewiring.md): RigL with the edge count kept, so
#: the degrees may drift and the output junction can choose its hidden neurons.
LEARNED = dict(connectivity="random", rewiring="rigl")


def _data(name, seed):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
    else:
        X, y = make_friedman1(n_samples=10_000, noise=1.0, random_state=seed)
    return train_test_split(X, y, random_state=seed)


def _score(est, data):
    Xtr, Xte, ytr, yte = data
    scaler = StandardScaler().fit(ytr[:, None])
    model = make_pipeline(StandardScaler(), est)
    model.fit(Xtr, scaler.transform(ytr[:, None]).ravel())
    pred = scaler.inverse_transform(model.predict(Xte)[:, None]).ravel()
    return 1 - np.sum((yte - pred) ** 2) / np.sum((yte - yte.mean()) ** 2)


def _recipe(hidden, epochs):
    """The settings every model of the R^2 comparison shares."""
    return dict(
        hidden_layer_sizes=hidden,
        max_iter=epochs,
        learning_rate_init=0.01,
        early_stopping=True,
        n_iter_no_change=20,
    )


def _models(common, reference="MLPRegressor", learned=LEARNED):
    """The four models of a comparison, seed -> estimator, with settings ``common``."""
    return {
        reference: lambda s: MLPRegressor(**common, random_state=s),
        "Sparse density=0.2": lambda s: SparseMLPRegressor(
            **common, density=0.2, random_state=s
        ),
        "Sparse density=auto": lambda s: SparseMLPRegressor(**common, random_state=s),
        "Sparse density=0.2 random+RigL": lambda s: SparseMLPRegressor(
            **common, density=0.2, random_state=s, **learned
        ),
    }


def accuracy(seeds, epochs, learned=LEARNED):
    rows = []
    for name in ("diabetes", "friedman1"):
        for hidden in ((128,), (256, 256)):
            models = _models(_recipe(hidden, epochs), learned=learned)
            scores = {
                label: [_score(make(s), _data(name, s)) for s in range(seeds)]
                for label, make in models.items()
            }
            ref = np.mean(scores["MLPRegressor"])
            for label, values in scores.items():
                gap = np.mean(values) - ref
                rows.append(
                    [name, str(hidden), label, f"{np.mean(values):.4f}",
                     f"{np.std(values):.4f}", f"{gap:+.4f}"]
                )  # fmt: skip
    headers = ["data", "hidden", "model", "R^2 mean", "std", "gap to MLPRegressor"]
    print(table(rows, headers))


#: The rows of the missed-cell analysis: (density, connectivity label) -> the
#: SparseMLPRegressor parameters besides the shared recipe.
MISSED_CELL = {
    ("0.2", "structured"): dict(density=0.2),
    ("(0.2, 1.0)", "structured"): dict(density=(0.2, 1.0)),
    ("(0.2, 1.0)", "random"): dict(density=(0.2, 1.0), connectivity="random"),
    ("0.2", "random"): dict(density=0.2, connectivity="random"),
    ("0.2", "structured + RigL"): dict(density=0.2, rewiring="rigl"),
    ("0.2", "random + SET"): dict(density=0.2, connectivity="random", rewiring="set"),
    ("0.2", "random + RigL"): dict(density=0.2, **LEARNED),
}


def missed_cell(seeds, epochs):
    """friedman1, one hidden layer of 128: where the gap at density 0.2 comes from."""
    common = _recipe((128,), epochs)
    models = {("MLPRegressor", "-"): lambda s: MLPRegressor(**common, random_state=s)}
    for key, params in MISSED_CELL.items():
        models[key] = lambda s, p=params: SparseMLPRegressor(
            **common, **p, random_state=s
        )
    rows, ref = [], None
    for (density, connectivity), make in models.items():
        values = [_score(make(s), _data("friedman1", s)) for s in range(seeds)]
        ref = np.mean(values) if ref is None else ref
        rows.append(
            [density, connectivity, " / ".join(f"{v:.4f}" for v in values),
             f"{np.mean(values):.4f}", f"{np.mean(values) - ref:+.4f}"]
        )  # fmt: skip
    print(table(rows, ["density", "connectivity", "R^2 per seed", "mean", "gap"]))


def _counts(seed, n=10_000):
    """Poisson counts whose log-rate is friedman1's function, rescaled.

    ``mu = exp((f(X) - 14) / 5)``: rates from about 0.1 to 20, a third of the
    counts zero.
    """
    rng = np.random.default_rng(seed)
    X, f = make_friedman1(n_samples=n, noise=0.0, random_state=seed)
    mu = np.exp((f - 14) / 5)
    return train_test_split(X, rng.poisson(mu).astype(float), mu, random_state=seed)


def poisson(seeds, epochs, learned=LEARNED):
    """loss="poisson" on counts: held-out mean Poisson deviance and D^2.

    The first row predicts the true rates: the best any model can reach.
    """
    oracle = [_counts(s) for s in range(seeds)]  # (..., y_test, _, mu_test)
    rows = [
        ["-", "true rate (oracle)",
         f"{np.mean([mean_poisson_deviance(d[3], d[5]) for d in oracle]):.4f}",
         f"{np.mean([d2_tweedie_score(d[3], d[5], power=1) for d in oracle]):.4f}",
         "", ""]
    ]  # fmt: skip
    reference = "MLPRegressor(loss='poisson')"
    for hidden in ((128,), (256, 256)):
        common = {**_recipe(hidden, epochs), "loss": "poisson"}
        models = _models(common, reference, learned)
        results = {}
        for label, make in models.items():
            deviances, d2s = [], []
            for s in range(seeds):
                Xtr, Xte, ytr, yte, _, _ = _counts(s)
                model = make_pipeline(StandardScaler(), make(s)).fit(Xtr, ytr)
                pred = model.predict(Xte)
                deviances.append(mean_poisson_deviance(yte, pred))
                d2s.append(d2_tweedie_score(yte, pred, power=1))
            results[label] = (np.mean(deviances), np.mean(d2s), np.std(d2s))
        ref = results[reference][1]
        for label, (deviance, d2, std) in results.items():
            rows.append(
                [str(hidden), label, f"{deviance:.4f}", f"{d2:.4f}", f"{std:.4f}",
                 f"{d2 - ref:+.4f}"]
            )  # fmt: skip
    headers = ["hidden", "model", "Poisson deviance", "D^2", "std", "D^2 gap"]
    print(table(rows, headers))


def speed(epochs, n_train):
    X, y = make_friedman1(n_samples=n_train, noise=1.0, random_state=0)
    X, y = X.astype(np.float32), y.astype(np.float32)
    rows = []
    for width in (1024, 2048):
        common = dict(
            hidden_layer_sizes=(width, width),
            batch_size=256,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=10**6,
            random_state=0,
        )
        SparseMLPRegressor(**{**common, "max_iter": 1}, density=0.2).fit(
            X[:512], y[:512]
        )
        t_ref = timed_fit(MLPRegressor(**common), X, y) / epochs
        rows.append([str(width), "MLPRegressor", f"{t_ref:.3f}", "1.00"])
        for rho in (0.2, 0.1):
            t = timed_fit(SparseMLPRegressor(**common, density=rho), X, y) / epochs
            rows.append(
                [str(width), f"Sparse density={rho}", f"{t:.3f}", f"{t / t_ref:.2f}"]
            )
    print(table(rows, ["width", "model", "s/epoch", "ratio"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--missed-cell",
        action="store_true",
        help="only the friedman1 (128,) analysis (output and input junctions)",
    )
    parser.add_argument(
        "--poisson",
        action="store_true",
        help="only the count data with loss='poisson' against MLPRegressor's",
    )
    args = parser.parse_args()
    # --quick runs 30 epochs: diabetes' two minibatches per epoch give 60 steps,
    # fewer than the default rewire_every=100 (which the fit refuses)
    learned = {**LEARNED, "rewire_every": 10} if args.quick else LEARNED
    warnings.simplefilter("ignore", ConvergenceWarning)
    # density=0.2 thins the output junction on purpose: the rows measure that
    # waste (docs/sparse_mlp.md), so its UnusedNeuronWarning is expected here
    warnings.simplefilter("ignore", UnusedNeuronWarning)
    print(machine())
    if args.missed_cell:
        print("\n## friedman1, (128,): the output and the input junction at 0.2\n")
        missed_cell(seeds=1 if args.quick else 3, epochs=30 if args.quick else 300)
        return
    if args.poisson:
        print("\n## Counts, loss='poisson' (held-out quarter, early stopping)\n")
        poisson(seeds=1 if args.quick else 3, epochs=30 if args.quick else 300,
                learned=learned)  # fmt: skip
        return
    print("\n## R^2 (held-out quarter, early stopping, lr 0.01)\n")
    accuracy(seeds=1 if args.quick else 3, epochs=30 if args.quick else 300,
             learned=learned)  # fmt: skip
    print("\n## Time per epoch, friedman1, two hidden layers, float32, batch 256\n")
    speed(epochs=1 if args.quick else 3, n_train=2000 if args.quick else 10_000)


if __name__ == "__main__":
    main()
