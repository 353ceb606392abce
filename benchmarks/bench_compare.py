"""Head-to-head: every way of cutting weights, same engine, same data (issue 14).

Part C (compare): test accuracy against stored parameters on Fashion-MNIST and
the Morse ``baseline`` variant, for one-hidden-layer networks ``n_in-H-n_out``
whose hidden junction is cut by each method at 3-5 budgets (the output junction
is dense everywhere):

- dense at several widths (``StructuredMLPClassifier(weights="dense")``);
- ``SparseMLPClassifier`` with random, structured and clash-free patterns;
- ``HMatrixMLPClassifier`` (HODLR) and global low rank ``W = U V`` at the
  H-matrix's budgets;
- Denil's fixed-dictionary low rank (SE atoms on the input grid), hashed
  (HashedNets), circulant by FFT, and magnitude-pruned networks
  (``SparseMLPClassifier(connectivity="pruned")``).

Each row is the mean over seeds of test accuracy, with stored parameters
(weights + biases), multiplications per sample (``sum(w.n_mults)``) and the
time per epoch (for pruned networks: the epochs after the last cut, i.e. the
pruned network's own cost).  The table marks the Pareto front (no other row
has as few parameters and a higher accuracy); with matplotlib installed the
figure goes to ``docs/compare_accuracy_params.png`` (``--quick``: to the
temporary directory, so that a smoke run leaves the docs alone).  The seeds' claims are
printed as holding or not, with the numbers.

Part P (``--prune-target``): 784-1024-1024-10 on Fashion-MNIST, the dense
parent against the network pruned to 10% (hidden junctions; output dense),
time per epoch of each in the same run and test accuracy.

    python benchmarks/bench_compare.py --quick          # < 2 min, 1 seed
    python benchmarks/bench_compare.py                   # 3 seeds, 4 budgets
    python benchmarks/bench_compare.py --seeds 3 --n-train 4000 --epochs 4 \
        --fractions 0.05,0.1,0.25                        # the reduced run, ~9 min
    python benchmarks/bench_compare.py --prune-target    # part P only
"""

import argparse
import os
import time
import warnings

import numpy as np
from _common import load_fashion_or_synthetic, machine, output_path, table

from sparsenn import (
    HMatrixMLPClassifier,
    SparseMLPClassifier,
    StructuredMLPClassifier,
)

FIGURE = "compare_accuracy_params.png"
#: Adam step of every network (the default 1e-3 is slow for the short runs).
LR = 3e-3
#: Cuts of the pruned networks; the epochs before them count in the budget.
PRUNE_STEPS = 2


# ------------------------------------------------------------------ data
def load_data(name, n_train, n_test):
    """Return ``(Xtr, ytr, Xte, yte, image_shape)`` as float32 in [0, 1]."""
    if name == "fashion":
        Xtr, ytr, Xte, yte, label = load_fashion_or_synthetic()
        shape = (28, 28) if label == "Fashion-MNIST" else None
    else:
        from sparsenn.datasets import load_morse

        Xtr, ytr = load_morse("baseline", subset="train", return_X_y=True)
        Xte, yte = load_morse("baseline", subset="test", return_X_y=True)
        shape = (Xtr.shape[1],)  # a 1-D frame along time
    rng = np.random.default_rng(0)
    tr = rng.permutation(len(Xtr))[:n_train]
    te = rng.permutation(len(Xte))[:n_test]
    f32 = np.float32
    return Xtr[tr].astype(f32), ytr[tr], Xte[te].astype(f32), yte[te], shape


# ---------------------------------------------------------------- models
def _train_params(epochs, seed):
    return dict(batch_size=256, max_iter=epochs, tol=0.0, learning_rate_init=LR,
                n_iter_no_change=10**6, random_state=seed)  # fmt: skip


def _divisor_near(n, target):
    divisors = [d for d in range(2, n + 1) if n % d == 0]
    return min(divisors, key=lambda d: abs(np.log(d / target)))


def _hmatrix_hidden_params(n_in, hidden, rank, leaf):
    from sparsenn.layers import HMatrixWeights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = HMatrixWeights(n_in, hidden, rank=rank, leaf_size=leaf, random_state=0)
    return w.n_params


