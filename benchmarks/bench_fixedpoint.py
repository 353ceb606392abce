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
from _common import median_time

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import load_fashion_mnist, load_morse
from sparsenn.fixedpoint import to_fixed_point, train_on_device

FULL = {
    "morse": dict(
        name="baseline",
        hidden=(1024,),
        densities=(0.25, 0.125, 0.0625),
        epochs=5,
        connectivity="clash_free",
        n_train=96000,
        lr=0.03,
    ),
    "fmnist": dict(
        hidden=(256,),
        densities=(0.2, 0.1, 0.05),
        epochs=6,
        connectivity="random",
        lr=0.01,
    ),
    "throughput": dict(densities=(1.0, 0.25, 0.125, 0.0625), repeats=3),
    "training": dict(density=0.0625, n_stream=4000, n_test=16000, lr_shifts=(5, 7)),
}
QUICK = {
    "morse": dict(
        name="baseline-small",
        hidden=(128,),
        densities=(0.25,),
        epochs=3,
        connectivity="clash_free",
        lr=0.03,
    ),
    "fmnist": dict(
        hidden=(64,),
        densities=(0.2,),
        epochs=2,
        connectivity="random",
        n_train=6000,
        lr=0.01,
    ),
    "throughput": dict(densities=(0.25,), repeats=1, n_samples=6400),
    "training": dict(density=0.25, n_stream=300, n_test=3200, lr_shifts=(5,)),
}
FORMAT_LIMIT = 8 - 2**-8  # QFormat(3, 8).max: float weights are kept within +-8


def _fit(X, y, hidden, density, epochs, connectivity, cache, key, lr=0.03):
    """Float training, Adam, one ``partial_fit`` epoch at a time; after every
    epoch the weights and biases are clipped to the (1, 3, 8) range, so the
    float model is one the format can hold (no conversion saturation)."""
    path = cache / f"{key}.pkl" if cache else None
    if path is not None and path.exists():
        return pickle.loads(path.read_bytes()), 0.0
    clf = SparseMLPClassifier(
        hidden_layer_sizes=hidden,
        activation="logistic",
        density=density,
        connectivity=connectivity,
        learning_rate_init=lr,
        batch_size=128,
        random_state=0,
    )
    classes = np.unique(y)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # density-adjusted warnings
        for _ in range(epochs):
            clf.partial_fit(X, y, classes=classes)
            for w, b in zip(clf.weights_, clf.intercepts_, strict=True):
                np.clip(w.params, -FORMAT_LIMIT, FORMAT_LIMIT, out=w.params)
                np.clip(b, -FORMAT_LIMIT, FORMAT_LIMIT, out=b)
    seconds = time.perf_counter() - start
    if path is not None:
        path.write_bytes(pickle.dumps(clf))
    return clf, seconds


def _accuracy_row(label, clf, X_test, y_test, X_cal, fit_seconds):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plain = to_fixed_point(clf)
        start = time.perf_counter()
        net = to_fixed_point(clf, calibration_X=X_cal)
        cal_seconds = time.perf_counter() - start
    float_pred = clf.predict(X_test)
    float_acc = np.mean(float_pred == y_test)
    plain_acc = plain.score(X_test, y_test)
    fixed_pred = net.predict(X_test)
    fixed_acc = np.mean(fixed_pred == y_test)
    sat = net.saturation_
    return {
        "model": label,
        "density": "/".join(f"{d:.3g}" for d in clf.densities_),
        "float": 100 * float_acc,
        "fixed_uncal": 100 * plain_acc,
        "fixed": 100 * fixed_acc,
        "delta": 100 * (fixed_acc - float_acc),
        "agree": 100 * np.mean(fixed_pred == float_pred),
        "scale": net.output_scale_,
        "sat_w": sum(net.conversion_saturation_["weights"]),
        "sat_sum": "/".join(str(s) for s in sat["sums"]),
        "warn": len(caught),
        "fit_s": fit_seconds,
        "cal_s": cal_seconds,
    }


def accuracy(cfg_m, cfg_f, cache):
    rows = []
    if cfg_m is not None:
        rows += _morse_rows(cfg_m, cache)
    if cfg_f is None:
        return rows
    try:
        X, y = load_fashion_mnist(subset="train", return_X_y=True)
        Xt, yt = load_fashion_mnist(subset="test", return_X_y=True)
    except FileNotFoundError as exc:
        print(f"Fashion-MNIST skipped: {exc}")
        return rows
    n = cfg_f.get("n_train", len(X))
    X_cal = X[np.random.default_rng(1).choice(len(X), 2000, replace=False)]
    for rho in cfg_f["densities"]:
        key = f"fmnist-{cfg_f['hidden'][0]}-{rho}-{cfg_f['epochs']}-{n}"
        clf, sec = _fit(
            X[:n],
            y[:n],
            cfg_f["hidden"],
            rho,
            cfg_f["epochs"],
            cfg_f["connectivity"],
            cache,
            key,
            cfg_f["lr"],
        )
        rows.append(
            _accuracy_row(
                f"Fashion-MNIST 784-{cfg_f['hidden'][0]}-10", clf, Xt, yt, X_cal, sec
            )
        )
        _print_rows(rows[-1:], header=not rows[:-1])
    return rows


