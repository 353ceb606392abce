"""The seed's study of pre-defined sparsity, reproduced on Fashion-MNIST at 784 inputs.

One command runs five experiments and prints, for each of the seed's claims,
whether it holds here, with the numbers:

1. density table for 784-100-100-100-10 with the seed's out-degree rows
   (80,80,80,10) ... (1,2,2,10) (overall density 80.2% .. 2.2%) for clash-free,
   structured and random patterns, mean and standard deviation over seeds;
   claim: the patterns perform alike (within 0.5 points at densities >= 3.6%);
2. later junctions denser: 784-100-10 at equal overall density, rho_2 > rho_1
   against rho_2 < rho_1;
3. large-and-sparse vs small-and-dense at equal parameter count (784-H-10, H from
   32 to 2048, the first junction's density chosen so the weights match the dense
   784-32-10 net ... and the critical density below which sparse loses);
4. the L2 penalty chosen on a validation split at each density (the seed: smaller
   penalty for sparser nets);
5. dataset redundancy: the density table after PCA to 200 features (the seed: less
   redundancy, less sparsification possible).

Every model, dense or sparse, uses the same recipe (``RECIPE``): Adam at learning
rate 1e-3 scaled per junction by ``sqrt(n_in / fan_in)``
(``learning_rate_scaling="fan_in"``), batch 256, ReLU, no L2 penalty, early stopping
on a stratified tenth of the training images (at most 150 epochs, patience 10, the
best epoch kept). Experiment 4 varies ``alpha`` on top of it. ``--recipes`` runs the
comparison on a validation split that chose this recipe (``docs/sparse_mlp.md``).
The density table has a fully connected (FC) row and checks the targets: at most
1.0 point below FC at 20.8% density and 1.5 points at 10.9%.

Figures (accuracy against density per pattern; accuracy against hidden size at
equal parameters) are written to ``docs/figures/`` when matplotlib is installed;
the tables print without it.

Usage: ``python benchmarks/bench_seed_trends.py [--quick] [--seeds N]
[--parts table,later,budget,l2,pca] [--rows 0,2,3] [--recipes] [--no-figures]
[--figures-dir DIR]``. ``--parts`` and ``--rows`` (indices into ``ROWS``) run a subset
(two processes can share the work). ``--quick`` (under two
minutes) uses 10,000 training and 2,000 test images, at most 5 epochs, one seed and
a subset of the rows: a smoke run of the pipeline, not evidence for or against the
claims.
"""

import argparse
import time
import warnings

import numpy as np
from _common import output_path
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sparsenn import SparseMLPClassifier
from sparsenn.exceptions import UnusedNeuronWarning

SIZES = (784, 100, 100, 100, 10)
# The seed's out-degree rows, one out-degree per junction (output junction dense).
ROWS = [
    (80, 80, 80, 10),
    (40, 40, 40, 10),
    (20, 20, 20, 10),
    (10, 10, 10, 10),
    (5, 5, 5, 10),
    (2, 5, 5, 10),
    (1, 2, 2, 10),
]
PATTERNS = ("clash_free", "structured", "random")
ALPHAS = (0.0, 1e-5, 1e-4, 1e-3)
#: The training recipe of every model (chosen on a validation split: ``--recipes``).
RECIPE = dict(
    learning_rate_init=1e-3,
    learning_rate_scaling="fan_in",
    batch_size=256,
    alpha=0.0,
    max_iter=150,
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=10,
)
#: Recipes compared by ``--recipes`` (each a change to ``RECIPE``).
RECIPES = {
    "fixed 20 epochs, alpha 1e-4, plain rate": dict(
        max_iter=20, early_stopping=False, alpha=1e-4, learning_rate_scaling=None
    ),
    "fixed 20 epochs, alpha 1e-4, fan-in rate": dict(
        max_iter=20, early_stopping=False, alpha=1e-4
    ),
    "early stopping, alpha 1e-4, plain rate": dict(
        alpha=1e-4, learning_rate_scaling=None
    ),
    "early stopping, alpha 0, plain rate": dict(learning_rate_scaling=None),
    "early stopping, alpha 1e-4, fan-in rate": dict(alpha=1e-4),
    "early stopping, alpha 0, fan-in rate (RECIPE)": dict(),
}
HIDDEN = (32, 64, 128, 256, 512, 1024, 2048)


