"""Dynamic sparse training on Fashion-MNIST: static vs SET vs RigL, per connectivity.

Every network is trained with the same recipe (Adam, learning rate 1e-3, minibatches of
200, alpha 1e-4, the per-junction learning rate ``learning_rate_scaling="fan_in"`` of
``docs/sparse_mlp.md`` (``--plain-rate``: without it), a fixed number of epochs:
``tol=0`` and ``n_iter_no_change=inf``), on the 60 000 training images (float32 in [0,
1]), and scored on the 10 000 test images. The density applies to the hidden junctions;
the output junction (``n_hidden_last x 10``) is dense, as under ``density="auto"``.
Rewiring uses the estimator defaults (``rewire_fraction=0.5``, ``rewire_every=100``
steps, ``rewire_until=0.75``). The dense reference is
``SparseMLPClassifier(density=1.0)`` (same engine).

Usage::

    python benchmarks/bench_rewiring.py --quick   # 784-300-100-10, 0.05 / 0.1, 1 seed
    python benchmarks/bench_rewiring.py           # + 784-1024-1024-10, 0.02, 3 seeds
    python benchmarks/bench_rewiring.py --nets 300,100 --epochs 4 --pattern-speed 16
        # A/B epoch time of the final rewired patterns against the static ones
    python benchmarks/bench_rewiring.py --nets 300,100 --move-cost 7
        # ms of one rewire_edges call per connectivity, SET and RigL
    python benchmarks/bench_rewiring.py --from-json a.json,b.json --figure f.png
        # one table (and figure) from runs saved with --json by several processes

Prints test accuracy (mean and spread max - min over seeds), seconds per epoch
(median over the runs of each run's mean epoch wall time), the time ratio to the
static net of the same connectivity and density measured in the same run, the
rewiring extra (the wall time of the rewiring steps, ``rewiring_history_``'s
``seconds``, over the rest of the same fit's epoch time: a same-run figure,
immune to the machine's speed changing between runs; median over runs), and the
gap to dense. ``--repeats R`` runs every configuration R times, interleaved (all
configurations once, then again), so that a change of machine load falls on all of
them alike: epochs of 0.3-0.5 s vary by 10-15% between two runs, so a timing of
record uses it. ``--json PATH`` also writes every run.
"""

import argparse
import itertools
import json
import os
import time
import warnings

import numpy as np

from sparsenn import SparseMLPClassifier

CONNECTIVITIES = ("structured", "clash_free", "random")
METHODS = (None, "set", "rigl")


def _load(n_train):
    from sparsenn.datasets import load_fashion_mnist

    tr, te = load_fashion_mnist(subset="train"), load_fashion_mnist(subset="test")
    # the loader returns float32 in [0, 1] already
    Xtr = np.asarray(tr.data[:n_train], dtype=np.float32)
    Xte = np.asarray(te.data, dtype=np.float32)
    return Xtr, tr.target[:n_train], Xte, te.target


SCALING = "fan_in"  # learning_rate_scaling of every net (1 for the dense one)
PARALLELISM = None  # ``parallelism`` of the clash-free nets (None: the default)


def _make(hidden, density, connectivity, method, seed, epochs):
    densities = (density,) * len(hidden) + (1.0,)
    return SparseMLPClassifier(
        hidden, density=densities, connectivity=connectivity, rewiring=method,
        max_iter=epochs, tol=0.0, n_iter_no_change=np.inf, random_state=seed,
        learning_rate_scaling=SCALING,
        parallelism=PARALLELISM if connectivity == "clash_free" else None,
    )  # fmt: skip


def _run(data, hidden, density, connectivity, method, seed, epochs):
    Xtr, ytr, Xte, yte = data
    clf = _make(hidden, density, connectivity, method, seed, epochs)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(Xtr, ytr)
    wall = time.perf_counter() - start
    moved = sum(sum(h["moved"]) for h in clf.rewiring_history_)
    return {
        "hidden": list(hidden), "density": density, "connectivity": connectivity,
        "method": method or "static", "seed": seed, "epochs": epochs,
        "accuracy": float(clf.score(Xte, yte)),
        "epoch_seconds": float(np.mean([r["seconds"] for r in clf.history_])),
        "fit_seconds": wall,
        "rewire_seconds": float(sum(h["seconds"] for h in clf.rewiring_history_)),
        "weights": int(sum(c.nnz for c in clf.coefs_)),
        "moved": int(moved), "rewirings": len(clf.rewiring_history_),
        "clash_free": all(o.is_clash_free() for o in clf.connection_orders_ if o),
    }  # fmt: skip


