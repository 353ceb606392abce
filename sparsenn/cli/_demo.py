"""``sparsenn demo``: dense vs structured networks on the built-in Morse data.

Trains scikit-learn's dense ``MLPClassifier`` and every sparsenn model on the
same named Morse variant, exports one sparse network to 12-bit fixed point and
prints one table: stored weights, fit time and test accuracy.
"""

import argparse
import time
import warnings

import numpy as np

__all__ = ["configure", "run"]

DESCRIPTION = """\
Train scikit-learn's dense MLPClassifier and every sparsenn model (pre-defined
sparse nets at several densities, a clash-free net, an H-matrix net, the
pseudo-inverse model) on one named Morse variant, export a sparse net to 12-bit
fixed point, and print one table: stored parameters, fit seconds, test accuracy.
Every model's hidden layers are --hidden units wide (the pseudo-inverse model's
n_hidden too). --densities sets only the plain SparseMLPClassifier rows: the
clash-free row keeps density 0.1 and the fixed-point rows density 0.125.
The networks train --epochs epochs, so convergence warnings are not shown; any
other warning is. The pseudo-inverse model is solved, not trained: --epochs
does not change it."""


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be >= 1")
    return value


# the pseudo-inverse model's offset-tridiagonal layer has offsets (2, 2), which
# need n_hidden > 2
_MIN_HIDDEN = 3


def _hidden(text):
    value = _positive_int(text)
    if value < _MIN_HIDDEN:
        raise argparse.ArgumentTypeError(
            f"{value} must be >= {_MIN_HIDDEN} (the pseudo-inverse model's "
            f"tridiagonal offsets (2, 2) need n_hidden > 2)"
        )
    return value


def _density(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not a density in (0, 1]")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"{value} is not a seed in 0..{2**32 - 1} (0 <= seed < 2**32)"
        )
    return value


def configure(parser):
    """Add the demo's options to ``parser``."""
    parser.description = DESCRIPTION
    parser.add_argument(
        "--variant",
        default="baseline-small",
        help="named Morse variant (see `sparsenn morse --list`)",
    )
    parser.add_argument(
        "--hidden",
        type=_hidden,
        default=512,
        help="hidden-layer width of every model (the pseudo-inverse model's "
        f"n_hidden too), >= {_MIN_HIDDEN}",
    )
    parser.add_argument(
        "--epochs", type=_positive_int, default=30, help="training epochs"
    )
    parser.add_argument(
        "--densities",
        type=_density,
        nargs="+",
        default=[1.0, 0.2, 0.1, 0.05],
        help="densities of the plain SparseMLPClassifier rows, each in (0, 1]; "
        "the clash-free row (density 0.1) and the fixed-point rows (density "
        "0.125) do not use them",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="random seed of every model, in 0..2**32-1",
    )


def _models(args):
    """(name, estimator) pairs, built lazily so the command starts quickly."""
    from sklearn.neural_network import MLPClassifier

    from .. import (
        HMatrixMLPClassifier,
        PseudoInverseSparseClassifier,
        SparseMLPClassifier,
    )

    common = dict(
        hidden_layer_sizes=(args.hidden,),
        max_iter=args.epochs,
        random_state=args.seed,
        learning_rate_init=0.01,
    )
    yield "MLPClassifier (scikit-learn, dense)", MLPClassifier(**common)
    for rho in args.densities:
        yield (
            f"SparseMLPClassifier density={rho:g}",
            SparseMLPClassifier(**common, density=rho),
        )
    yield (
        "SparseMLPClassifier density=0.1 clash_free",
        SparseMLPClassifier(**common, density=0.1, connectivity="clash_free"),
    )
    yield (
        "HMatrixMLPClassifier rank=4 leaf=32",
        HMatrixMLPClassifier(**common, rank=4, leaf_size=32),
    )
    yield (
        "PseudoInverseSparseClassifier",
        PseudoInverseSparseClassifier(n_hidden=args.hidden, random_state=args.seed),
    )


def _n_weights(est):
    if hasattr(est, "n_params_"):
        return int(est.n_params_)
    if hasattr(est, "coefs_"):
        return int(
            sum(np.size(c) for c in est.coefs_)
            + sum(np.size(b) for b in est.intercepts_)
        )
    return "-"


