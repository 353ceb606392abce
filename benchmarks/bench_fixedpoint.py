"""Float vs fixed-point (1, 3, 8) accuracy, and integer-simulator throughput.

Accuracy: ``SparseMLPClassifier(activation="logistic")`` trained in float, then
``to_fixed_point`` (12-bit ``ap_fixed<12,4>`` datapath, sigmoid outputs, argmax),
on Morse ``baseline`` (64-1024-64, clash-free) and Fashion-MNIST (784-256-10,
random pattern) at several densities. Throughput: the 64,000-sample Morse test set
through 64-1024-64 networks, integer simulator vs the float ``predict`` of the
same model in the same run.

Usage::

    python benchmarks/bench_fixedpoint.py [--quick] [--cache DIR]
"""

import argparse
import pathlib
import pickle
import time
import warnings

import numpy as np

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import load_fashion_mnist, load_morse
from sparsenn.fixedpoint import to_fixed_point

FULL = {
    "morse": dict(name="baseline", hidden=(1024,), densities=(1.0, 0.25, 0.0625),
                  epochs=4, connectivity="clash_free"),
    "fmnist": dict(hidden=(256,), densities=(0.2, 0.1, 0.05), epochs=8,
                   connectivity="random"),
    "throughput": dict(densities=(1.0, 0.25, 0.125, 0.0625), repeats=3),
}
QUICK = {
    "morse": dict(name="baseline-small", hidden=(128,), densities=(0.25,), epochs=3,
                  connectivity="clash_free"),
    "fmnist": dict(hidden=(64,), densities=(0.2,), epochs=2, connectivity="random",
                   n_train=6000),
    "throughput": dict(densities=(0.25,), repeats=1, n_samples=6400),
}


def _fit(X, y, hidden, density, epochs, connectivity, cache, key):
    path = cache / f"{key}.pkl" if cache else None
    if path is not None and path.exists():
        return pickle.loads(path.read_bytes()), 0.0
    clf = SparseMLPClassifier(
        hidden_layer_sizes=hidden, activation="logistic", density=density,
        connectivity=connectivity, max_iter=epochs, learning_rate_init=0.003,
        batch_size=256, random_state=0,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence, density-adjusted warnings
        clf.fit(X, y)
    seconds = time.perf_counter() - start
    if path is not None:
        path.write_bytes(pickle.dumps(clf))
    return clf, seconds


def _accuracy_row(label, clf, X_test, y_test, fit_seconds):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = to_fixed_point(clf)
    float_acc = clf.score(X_test, y_test)
    fixed_acc = net.score(X_test, y_test)
    agree = np.mean(net.predict(X_test) == clf.predict(X_test))
    sat = net.saturation_
    return {
        "model": label,
        "density": "/".join(f"{d:.3g}" for d in clf.densities_),
        "float": 100 * float_acc,
        "fixed": 100 * fixed_acc,
        "delta": 100 * (fixed_acc - float_acc),
        "agree": 100 * agree,
        "sat_w": sum(net.conversion_saturation_["weights"]),
        "sat_sum": "/".join(str(s) for s in sat["sums"]),
        "warn": len(caught),
        "fit_s": fit_seconds,
    }


def accuracy(cfg_m, cfg_f, cache):
    rows = []
    X, y = load_morse(cfg_m["name"], subset="train", return_X_y=True)
    Xt, yt = load_morse(cfg_m["name"], subset="test", return_X_y=True)
    for rho in cfg_m["densities"]:
        key = f"morse-{cfg_m['name']}-{cfg_m['hidden'][0]}-{rho}-{cfg_m['epochs']}"
        clf, sec = _fit(X, y, cfg_m["hidden"], rho, cfg_m["epochs"],
                        cfg_m["connectivity"], cache, key)
        label = f"Morse {cfg_m['name']} 64-{cfg_m['hidden'][0]}-64"
        rows.append(_accuracy_row(label, clf, Xt, yt, sec))
        _print_rows(rows[-1:], header=len(rows) == 1)
    try:
        X, y = load_fashion_mnist(subset="train", return_X_y=True)
        Xt, yt = load_fashion_mnist(subset="test", return_X_y=True)
    except FileNotFoundError as exc:
        print(f"Fashion-MNIST skipped: {exc}")
        return rows
    n = cfg_f.get("n_train", len(X))
    for rho in cfg_f["densities"]:
        key = f"fmnist-{cfg_f['hidden'][0]}-{rho}-{cfg_f['epochs']}-{n}"
        clf, sec = _fit(X[:n], y[:n], cfg_f["hidden"], rho, cfg_f["epochs"],
                        cfg_f["connectivity"], cache, key)
        rows.append(_accuracy_row(f"Fashion-MNIST 784-{cfg_f['hidden'][0]}-10",
                                  clf, Xt, yt, sec))
        _print_rows(rows[-1:], header=False)
    return rows


def _print_rows(rows, header):
    cols = ["model", "density", "float", "fixed", "delta", "agree", "sat_w",
            "sat_sum", "warn", "fit_s"]
    if header:
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
    for r in rows:
        cells = [f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]) for c in cols]
        print("| " + " | ".join(cells) + " |", flush=True)


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def throughput(cfg, cache):
    Xt, yt = load_morse("baseline", subset="test", return_X_y=True)
    Xt = Xt[: cfg.get("n_samples", len(Xt))]
    X, y = load_morse("baseline", subset="val", return_X_y=True)
    print(f"\nThroughput: {len(Xt)} Morse test samples, 64-1024-64, clash-free, "
          f"median of {cfg['repeats']}")
    print("| density | edges | fixed s | float s | fixed/float | Msamples/s | "
          "edge-samples/ns |")
    print("|---|---|---|---|---|---|---|")
    for rho in cfg["densities"]:
        clf, _ = _fit(X[:6400], y[:6400], (1024,), rho, 1, "clash_free", cache,
                      f"throughput-{rho}")
        net = to_fixed_point(clf)
        edges = sum(lay.n_edges for lay in net.layouts)
        net.predict(Xt[:100])  # builds the kernels
        t_fixed = _median_time(lambda: net.predict(Xt), cfg["repeats"])
        t_float = _median_time(lambda: clf.predict(Xt), cfg["repeats"])
        print(f"| {rho:g} | {edges} | {t_fixed:.2f} | {t_float:.2f} | "
              f"{t_fixed / t_float:.1f} | {len(Xt) / t_fixed / 1e6:.3f} | "
              f"{edges * len(Xt) / t_fixed / 1e9:.2f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--cache", type=pathlib.Path, default=None,
                        help="folder for trained float models (reused if present)")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["accuracy", "throughput"])
    args = parser.parse_args()
    cfg = QUICK if args.quick else FULL
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    print("Machine: 2 cores, shared with other jobs (timings are noisy).\n")
    if "accuracy" not in args.skip:
        accuracy(cfg["morse"], cfg["fmnist"], args.cache)
    if "throughput" not in args.skip:
        throughput(cfg["throughput"], args.cache)


if __name__ == "__main__":
    main()