def _pattern_speed(data, hidden, densities, connectivities, methods, epochs, rounds):
    """Epoch time on the final rewired pattern against the static one, A/B.

    Both nets are fitted (``epochs``, seed 0; the rewiring schedule ends inside the
    fit), then trained ``rounds`` more epochs each with ``partial_fit``, the two
    alternating, so a drift of the machine's speed falls on both alike; the
    ratio of the medians is what the moved pattern costs the kernels.
    """
    Xtr, ytr = data[0], data[1]
    print("| net | density | connectivity | method | static s/epoch | rewired s/epoch |"
          " ratio |\n|---|---|---|---|---|---|---|")  # fmt: skip
    for density, conn in itertools.product(densities, connectivities):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nets = {m: _make(hidden, density, conn, m, 0, epochs).fit(Xtr, ytr)
                    for m in (None, *methods)}  # fmt: skip
            times = {m: [] for m in nets}
            for _ in range(rounds):
                for m, clf in nets.items():
                    start = time.perf_counter()
                    clf.partial_fit(Xtr, ytr)
                    times[m].append(time.perf_counter() - start)
        static = float(np.median(times[None]))
        net = _net_name(hidden)
        for m in methods:
            t = float(np.median(times[m]))
            print(f"| {net} | {density:g} | {conn} | {m} | {static:.3f} | {t:.3f} | "
                  f"{t / static:.2f} |", flush=True)  # fmt: skip


def _move_cost(shapes, densities, rounds):
    """Milliseconds of one ``rewire_edges`` call, best of ``rounds``.

    Junctions as the estimator builds them (seed 0), random weights, RigL scores
    the magnitudes of a float32 Gaussian with a fifth of them zero (dead units
    give zero gradients); ``k`` = 30% (the first rewiring step), 10% and 1% of
    the edges.
    """
    from sparsenn.connectivity import rewire_edges
    from sparsenn.connectivity._estimator import junction_pattern

    rng = np.random.default_rng(0)
    print("| junction | density | connectivity | k | SET ms | RigL ms |")
    print("|---|---|---|---|---|---|")
    for shape, density, conn in itertools.product(shapes, densities, CONNECTIVITIES):
        pattern, order = junction_pattern(
            conn, 0, shape, density, None, np.random.RandomState(0)
        )
        pattern = pattern.tocsr()
        pattern.sort_indices()
        rows = np.repeat(np.arange(shape[0]), np.diff(pattern.indptr))
        cols = pattern.indices.astype(np.int64)
        values = rng.standard_normal(rows.size)
        scores = np.abs(rng.standard_normal(shape).astype(np.float32))
        scores[rng.random(shape) < 0.2] = 0.0
        for share in (0.3, 0.1, 0.01):
            k = int(share * rows.size)
            ms = []
            for grow in (None, scores):
                best = np.inf
                for _ in range(rounds):
                    start = time.perf_counter()
                    rewire_edges(conn, rows, cols, values, shape, k, scores=grow,
                                 order=order, random_state=1)  # fmt: skip
                    best = min(best, time.perf_counter() - start)
                ms.append(1e3 * best)
            name = f"{shape[0]} x {shape[1]} | {density:g} | {conn} | {k}"
            print(f"| {name} | {ms[0]:.2f} | {ms[1]:.2f} |", flush=True)


def _net_name(hidden):
    return "-".join(map(str, (784, *hidden, 10)))


def _configs(hidden, densities, connectivities, methods, dense=True):
    if dense:
        yield hidden, 1.0, "structured", None  # dense reference
    for density, conn, method in itertools.product(densities, connectivities, methods):
        yield hidden, density, conn, method


def _mean(runs, key):
    values = [r[key] for r in runs]
    return float(np.mean(values)), float(np.max(values) - np.min(values))


def _rewiring_extra(run):
    """Time of the rewiring steps over the rest of the same fit's epochs."""
    rewiring = run.get("rewire_seconds", 0.0) / run["epochs"]
    return rewiring / (run["epoch_seconds"] - rewiring)


def _median(runs, key):
    return float(np.median([r[key] for r in runs]))