def _fixed_point_rows(args, Xtr, ytr, Xte, yte):
    """Fit a logistic clash-free network, export it to 12 bits; return accuracies."""
    from .. import SparseMLPClassifier
    from ..fixedpoint import to_fixed_point

    clf = SparseMLPClassifier(
        (args.hidden,),
        activation="logistic",
        density=0.125,
        connectivity="clash_free",
        max_iter=args.epochs,
        learning_rate_init=0.01,
        random_state=args.seed,
    )
    start = time.perf_counter()
    clf.fit(Xtr, ytr)
    seconds = time.perf_counter() - start
    with warnings.catch_warnings():
        # reported below the table instead: the saturation is part of the story
        warnings.filterwarnings(
            "ignore", message=".*were saturated", category=UserWarning
        )
        fixed = to_fixed_point(clf, calibration_X=Xtr[:2000])
    sat = fixed.conversion_saturation_
    n_sat = sum(sat["weights"]) + sum(sat["biases"])
    if n_sat:
        _NOTES.append(
            f"to_fixed_point saturated {n_sat} of {_n_weights(clf)} weights/biases to "
            f"the range of {fixed.fmt} (per junction: weights {sat['weights']}, "
            f"biases {sat['biases']})."
        )
    return [
        [
            "SparseMLP logistic clash_free density=0.125",
            _n_weights(clf),
            f"{seconds:.1f}",
            f"{clf.score(Xte, yte):.4f}",
        ],
        [
            f"  the same, bit-exact {fixed.fmt} simulation",
            _n_weights(clf),
            "-",
            f"{fixed.score(Xte, yte):.4f}",
        ],
    ]


def _warm_up(args, X, y):
    """Fit every model once on a small slice, so the timed fits exclude compilation.

    numba compiles the sparse, H-matrix and tridiagonal kernels on first use and
    caches them on disk, so only the first run after installation waits.
    Warnings are not shown here: the slice's sizes (fewer classes, one epoch)
    are not the user's, and the real fit issues its own.
    """
    from sklearn.base import clone

    start = time.perf_counter()
    models = list(_models(args))
    for i, (name, est) in enumerate(models):
        _progress(f"  warm-up {i + 1}/{len(models)}: {name}")
        est = clone(est)
        if "max_iter" in est.get_params():
            est.set_params(max_iter=1)
        with warnings.catch_warnings():
            # the real fit reports them for the sizes the user asked for
            warnings.simplefilter("ignore")
            est.fit(X[:256], y[:256])
    return time.perf_counter() - start


def _progress(text):
    """Print a progress line now (flushed, so it shows when piped)."""
    print(text, flush=True)


def run(args):
    """Train, evaluate and print the table; return the exit status."""
    _progress(f"sparsenn demo: loading the Morse variant {args.variant!r} ...")
    from sklearn.exceptions import ConvergenceWarning

    from ..datasets import load_morse

    train = load_morse(args.variant, subset="train")
    test = load_morse(args.variant, subset="test")
    Xtr, ytr, Xte, yte = train.data, train.target, test.data, test.target
    _progress(
        f"Morse variant {args.variant!r}: {len(Xtr)} training and {len(Xte)} test "
        f"frames of {Xtr.shape[1]} values, {len(np.unique(ytr))} classes; "
        f"hidden width {args.hidden}, {args.epochs} epochs.\n"
    )
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # fixed epoch budgets
        _progress("Warm-up (one small fit per model):")
        seconds = _warm_up(args, Xtr, ytr)
        _progress(
            f"Warm-up done: {seconds:.1f} s (compiles the numba kernels on the "
            f"first run, then loads them from disk)\n"
        )
        for name, est in _models(args):
            if not rows:
                _print_row(None, first=True)
            start = time.perf_counter()
            est.fit(Xtr, ytr)
            seconds = time.perf_counter() - start
            rows.append(
                [name, _n_weights(est), f"{seconds:.1f}", f"{est.score(Xte, yte):.4f}"]
            )
            _print_row(rows[-1], first=False)
        for row in _fixed_point_rows(args, Xtr, ytr, Xte, yte):
            _print_row(row, first=False)
    for note in _NOTES:
        _progress(f"\nNote: {note}")
    _NOTES.clear()
    return 0


_NOTES = []
_WIDTHS = (52, 16, 8, 13)
_HEADERS = ("model", "stored params", "fit s", "test accuracy")


def _print_row(row, first):
    if first:
        print("  ".join(h.ljust(w) for h, w in zip(_HEADERS, _WIDTHS, strict=True)))
        print("  ".join("-" * w for w in _WIDTHS), flush=True)
        return
    print(
        "  ".join(str(c).ljust(w) for c, w in zip(row, _WIDTHS, strict=True)),
        flush=True,
    )