def model_grid(n_in, hidden, fractions, image_shape, epochs, seed, pe):
    """``(method, label, estimator)`` for every method and budget."""
    p = _train_params(epochs, seed)
    full = n_in * hidden
    out = []
    for f in fractions:
        width = max(1, round(f * full / (n_in + 10)))
        out.append(("dense", f"width {width}", StructuredMLPClassifier((width,), **p)))
        for conn in ("random", "structured", "clash_free"):
            est = SparseMLPClassifier((hidden,), density=(f, 1.0), connectivity=conn,
                                      **p)  # fmt: skip
            out.append((f"sparse {conn}", f"density {f:g}", est))
        hashed = {"kind": "hashed", "compression": f}
        out.append(
            (
                "hashed",
                f"1/{1 / f:.3g}",
                StructuredMLPClassifier((hidden,), weights=hashed, **p),
            )
        )
        block = _divisor_near(np.gcd(n_in, hidden), 1 / f)
        circ = {"kind": "circulant", "block_size": int(block)}
        out.append(
            (
                "circulant FFT",
                f"block {block}",
                StructuredMLPClassifier((hidden,), weights=circ, **p),
            )
        )
        atoms = max(1, round(f * n_in))
        fd = {"kind": "fixed_dictionary", "n_atoms": atoms, "dictionary": "se",
              "length_scale": 2.0, "image_shape": image_shape}  # fmt: skip
        out.append(
            (
                "fixed dictionary",
                f"{atoms} SE atoms",
                StructuredMLPClassifier((hidden,), weights=fd, **p),
            )
        )
        # equal total epochs: PRUNE_STEPS * pe before the cuts, the rest after
        pruned = SparseMLPClassifier(
            (hidden,), density=(f, 1.0), connectivity="pruned",
            prune_steps=PRUNE_STEPS, prune_epochs=pe,
            **{**p, "max_iter": epochs - PRUNE_STEPS * pe},
        )  # fmt: skip
        out.append(("pruned", f"density {f:g}", pruned))
    out.append(("dense", f"width {hidden}", StructuredMLPClassifier((hidden,), **p)))
    leaf = 64 if n_in >= 256 else 16
    for rank in (2, 4, 8)[: max(2, len(fractions))]:
        budget = _hmatrix_hidden_params(n_in, hidden, rank, leaf)
        out.append(
            (
                "H-matrix",
                f"rank {rank}, leaf {leaf}",
                HMatrixMLPClassifier((hidden,), rank=rank, leaf_size=leaf, **p),
            )
        )
        r_lr = max(1, round(budget / (n_in + hidden)))
        lowrank = {"kind": "lowrank", "rank": r_lr}
        out.append(
            (
                "global low rank",
                f"rank {r_lr}",
                StructuredMLPClassifier((hidden,), weights=lowrank, **p),
            )
        )
    return out


def _seconds_per_epoch(model):
    history = getattr(model, "history_", None) or []
    return float(np.mean([h["seconds"] for h in history])) if history else np.nan


def run_one(est, data):
    Xtr, ytr, Xte, yte = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(Xtr, ytr)
    return dict(
        acc=float(est.score(Xte, yte)),
        params=int(est.n_params_),
        mults=int(sum(w.n_mults for w in est.weights_)),
        epoch=_seconds_per_epoch(est),
    )


def compare(dataset, args):
    # Morse has 64 classes and 64 inputs: 3x the rows at a fraction of the cost
    n_train = args.n_train * (3 if dataset == "morse" else 1)
    Xtr, ytr, Xte, yte, shape = load_data(dataset, n_train, args.n_test)
    n_in = Xtr.shape[1]
    results = {}
    for seed in range(args.seeds):
        grid = model_grid(n_in, args.hidden, args.fractions, shape, args.epochs,
                          seed, args.prune_epochs)  # fmt: skip
        for method, label, est in grid:
            r = run_one(est, (Xtr, ytr, Xte, yte))
            results.setdefault((method, label), []).append(r)
    rows = _aggregate(results)
    return rows, (Xtr.shape, Xte.shape)


def _aggregate(results):
    rows = []
    for (method, label), runs in results.items():
        acc = np.array([r["acc"] for r in runs])
        rows.append(dict(
            method=method, label=label, acc=acc.mean(), std=acc.std(),
            params=int(np.mean([r["params"] for r in runs])),
            mults=int(np.mean([r["mults"] for r in runs])),
            epoch=float(np.mean([r["epoch"] for r in runs])),
        ))  # fmt: skip
    _mark_pareto(rows)
    return sorted(rows, key=lambda r: (r["params"], r["method"]))


