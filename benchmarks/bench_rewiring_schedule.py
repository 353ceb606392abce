"""Choose the rewiring schedule on a validation split (never the test images).

Every net of ``bench_rewiring.py`` (784-300-100-10, the same recipe: Adam 1e-3,
``learning_rate_scaling="fan_in"``, minibatches of 200, a fixed number of epochs)
is trained on the first 50 000 Fashion-MNIST training images and scored on the
last 10 000; the test images are not read. For each schedule
``rewire_fraction,rewire_every,rewire_until`` it prints the mean gain of SET and
RigL over the static net of the same connectivity, density and seed (points),
and the median rewiring extra (the rewiring steps' wall time over the rest of
the fit's epochs).

Usage::

    python benchmarks/bench_rewiring_schedule.py \\
        --schedules 0.3,100,0.75 0.5,100,0.75 --seeds 5 --jsonl runs.jsonl
        # appends every fit to runs.jsonl
    python benchmarks/bench_rewiring_schedule.py --from-jsonl runs.jsonl  # re-print

The run of record is ``benchmarks/results/rewiring_schedule_sweep.jsonl``
(``docs/rewiring.md``, "Choosing the default schedule").
"""

import argparse
import collections
import itertools
import json
import time
import warnings

import numpy as np
from bench_rewiring import _load as _load_fashion
from bench_rewiring import _make

N_FIT = 50000


def _load():
    """The first 50 000 training images to fit, the last 10 000 to score."""
    X, y = _load_fashion(60000)[:2]
    return X[:N_FIT], y[:N_FIT], X[N_FIT:], y[N_FIT:]


def _fit(data, density, conn, method, seed, epochs, schedule):
    Xfit, yfit, Xval, yval = data
    clf = _make((300, 100), density, conn, method, seed, epochs)
    frac, every, until = schedule if method else (None, None, None)
    if method is not None:
        clf.set_params(rewire_fraction=frac, rewire_every=every, rewire_until=until)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(Xfit, yfit)
    return {
        "frac": frac, "every": every, "until": until, "epochs": epochs,
        "seed": seed, "density": density, "conn": conn, "method": method or "static",
        "acc": float(clf.score(Xval, yval)),
        "rewire_s": float(sum(h["seconds"] for h in clf.rewiring_history_)),
        "epoch_s": float(sum(r["seconds"] for r in clf.history_)),
    }  # fmt: skip


def _gains(records):
    """(schedule, density, connectivity, method) -> (mean gain in points, extra, n)."""
    static = {
        (r["epochs"], r["seed"], r["density"], r["conn"]): r["acc"]
        for r in records
        if r["method"] == "static"
    }
    gains, extras = collections.defaultdict(list), collections.defaultdict(list)
    for r in records:
        base = static.get((r["epochs"], r["seed"], r["density"], r["conn"]))
        if r["method"] == "static" or base is None:
            continue
        key = (
            (r["frac"], r["every"], r["until"]),
            r["density"],
            r["conn"],
            r["method"],
        )
        gains[key].append(100 * (r["acc"] - base))
        extras[key].append(r["rewire_s"] / (r["epoch_s"] - r["rewire_s"]))
    return {
        k: (float(np.mean(v)), float(np.median(extras[k])), len(v))
        for k, v in gains.items()
    }


def _table(records):
    gains = _gains(records)
    print("| schedule | density | connectivity | SET gain | RigL gain "
          "| extra SET / RigL | seeds |\n|---|---|---|---|---|---|---|")  # fmt: skip
    cells = sorted({k[:3] for k in gains})
    for schedule, density, conn in cells:
        s, r = (
            gains.get((schedule, density, conn, "set")),
            gains.get((schedule, density, conn, "rigl")),
        )
        if s is None or r is None:
            continue
        name = ",".join(f"{v:g}" for v in schedule)
        print(f"| {name} | {density:g} | {conn} | {s[0]:+.2f} | {r[0]:+.2f} | "
              f"{s[1]:+.1%} / {r[1]:+.1%} | {min(s[2], r[2])} |")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", nargs="*", default=["0.5,100,0.75"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--densities", default="0.05,0.1")
    parser.add_argument("--connectivities", default="structured,clash_free")
    parser.add_argument("--no-static", action="store_true", help="static nets saved")
    parser.add_argument("--jsonl", default=None, help="append every fit to this file")
    parser.add_argument("--from-jsonl", default=None, help="re-print saved fits")
    args = parser.parse_args()
    if args.from_jsonl:
        with open(args.from_jsonl) as fh:
            _table([json.loads(line) for line in fh])
        return
    data = _load()
    schedules = [tuple(float(v) for v in s.split(",")) for s in args.schedules]
    schedules = [(f, int(e), u) for f, e, u in schedules]
    densities = [float(d) for d in args.densities.split(",")]
    conns = args.connectivities.split(",")
    jobs = [] if args.no_static else [(None, None)]
    jobs += [(m, s) for s in schedules for m in ("set", "rigl")]
    records, start = [], time.perf_counter()
    for (method, schedule), seed, density, conn in itertools.product(
        jobs, range(args.seeds), densities, conns
    ):
        record = _fit(data, density, conn, method, seed, args.epochs, schedule)
        records.append(record)
        if args.jsonl:
            with open(args.jsonl, "a") as fh:
                fh.write(json.dumps(record) + "\n")
    print(f"# {len(records)} fits in {time.perf_counter() - start:.0f} s")
    _table(records)


if __name__ == "__main__":
    main()