def _table(results):
    groups = {}
    for r in results:
        key = (tuple(r["hidden"]), r["density"], r["connectivity"], r["method"])
        groups.setdefault(key, []).append(r)
    print(
        "| net | density | connectivity | method | weights | test acc | spread | "
        "s/epoch | time vs static | rewiring extra | gap to dense | edges moved |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key, runs in groups.items():
        hidden, density, conn, method = key
        net = _net_name(hidden)
        acc, spread = _mean(runs, "accuracy")
        sec = _median(runs, "epoch_seconds")
        static = groups.get((hidden, density, conn, "static"), runs)
        dense = groups.get((hidden, 1.0, "structured", "static"), runs)
        ratio = sec / _median(static, "epoch_seconds")
        gap = acc - _mean(dense, "accuracy")[0]
        extra = float(np.median([_rewiring_extra(r) for r in runs]))
        label = "dense" if density == 1.0 else conn
        print(
            f"| {net} | {density:g} | {label} | {method} | {runs[0]['weights']} | "
            f"{acc:.4f} | {spread:.4f} | {sec:.2f} | {ratio:.2f} | {extra:+.1%} | "
            f"{gap:+.4f} | "
            f"{int(np.mean([r['moved'] for r in runs]))} |"
        )


def _figure(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nets = sorted({tuple(r["hidden"]) for r in results})
    fig, axes = plt.subplots(1, len(nets), figsize=(6 * len(nets), 4), squeeze=False)
    for ax, hidden in zip(axes[0], nets, strict=True):
        runs = [r for r in results if tuple(r["hidden"]) == hidden]
        dense = [r["accuracy"] for r in runs if r["density"] == 1.0]
        densities = sorted({r["density"] for r in runs if r["density"] < 1.0})
        present = {r["connectivity"] for r in runs if r["density"] < 1.0}
        conns = [c for c in CONNECTIVITIES if c in present]
        width = 0.8 / (len(conns) * len(METHODS))
        for j, (conn, method) in enumerate(itertools.product(conns, METHODS)):
            name = method or "static"
            acc = [
                np.mean([r["accuracy"] for r in runs if r["density"] == d
                         and r["connectivity"] == conn and r["method"] == name])
                for d in densities
            ]  # fmt: skip
            x = np.arange(len(densities)) + (j - 4) * width
            ax.bar(x, acc, width, label=f"{conn} {name}", color=f"C{j // 3}",
                   alpha=(0.45, 0.7, 1.0)[j % 3])  # fmt: skip
        if dense:
            ax.axhline(np.mean(dense), color="k", ls="--", label="dense")
        ax.set_xticks(np.arange(len(densities)), [f"density {d:g}" for d in densities])
        lo = min(r["accuracy"] for r in runs) - 0.01
        ax.set_ylim(lo, max(r["accuracy"] for r in runs) + 0.005)
        ax.set_title(f"{_net_name(hidden)}, test accuracy")
    axes[0][-1].legend(fontsize=7, ncol=3, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--nets", default=None, help="e.g. 300,100;1024,1024")
    parser.add_argument("--densities", default=None, help="e.g. 0.05,0.1")
    parser.add_argument("--connectivities", default=",".join(CONNECTIVITIES))
    parser.add_argument("--methods", default="static,set,rigl")
    parser.add_argument(
        "--repeats", type=int, default=1, help="interleaved runs of every config"
    )
    parser.add_argument(
        "--pattern-speed",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="only the A/B epoch time of the final rewired patterns against static",
    )
    parser.add_argument(
        "--move-cost",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="only the time of one rewire_edges call on the nets' first junction",
    )
    parser.add_argument("--no-dense", action="store_true", help="skip the dense net")
    parser.add_argument(
        "--plain-rate", action="store_true", help="learning_rate_scaling=None"
    )
    parser.add_argument(
        "--parallelism", default=None, help="clash-free z per junction, e.g. 16,10,10"
    )
    parser.add_argument("--json", default=None, help="write every run to this file")
    parser.add_argument(
        "--from-json", default=None, help="re-print saved runs: PATH[,PATH...] merged"
    )
    parser.add_argument("--figure", default=None, help="bar chart (matplotlib)")
    return parser


def _report(results, json_path=None, figure=None):
    _table(results)
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(results, fh, indent=1)
    if figure:
        _figure(results, figure)


def _runs(data, nets, densities, seeds, epochs, args):
    conns = args.connectivities.split(",")
    methods = [None if m == "static" else m for m in args.methods.split(",")]
    results = []
    for hidden in nets:
        configs = list(_configs(hidden, densities, conns, methods, not args.no_dense))
        for _ in range(args.repeats):
            for config in configs:
                for seed in range(args.first_seed, args.first_seed + seeds):
                    r = _run(data, *config, seed, epochs)
                    results.append(r)
                    print(f"# {r}", flush=True)
    return results


def main():
    args = _parser().parse_args()
    if args.from_json:
        results = []
        for path in args.from_json.split(","):
            with open(path) as fh:
                results += json.load(fh)
        _report(results, args.json, args.figure)
        return
    global SCALING, PARALLELISM
    SCALING = None if args.plain_rate else "fan_in"
    if args.parallelism:
        PARALLELISM = tuple(int(z) for z in args.parallelism.split(","))
    seeds = args.seeds or (1 if args.quick else 3)
    epochs = args.epochs or (15 if args.quick else 30)
    nets = args.nets or ("300,100" if args.quick else "300,100;1024,1024")
    nets = [tuple(int(n) for n in net.split(",")) for net in nets.split(";")]
    densities = args.densities or ("0.05,0.1" if args.quick else "0.02,0.05,0.1")
    densities = [float(d) for d in densities.split(",")]
    if args.move_cost:
        shapes = [(784, net[0]) for net in nets]
        _move_cost(shapes, densities, args.move_cost)
        return
    data = _load(args.n_train)
    print(f"# load average at start: {os.getloadavg()}")
    first, last = args.first_seed, args.first_seed + seeds - 1
    print(f"# {len(data[0])} training images, {epochs} epochs, seeds {first}..{last}")
    if args.pattern_speed:
        methods = [m for m in args.methods.split(",") if m != "static"]
        for hidden in nets:
            _pattern_speed(data, hidden, densities, args.connectivities.split(","),
                           methods, epochs, args.pattern_speed)  # fmt: skip
        return
    results = _runs(data, nets, densities, seeds, epochs, args)
    print(f"# load average at end: {os.getloadavg()}")
    _report(results, args.json, args.figure)


if __name__ == "__main__":
    main()