def _mark_pareto(rows):
    for r in rows:
        r["pareto"] = not any(
            o["params"] <= r["params"] and o["acc"] > r["acc"] for o in rows
        )


def print_table(dataset, rows, shapes, args):
    print(
        f"\n### {dataset}: {shapes[0][0]} train, {shapes[1][0]} "
        f"test, hidden {args.hidden}, {args.epochs} epochs, {args.seeds} seed(s)\n"
    )
    body = [
        [r["method"], r["label"], f"{r['params']:,}", f"{r['mults']:,}",
         f"{100 * r['acc']:.2f} ± {100 * r['std']:.2f}", f"{r['epoch']:.3f}",
         "**yes**" if r["pareto"] else ""]
        for r in rows
    ]  # fmt: skip
    headers = ["method", "setting", "stored params", "mults/sample",
               "test acc %", "s/epoch", "Pareto"]  # fmt: skip
    print(table(body, headers), flush=True)


# ---------------------------------------------------------------- claims
def _find(rows, method, label):
    return next((r for r in rows if r["method"] == method and r["label"] == label),
                None)  # fmt: skip


def claims(dataset, rows, args):
    print(f"\n#### claims on {dataset}\n")
    dense = _find(rows, "dense", f"width {args.hidden}")
    if 0.1 in args.fractions:
        for conn in ("random", "structured", "clash_free"):
            s = _find(rows, f"sparse {conn}", "density 0.1")
            drop = 100 * (dense["acc"] - s["acc"])
            verdict = "holds" if drop <= 1.0 else "does not hold"
            print(f"- seed 002, no significant drop at 10% ({conn}): dense "
                  f"{100 * dense['acc']:.2f}%, 10% {100 * s['acc']:.2f}% "
                  f"(drop {drop:+.2f} points; 'significant' = more than 1 point): "
                  f"{verdict}.")  # fmt: skip
    for f in args.fractions:
        ref = _find(rows, "sparse structured", f"density {f:g}")
        h = _find(rows, "hashed", f"1/{1 / f:.3g}")
        p = _find(rows, "pruned", f"density {f:g}")
        print(f"- budget {f:g}: structured sparse {100 * ref['acc']:.2f}% "
              f"({ref['params']:,} params), hashed {100 * h['acc']:.2f}% "
              f"({h['params']:,}), pruned {100 * p['acc']:.2f}% "
              f"({p['params']:,}): hashed {_vs(h, ref)}, pruned {_vs(p, ref)} "
              "pre-defined sparsity.")  # fmt: skip
    hm = [r for r in rows if r["method"] == "H-matrix"]
    lr = [r for r in rows if r["method"] == "global low rank"]
    for h, lo in zip(hm, sorted(lr, key=lambda r: r["params"]), strict=False):
        verdict = "holds" if h["acc"] > lo["acc"] else "does not hold"
        print(
            f"- seed 000, H-matrix beats equal-budget low rank: H-matrix "
            f"{h['label']} {100 * h['acc']:.2f}% ({h['params']:,}) vs low rank "
            f"{lo['label']} {100 * lo['acc']:.2f}% ({lo['params']:,}): {verdict}."
        )


def _vs(a, b):
    d = 100 * (a["acc"] - b["acc"])
    return f"{'above' if d > 0 else 'below'} ({d:+.2f} points)"


# ---------------------------------------------------------------- figure
def figure(all_rows, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("# matplotlib not installed: no figure")
        return
    fig, axes = plt.subplots(1, len(all_rows), figsize=(6.5 * len(all_rows), 4.8))
    axes = np.atleast_1d(axes)
    for ax, (dataset, rows) in zip(axes, all_rows.items(), strict=True):
        methods = sorted({r["method"] for r in rows})
        for m in methods:
            pts = sorted((r["params"], r["acc"]) for r in rows if r["method"] == m)
            x, y = zip(*pts, strict=True)
            ax.plot(x, np.array(y) * 100, "o-", ms=4, lw=1, label=m)
        front = sorted((r["params"], r["acc"]) for r in rows if r["pareto"])
        x, y = zip(*front, strict=True)
        ax.step(x, np.array(y) * 100, "k--", where="post", lw=1.2)
        ax.plot(x, np.array(y) * 100, "ks", mfc="none", ms=9, label="Pareto front")
        ax.set_xscale("log")
        ax.set_xlabel("stored parameters")
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(dataset)
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"\n# figure written to {os.path.normpath(path)}")