def load(n_train=None, n_test=None, seed=0):
    """Fashion-MNIST as float32 in [0, 1]; ``None`` if it is not installed."""
    try:
        from sparsenn.datasets import load_fashion_mnist

        tr, te = load_fashion_mnist(subset="train"), load_fashion_mnist(subset="test")
    except Exception as exc:  # noqa: BLE001 - any failure means: not installed
        print(f"# Fashion-MNIST not available ({exc})")
        return None
    Xtr, ytr, Xte, yte = tr.data, tr.target, te.data, te.target
    if n_train:
        Xtr, _, ytr, _ = train_test_split(
            Xtr, ytr, train_size=n_train, stratify=ytr, random_state=seed
        )
    if n_test:
        Xte, yte = Xte[:n_test], yte[:n_test]
    return Xtr, ytr, Xte, yte


def densities_of(row, sizes=SIZES):
    """Per-junction densities of an out-degree row (``d_out / n_out``)."""
    return tuple(d / n for d, n in zip(row, sizes[1:], strict=True))


def overall_density(densities, sizes):
    """Overall density of a network: stored weights over dense weights."""
    weights = [
        d * a * b for d, a, b in zip(densities, sizes[:-1], sizes[1:], strict=False)
    ]
    return sum(weights) / sum(
        a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False)
    )


