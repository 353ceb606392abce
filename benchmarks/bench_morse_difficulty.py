"""Do the four Morse difficulty metrics predict a trained network's accuracy?

For graded Morse variants of the registry: the four metrics of
``sparsenn.datasets.morse_difficulty`` (train + val + test pooled, as the authors
do; intended formulas and ``reference_compat=True``), the test accuracy of a
``SparseMLPClassifier`` trained on the variant's training set, and each metric's
Pearson (and Spearman) correlation with accuracy across the variants. The authors
report r = -0.59, -0.64, -0.63, -0.64 (V_lower, V_upper, V_dist, V_thresh).

    python benchmarks/bench_morse_difficulty.py            # 16 variants (~30 min)
    python benchmarks/bench_morse_difficulty.py --quick    # 8 variants, smoke run
"""

import argparse
import time
import warnings

import numpy as np
from _common import machine
from scipy import stats

from sparsenn.datasets import load_morse, morse_difficulty, morse_variant

METRICS = ("V_lower", "V_upper", "V_dist", "V_thresh")
SUBSETS = ("train", "val", "test")
PAPER_R = {"V_lower": -0.59, "V_upper": -0.64, "V_dist": -0.63, "V_thresh": -0.64}
QUICK = (
    "baseline-small",
    "noise-2",
    "noise-5",
    "jitter-2",
    "jitter-4",
    "confusion-2",
    "confusion-4",
    "difficult-small",
)
FULL = (
    "baseline-small",
    "noise-1",
    "noise-3",
    "noise-5",
    "jitter-1",
    "jitter-2",
    "jitter-4",
    "confusion-1",
    "confusion-2",
    "confusion-3",
    "confusion-4",
    "difficult-small",
    "dilation-1",
    "binary-small",
    "flips-1",
    "flips-3",
)


def make_classifier(args):
    """The network of the Morse experiments; sklearn's MLP only as a stand-in."""
    try:
        from sparsenn import SparseMLPClassifier
    except ImportError:
        from sklearn.neural_network import MLPClassifier

        print("# SparseMLPClassifier not importable: sklearn MLPClassifier stand-in")
        return lambda: MLPClassifier(
            (args.hidden,), max_iter=args.epochs, random_state=0
        )
    return lambda: SparseMLPClassifier(
        hidden_layer_sizes=(args.hidden,),
        density=args.density,
        max_iter=args.epochs,
        batch_size=args.batch_size,
        learning_rate_init=args.learning_rate,
        random_state=0,
    )


def measure(name, make, data_home):
    subsets = {s: load_morse(name, subset=s, data_home=data_home) for s in SUBSETS}
    X = np.vstack([b.data for b in subsets.values()])
    y = np.concatenate([b.target for b in subsets.values()])
    row = {"variant": name, "family": morse_variant(name)["family"]}
    row.update(morse_difficulty(X, y))
    ref = morse_difficulty(X, y, reference_compat=True)
    row.update({f"ref_{k}": v for k, v in ref.items()})
    train, test = subsets["train"], subsets["test"]
    model = make()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(train.data, train.target)
    row["fit_s"] = time.perf_counter() - start
    row["accuracy"] = model.score(test.data, test.target)
    return row


def _print_rows(rows):
    head = f"| {'variant':<16}| {'family':<10}|"
    head += "".join(f" {m:>9} |" for m in METRICS) + " test acc | fit s |"
    print(head)
    print("|" + "---|" * (len(METRICS) + 4))
    for r in rows:
        line = f"| {r['variant']:<16}| {r['family']:<10}|"
        line += "".join(
            f" {r[m]:>9.4g} |" if m != "V_thresh" else f" {r[m]:>9d} |" for m in METRICS
        )
        print(line + f" {r['accuracy']:>8.4f} | {r['fit_s']:>5.1f} |")


def _correlations(rows):
    acc = np.array([r["accuracy"] for r in rows])
    print(
        "\n| metric | Pearson r (ours) | Spearman rho (ours) | Pearson r "
        "(reference_compat) | paper r |"
    )
    print("|---|---|---|---|---|")
    negative = True
    for m in METRICS:
        ours = np.array([r[m] for r in rows], dtype=float)
        ref = np.array([r[f"ref_{m}"] for r in rows], dtype=float)
        r_ours = stats.pearsonr(ours, acc).statistic
        rho = stats.spearmanr(ours, acc).statistic
        r_ref = stats.pearsonr(ref, acc).statistic
        negative &= bool(r_ours < 0)
        print(
            f"| {m} | {r_ours:+.3f} | {rho:+.3f} | {r_ref:+.3f} | {PAPER_R[m]:+.2f} |"
        )
    print(f"\nall four Pearson r negative: {'yes' if negative else 'NO'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 variants, 5 epochs")
    parser.add_argument("--variants", nargs="+", default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--density", type=float, default=0.125)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--data-home", default=None)
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = 5 if args.quick else 20
    names = args.variants or (QUICK if args.quick else FULL)
    print(f"# {machine()}")
    print(
        f"# 64-{args.hidden}-64 SparseMLPClassifier, density {args.density}, "
        f"{args.epochs} epochs, batch {args.batch_size}, Adam lr {args.learning_rate}"
    )
    make = make_classifier(args)
    rows = []
    for name in names:
        rows.append(measure(name, make, args.data_home))
        print(f"# {name}: accuracy {rows[-1]['accuracy']:.4f}", flush=True)
    print()
    _print_rows(rows)
    _correlations(rows)


if __name__ == "__main__":
    main()