# ------------------------------------------------------------ prune target
def prune_target(args):
    """Part P: the pruned 784-1024-1024-10 net against its dense parent."""
    Xtr, ytr, Xte, yte, _ = load_data("fashion", args.n_train, args.n_test)
    hidden = (1024, 1024)
    p = _train_params(args.epochs, 0)
    # the parent trains as many epochs as the pruned net does in all
    total = PRUNE_STEPS * args.prune_epochs + args.epochs
    dense = StructuredMLPClassifier(hidden, **{**p, "max_iter": total})
    pruned = SparseMLPClassifier(
        hidden, connectivity="pruned", density=(0.1, 0.1, 1.0),
        prune_steps=2, prune_epochs=args.prune_epochs, **p,
    )  # fmt: skip
    rd, rp = run_one(dense, (Xtr, ytr, Xte, yte)), run_one(pruned, (Xtr, ytr, Xte, yte))
    ratio = rd["epoch"] / rp["epoch"]
    rows = [
        ["dense parent", f"{rd['params']:,}", f"{100 * rd['acc']:.2f}",
         f"{rd['epoch']:.2f}", "1.00", str(total)],
        ["pruned to 10% (hidden)", f"{rp['params']:,}", f"{100 * rp['acc']:.2f}",
         f"{rp['epoch']:.2f}", f"{ratio:.2f}",
         f"{PRUNE_STEPS * args.prune_epochs} + {args.epochs}"],
    ]  # fmt: skip
    print(f"\n### Part P: 784-1024-1024-10 on Fashion-MNIST, {len(Xtr)} train, "
          f"{len(Xte)} test\n")  # fmt: skip
    print(table(rows, ["network", "stored params", "test acc %", "s/epoch",
                       "speed-up", "epochs"]))  # fmt: skip
    gap = 100 * (rd["acc"] - rp["acc"])
    print(
        f"\n- 3x faster per epoch: {ratio:.2f}x -> "
        f"{'holds' if ratio >= 3 else 'does not hold'}"
    )
    print(
        f"- at most 0.5 points below the dense parent: {gap:+.2f} points below -> "
        f"{'holds' if gap <= 0.5 else 'does not hold'}"
    )
    print(f"- pruning history: {pruned.pruning_history_}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 seed, small data")
    ap.add_argument("--prune-target", action="store_true", help="part P only")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--n-train", type=int, default=None)
    ap.add_argument("--n-test", type=int, default=None)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--datasets", default="fashion,morse")
    ap.add_argument("--no-figure", action="store_true")
    ap.add_argument(
        "--figure",
        default=None,
        help="figure path (default: docs/compare_accuracy_params.png; with --quick "
        "a file in the temporary directory, so a smoke run never replaces the docs')",
    )
    ap.add_argument("--prune-epochs", type=int, default=None)
    ap.add_argument("--fractions", default=None, help="e.g. 0.05,0.1,0.25")
    args = ap.parse_args()
    quick = args.quick
    args.seeds = args.seeds or (1 if quick else 3)
    if args.prune_target:
        args.epochs = args.epochs or 6
        args.n_train = args.n_train or 20000
    args.epochs = args.epochs or (3 if quick else 8)
    args.n_train = args.n_train or (3000 if quick else 12000)
    args.n_test = args.n_test or (5000 if quick else 10000)
    default = [0.05, 0.1, 0.25] if quick else [0.02, 0.05, 0.1, 0.25]
    given = args.fractions
    args.fractions = [float(f) for f in given.split(",")] if given else default
    args.prune_epochs = args.prune_epochs or max(1, args.epochs // (2 * PRUNE_STEPS))
    print(f"# {machine()}; load average {os.getloadavg()[0]:.2f} at start")
    start = time.perf_counter()
    if args.prune_target:
        prune_target(args)
    else:
        all_rows = {}
        for dataset in args.datasets.split(","):
            rows, shapes = compare(dataset, args)
            print_table(dataset, rows, shapes, args)
            claims(dataset, rows, args)
            all_rows[dataset] = rows
        if not args.no_figure:
            figure(all_rows, args.figure or output_path(FIGURE, quick))
    print(f"\n# {time.perf_counter() - start:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f} at end")  # fmt: skip


if __name__ == "__main__":
    main()