def fit_score(data, hidden, densities, connectivity, seed, epochs, **change):
    """Test accuracy of one model (fits quietly: convergence is not the question).

    ``epochs`` caps ``max_iter``; ``change`` overrides entries of ``RECIPE``.
    """
    Xtr, ytr, Xte, yte = data
    recipe = {**RECIPE, **change}
    recipe["max_iter"] = min(recipe["max_iter"], epochs)
    clf = SparseMLPClassifier(
        hidden,
        density=tuple(densities),
        connectivity=connectivity,
        random_state=seed,
        **recipe,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # claim 2 thins the output junction on purpose (rho_2 < rho_1)
        warnings.simplefilter("ignore", UnusedNeuronWarning)
        clf.fit(Xtr, ytr)
    return clf.score(Xte, yte)


def mean_std(values):
    """Return the mean and standard deviation of ``values``."""
    return float(np.mean(values)), float(np.std(values))


def verdict(holds):
    """Return the printed verdict of a claim."""
    return "HOLDS" if holds else "DOES NOT HOLD"


# --------------------------------------------------------- 1 and 5: table --
def density_table(data, rows, seeds, epochs, title):
    """Fit every pattern at every out-degree row; print and return the table."""
    print(
        f"\n{title}: {'-'.join(map(str, (data[0].shape[1], *SIZES[1:])))}, "
        f"{len(seeds)} seed(s), {epochs} epochs; test accuracy mean (std)"
    )
    sizes = (data[0].shape[1], *SIZES[1:])
    head = f"{'out-degrees':>16} {'density':>8}"
    print(head + "".join(f" {p:>16}" for p in PATTERNS))
    table = {}
    fc = [
        fit_score(data, SIZES[1:-1], (1.0,) * 4, "structured", s, epochs) for s in seeds
    ]
    table["fc"] = mean_std(fc)
    fc_line = f"{'FC':>16} {1:>8.1%} {table['fc'][0]:>9.4f} ({table['fc'][1]:.3f})"
    print(fc_line, flush=True)
    for row in rows:
        dens = densities_of(row, sizes)
        rho = overall_density(dens, sizes)
        line = f"{str(row):>16} {rho:>8.2%}"
        for pattern in PATTERNS:
            accs = [
                fit_score(data, SIZES[1:-1], dens, pattern, s, epochs) for s in seeds
            ]
            table[row, pattern] = mean_std(accs)
            m, sd = table[row, pattern]
            line += f" {m:>9.4f} ({sd:.3f})"
        table[row, "rho"] = rho
        print(line, flush=True)
    return table


def check_targets(table, rows):
    """Print the gaps to FC at 20.8% and 10.9% density against their targets."""
    for row, limit in (((20, 20, 20, 10), 1.0), ((10, 10, 10, 10), 1.5)):
        if row not in rows:
            continue
        for pattern in PATTERNS:
            gap = 100 * (table["fc"][0] - table[row, pattern][0])
            print(
                f"target: {pattern} at {table[row, 'rho']:.1%} at most {limit} points "
                f"below FC: {gap:.2f} points -> {verdict(gap <= limit)}"
            )


def claim_patterns_alike(table, rows):
    """Print whether the patterns are within 0.5 points of each other."""
    spreads = []
    for row in rows:
        if table[row, "rho"] >= 0.036 - 1e-9:
            means = [table[row, p][0] for p in PATTERNS]
            spreads.append(max(means) - min(means))
    worst = max(spreads) if spreads else float("nan")
    print(
        f"claim: clash-free, structured and random within 0.5 points at every "
        f"density >= 3.6%: largest spread {100 * worst:.2f} points -> "
        f"{verdict(worst <= 0.005)}"
    )


# ----------------------------------------------- 2: later junctions denser --
def later_denser(data, seeds, epochs, overall=(0.05, 0.1, 0.2)):
    """Compare rho_2 > rho_1 with rho_2 < rho_1 at equal overall density."""
    n_in = data[0].shape[1]
    w1, w2 = n_in * 100, 100 * 10
    print(f"\nlater junctions denser: {n_in}-100-10, equal overall density")
    print(
        f"{'overall':>8} {'rho1 < rho2':>16} {'acc':>8} {'rho1 > rho2':>16} {'acc':>8}"
    )
    wins = []
    for rho in overall:
        total = rho * (w1 + w2)
        splits = []
        for rho2 in (min(1.0, 4 * rho), max(rho / 4, 0.01)):  # later / earlier denser
            rho1 = (total - rho2 * w2) / w1
            accs = [
                fit_score(data, (100,), (rho1, rho2), "structured", s, epochs)
                for s in seeds
            ]
            splits.append((rho1, rho2, float(np.mean(accs))))
        (a1, a2, acc_a), (b1, b2, acc_b) = splits
        wins.append(acc_a > acc_b)
        print(
            f"{rho:>8.2%} {f'({a1:.3f}, {a2:.3f})':>16} {acc_a:>8.4f} "
            f"{f'({b1:.3f}, {b2:.3f})':>16} {acc_b:>8.4f}",
            flush=True,
        )
    print(
        f"claim: rho_2 > rho_1 wins at equal overall density: {sum(wins)} of "
        f"{len(wins)} -> {verdict(all(wins))}"
    )


# ---------------------------------- 3: large sparse vs small dense, equal budget --
def equal_budget(data, hidden, seeds, epochs):
    """Compare 784-H-10 nets of equal weight count; print the claim."""
    n_in = data[0].shape[1]
    budget = n_in * hidden[0] + hidden[0] * 10  # the dense smallest net
    print(
        f"\nlarge-and-sparse vs small-and-dense at {budget} weights: {n_in}-H-10, "
        "output junction dense, first junction density from the budget"
    )
    print(f"{'H':>6} {'rho1':>8} {'acc':>8}")
    results = []
    for h in hidden:
        rho1 = (budget - 10 * h) / (n_in * h)
        if rho1 <= 1.0 / n_in or 10 * h >= budget:
            print(f"{h:>6} {'-':>8} {'(budget too small)':>8}")
            continue
        accs = [
            fit_score(data, (h,), (min(1.0, rho1), 1.0), "structured", s, epochs)
            for s in seeds
        ]
        results.append((h, min(1.0, rho1), float(np.mean(accs))))
        print(f"{h:>6} {min(1.0, rho1):>8.4f} {np.mean(accs):>8.4f}", flush=True)
    if len(results) >= 2:
        dense_acc = results[0][2]
        best = max(results, key=lambda r: r[2])
        print(
            f"claim: a large sparse net beats the small dense one at equal weights: "
            f"best H={best[0]} ({best[2]:.4f} vs dense {dense_acc:.4f}) -> "
            f"{verdict(best[0] != results[0][0])}; accuracy peaks at first-junction "
            f"density {best[1]:.4f} (the critical density: sparser, larger nets of the "
            f"same budget do worse)"
        )
    return results


# ------------------------------------------------------------- 4: L2 by density --
def l2_by_density(data, rows, seeds, epochs):
    """Choose the L2 penalty on a validation split at each density."""
    Xtr, ytr, Xte, yte = data
    Xa, Xv, ya, yv = train_test_split(
        Xtr, ytr, test_size=0.2, stratify=ytr, random_state=0
    )
    sub = (Xa, ya, Xv, yv)
    sizes = (Xtr.shape[1], *SIZES[1:])
    print(f"\nL2 penalty chosen on a validation split (alpha in {ALPHAS})")
    print(f"{'out-degrees':>16} {'density':>8} {'best alpha':>10} {'val acc':>8}")
    chosen = []
    for row in rows:
        dens = densities_of(row, sizes)
        scores = [
            np.mean(
                [
                    fit_score(sub, SIZES[1:-1], dens, "structured", s, epochs, alpha=a)
                    for s in seeds
                ]
            )
            for a in ALPHAS
        ]
        best = ALPHAS[int(np.argmax(scores))]
        chosen.append((overall_density(dens, sizes), best))
        print(
            f"{str(row):>16} {chosen[-1][0]:>8.2%} {best:>10g} {max(scores):>8.4f}",
            flush=True,
        )
    alphas = [a for _, a in sorted(chosen)]  # by increasing density
    monotone = all(x <= y for x, y in zip(alphas, alphas[1:], strict=False))
    print(
        f"claim: sparser nets want a smaller L2 penalty: chosen alphas by increasing "
        f"density {alphas} -> {verdict(monotone and alphas[0] < alphas[-1])}"
    )


# ------------------------------------------------------------------- figures --
def figures(table, rows, budget_rows, path):
    """Write the two figures (needs matplotlib)."""
    try:
        import matplotlib
        import matplotlib.ticker

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("# matplotlib not installed: figures skipped")
        return
    import pathlib

    out = pathlib.Path(path)
    out.mkdir(parents=True, exist_ok=True)
    if table is not None:
        _table_figure(plt, matplotlib.ticker, table, rows, out)
    if budget_rows:
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.plot([r[0] for r in budget_rows], [r[2] for r in budget_rows], marker="o")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("hidden neurons H (equal number of weights)")
        ax.set_ylabel("test accuracy")
        fig.tight_layout()
        fig.savefig(out / "seed_equal_budget.png", dpi=120)
    print(f"# figures written to {out}/")


def _table_figure(plt, ticker, table, rows, out):
    """Accuracy against overall density per pattern, FC as a dashed line."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for pattern in PATTERNS:
        xs = [table[r, "rho"] for r in rows]
        ax.errorbar(
            xs,
            [table[r, pattern][0] for r in rows],
            yerr=[table[r, pattern][1] for r in rows],
            label=pattern,
            marker="o",
            capsize=2,
        )
    ax.axhline(table["fc"][0], color="k", ls="--", lw=1, label="FC")
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_xlabel("overall density")
    ax.set_ylabel("test accuracy")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "seed_density_table.png", dpi=120)


def compare_recipes(data, seeds, epochs):
    """Validation accuracy of each recipe of ``RECIPES`` at FC, 20.8, 10.9, 3.6%."""
    Xtr, ytr, _, _ = data
    Xa, Xv, ya, yv = train_test_split(
        Xtr, ytr, test_size=min(10_000, len(Xtr) // 6), stratify=ytr, random_state=0
    )
    sub = (Xa, ya, Xv, yv)
    sizes = (Xtr.shape[1], *SIZES[1:])
    cols = {"FC": (1.0,) * 4}
    for row in ((20, 20, 20, 10), (10, 10, 10, 10), (2, 5, 5, 10)):
        dens = densities_of(row, sizes)
        cols[f"{overall_density(dens, sizes):.1%}"] = dens
    print(
        f"\nrecipes on a validation split ({len(Xa)} train / {len(Xv)} validation "
        f"images, structured, {len(seeds)} seed(s)); validation accuracy, and the "
        "gap to FC in points"
    )
    print(f"{'recipe':>46}" + "".join(f" {c:>14}" for c in cols))
    for name, change in RECIPES.items():
        accs = {
            c: np.mean(
                [
                    fit_score(sub, SIZES[1:-1], d, "structured", s, epochs, **change)
                    for s in seeds
                ]
            )
            for c, d in cols.items()
        }
        line = f"{name:>46} {accs['FC']:>14.4f}"
        for c in list(cols)[1:]:
            line += f" {accs[c]:>7.4f} ({100 * (accs['FC'] - accs[c]):4.2f})"
        print(line, flush=True)


def pca_table(data, table, rows, seeds, epochs):
    """The density table after PCA to 200 features, and the redundancy claim."""
    pca = PCA(200, random_state=0).fit(data[0])
    scale = np.abs(pca.transform(data[0])).max()
    reduced = tuple(
        pca.transform(x) / scale if i % 2 == 0 else x for i, x in enumerate(data)
    )
    small = density_table(reduced, rows, seeds, epochs, "after PCA to 200 features")
    gap_pca = small[rows[0], "structured"][0] - small[rows[-1], "structured"][0]
    if table is None:
        print(f"# densest to sparsest row after PCA-200: {100 * gap_pca:.2f} points")
        return
    gap_full = table[rows[0], "structured"][0] - table[rows[-1], "structured"][0]
    print(
        f"claim: less redundancy, less sparsification possible: accuracy lost from "
        f"the densest to the sparsest row {100 * gap_full:.2f} points at 784 pixels, "
        f"{100 * gap_pca:.2f} after PCA-200 -> {verdict(gap_pca > gap_full)}"
    )


PARTS = ("table", "later", "budget", "l2", "pca")


def main(argv=None):
    """Run the experiments selected by the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run, < 2 min")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=RECIPE["max_iter"])
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--recipes", action="store_true", help="compare recipes")
    parser.add_argument(
        "--rows", default=None, help="indices of ROWS to run, e.g. 0,2,3,5,6"
    )
    parser.add_argument("--no-figures", action="store_true")
    parser.add_argument(
        "--figures-dir",
        default=None,
        help="default: the repository's docs/figures; with --quick a temporary "
        "directory, so a smoke run never replaces the docs' figures",
    )
    args = parser.parse_args(argv)
    parts = set(filter(None, args.parts.split(",")))
    if parts - set(PARTS):
        parser.error(f"--parts: unknown {sorted(parts - set(PARTS))}; from {PARTS}")
    start = time.perf_counter()
    if args.quick:
        data = load(10_000, 2000)
        rows, seeds, epochs = [ROWS[2], ROWS[3], ROWS[-1]], range(1), 5
        hidden, overall = (32, 128, 512), (0.1,)
    else:
        data = load()
        rows, seeds, epochs = ROWS, range(args.seeds), args.epochs
        if args.rows:
            rows = [ROWS[int(i)] for i in args.rows.split(",")]
        hidden, overall = HIDDEN, (0.05, 0.1, 0.2)
    if data is None:
        return
    if args.recipes:
        compare_recipes(data, seeds, epochs)
    run_parts(parts, data, rows, seeds, epochs, hidden, overall, args)
    print(f"# total {time.perf_counter() - start:.0f} s")


def run_parts(parts, data, rows, seeds, epochs, hidden, overall, args):
    """Run the selected experiments and draw their figures."""
    table = budget_rows = None
    if "table" in parts:
        table = density_table(data, rows, seeds, epochs, "density table")
        check_targets(table, rows)
        claim_patterns_alike(table, rows)
    if "later" in parts:
        later_denser(data, seeds, epochs, overall)
    if "budget" in parts:
        budget_rows = equal_budget(data, hidden, seeds, epochs)
    if "l2" in parts:
        l2_by_density(data, rows, seeds, epochs)
    if "pca" in parts:
        pca_table(data, table, rows, seeds, epochs)
    if not args.no_figures:
        out = args.figures_dir or output_path("figures", args.quick)
        figures(table, rows, budget_rows, out)


if __name__ == "__main__":
    main()