def _morse_rows(cfg, cache):
    rows = []
    X, y = load_morse(cfg["name"], subset="train", return_X_y=True)
    Xt, yt = load_morse(cfg["name"], subset="test", return_X_y=True)
    Xv, _ = load_morse(cfg["name"], subset="val", return_X_y=True)
    X_cal = Xv[np.random.default_rng(1).choice(len(Xv), 2000, replace=False)]
    n = cfg.get("n_train", len(X))
    idx = np.random.default_rng(0).permutation(len(X))[:n]
    for rho in cfg["densities"]:
        key = f"morse-{cfg['name']}-{cfg['hidden'][0]}-{rho}-{cfg['epochs']}-{n}"
        clf, sec = _fit(
            X[idx],
            y[idx],
            cfg["hidden"],
            rho,
            cfg["epochs"],
            cfg["connectivity"],
            cache,
            key,
            cfg["lr"],
        )
        label = f"Morse {cfg['name']} 64-{cfg['hidden'][0]}-64"
        rows.append(_accuracy_row(label, clf, Xt, yt, X_cal, sec))
        _print_rows(rows[-1:], header=len(rows) == 1)
    return rows


def _print_rows(rows, header):
    cols = [
        "model",
        "density",
        "float",
        "fixed_uncal",
        "fixed",
        "delta",
        "agree",
        "scale",
        "sat_w",
        "sat_sum",
        "warn",
        "fit_s",
        "cal_s",
    ]
    if header:
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
    for r in rows:
        cells = [f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]) for c in cols]
        print("| " + " | ".join(cells) + " |", flush=True)


def throughput(cfg, cache):
    Xt, yt = load_morse("baseline", subset="test", return_X_y=True)
    Xt = Xt[: cfg.get("n_samples", len(Xt))]
    X, y = load_morse("baseline", subset="val", return_X_y=True)
    print(
        f"\nThroughput: {len(Xt)} Morse test samples, 64-1024-64, clash-free, "
        f"median of {cfg['repeats']}"
    )
    print(
        "| density | edges | fixed s | float s | fixed/float | ksamples/s | "
        "edge-samples/ns |"
    )
    print("|---|---|---|---|---|---|---|")
    for rho in cfg["densities"]:
        clf, _ = _fit(
            X[:6400],
            y[:6400],
            (1024,),
            rho,
            1,
            "clash_free",
            cache,
            f"throughput-{rho}",
        )
        net = to_fixed_point(clf)
        edges = sum(lay.n_edges for lay in net.layouts)
        net.predict(Xt[:100])  # builds the kernels
        t_fixed = median_time(lambda n=net: n.predict(Xt), cfg["repeats"])
        t_float = median_time(lambda c=clf: c.predict(Xt), cfg["repeats"])
        print(
            f"| {rho:g} | {edges} | {t_fixed:.2f} | {t_float:.2f} | "
            f"{t_fixed / t_float:.1f} | {len(Xt) / t_fixed / 1e3:.1f} | "
            f"{edges * len(Xt) / t_fixed / 1e9:.2f} |",
            flush=True,
        )


def training(cfg, cfg_m, cache):
    """On-device fine-tuning model, starting from the converted Morse network."""
    X, y = load_morse(cfg_m["name"], subset="train", return_X_y=True)
    Xt, yt = load_morse(cfg_m["name"], subset="test", return_X_y=True)
    Xv, yv = load_morse(cfg_m["name"], subset="val", return_X_y=True)
    n = cfg_m.get("n_train", len(X))
    idx = np.random.default_rng(0).permutation(len(X))
    rho = cfg["density"]
    key = f"morse-{cfg_m['name']}-{cfg_m['hidden'][0]}-{rho}-{cfg_m['epochs']}-{n}"
    clf, _ = _fit(
        X[idx[:n]],
        y[idx[:n]],
        cfg_m["hidden"],
        rho,
        cfg_m["epochs"],
        cfg_m["connectivity"],
        cache,
        key,
        cfg_m["lr"],
    )
    net = to_fixed_point(clf, calibration_X=Xv[:2000])
    # the stream: validation inputs after the 2000 used for calibration
    X_stream = Xv[2000 : 2000 + cfg["n_stream"]]
    y_stream = yv[2000 : 2000 + cfg["n_stream"]]
    Xt, yt = Xt[: cfg["n_test"]], yt[: cfg["n_test"]]
    print(
        f"\nOn-device training model: Morse {cfg_m['name']} 64-"
        f"{cfg_m['hidden'][0]}-64, density {rho}, {len(y_stream)} new inputs, "
        f"test on {len(yt)}"
    )
    print("| schedule | lr | test acc before | after | samples/s |")
    print("|---|---|---|---|---|")
    before = 100 * net.score(Xt, yt)
    for shift in cfg["lr_shifts"]:
        for pipelined in (False, True):
            start = time.perf_counter()
            trained = train_on_device(
                net, X_stream, y_stream, lr_shift=shift, pipelined=pipelined
            )
            rate = len(y_stream) / (time.perf_counter() - start)
            name = "pipelined (stale weights)" if pipelined else "sequential"
            after = 100 * trained.score(Xt, yt)
            print(
                f"| {name} | 2**-{shift} | {before:.2f} | {after:.2f} | {rate:.0f} |",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument(
        "--cache",
        type=pathlib.Path,
        default=None,
        help="folder for trained float models (reused if present)",
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["morse", "fmnist", "throughput", "training"],
    )
    args = parser.parse_args()
    cfg = QUICK if args.quick else FULL
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    print("Machine: 2 cores, shared with other jobs (timings are noisy).\n")
    if not {"morse", "fmnist"} <= set(args.skip):
        accuracy(
            None if "morse" in args.skip else cfg["morse"],
            None if "fmnist" in args.skip else cfg["fmnist"],
            args.cache,
        )
    if "throughput" not in args.skip:
        throughput(cfg["throughput"], args.cache)
    if "training" not in args.skip:
        training(cfg["training"], cfg["morse"], args.cache)


if __name__ == "__main__":
    main()
