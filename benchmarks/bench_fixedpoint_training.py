"""Training that matches the datapath: ``to_fixed_point(model)`` without calibration.

For each data set the same ``SparseMLPClassifier(activation="logistic")`` is
trained three ways (same seed, data and schedule): the default softmax output,
``output="sigmoid"`` (the datapath's output layer, cross-entropy delta
``a - y``), and ``output="sigmoid", quantize="ap_fixed<12,4>"``
(quantisation-aware training). Each is converted with ``to_fixed_point(model)``
and **no calibration data** and simulated bit-exactly on the test set; the
softmax model is also converted with ``calibration_X`` (2000 training inputs)
as the peer. ``float`` is the float forward pass of the trained parameters
(for the QAT model: the same parameters with ``quantize=None``), ``qat`` the
QAT model's own (quantised) ``predict``; ``delta`` = fixed - float in points,
``agree`` the share of test samples where fixed and float predictions agree.

Target (issue 16): ``|delta| <= 1`` point for a datapath-matching model on
Morse ``baseline`` and on Fashion-MNIST at density <= 0.2.

Usage::

    PYTHONPATH=. python benchmarks/bench_fixedpoint_training.py [--quick]
        [--skip morse fmnist]
"""

import argparse
import os
import time
import warnings

import numpy as np

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import load_fashion_mnist, load_morse
from sparsenn.fixedpoint import to_fixed_point

FULL = {
    "morse": dict(hidden=(1024,), densities=(0.125,), connectivity="clash_free",
                  n_train=320000, epochs=10, lr=0.01),
    "fmnist": dict(hidden=(256,), densities=(0.2, 0.1), connectivity="random",
                   n_train=60000, epochs=20, lr=0.01),
}  # fmt: skip
QUICK = {
    "morse": dict(hidden=(1024,), densities=(0.125,), connectivity="clash_free",
                  n_train=320000, epochs=4, lr=0.01),
    "fmnist": dict(hidden=(256,), densities=(0.2, 0.1), connectivity="random",
                   n_train=60000, epochs=5, lr=0.01),
}  # fmt: skip
KINDS = {
    "softmax": dict(output="softmax"),
    "sigmoid": dict(output="sigmoid"),
    "sigmoid+QAT": dict(output="sigmoid", quantize="ap_fixed<12,4>"),
}


def _fit(kind, X, y, cfg, density):
    clf = SparseMLPClassifier(
        cfg["hidden"], activation="logistic", density=density,
        connectivity=cfg["connectivity"], learning_rate_init=cfg["lr"],
        batch_size=128, max_iter=cfg["epochs"], random_state=0, **KINDS[kind],
    )  # fmt: skip
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached, density adjusted
        clf.fit(X, y)
    return clf, time.perf_counter() - start


def _float_predict(clf, X):
    """Predictions of the trained parameters in floating point."""
    if clf.quantize is None:
        return clf.predict(X), None
    qat = clf.predict(X)
    clf.set_params(quantize=None)
    try:
        return clf.predict(X), qat
    finally:
        clf.set_params(quantize=KINDS["sigmoid+QAT"]["quantize"])


def _row(name, kind, clf, seconds, Xt, yt, X_cal):
    float_pred, qat_pred = _float_predict(clf, Xt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = to_fixed_point(clf)  # no calibration data
    fixed_pred = net.predict(Xt)
    row = {
        "data": name,
        "output": kind,
        "float": 100 * np.mean(float_pred == yt),
        "qat": "" if qat_pred is None else f"{100 * np.mean(qat_pred == yt):.2f}",
        "fixed": 100 * np.mean(fixed_pred == yt),
        "delta": 100 * (np.mean(fixed_pred == yt) - np.mean(float_pred == yt)),
        "agree": 100 * np.mean(fixed_pred == float_pred),
        "sat_w": sum(net.conversion_saturation_["weights"]),
        "warn": len(caught),
        "fit_s": seconds,
        "fixed_cal": "",
    }
    if kind == "softmax":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = to_fixed_point(clf, calibration_X=X_cal)
        row["fixed_cal"] = f"{100 * cal.score(Xt, yt):.2f}"
    return row


def _print(row, header):
    cols = list(row)
    if header:
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
    cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()]
    print("| " + " | ".join(cells) + " |", flush=True)


def run(name, data, cfg, first):
    X, y, Xt, yt = data
    idx = np.random.default_rng(0).permutation(len(X))[: cfg["n_train"]]
    X, y = X[idx], y[idx]
    X_cal = X[:2000]
    sizes = f"{X.shape[1]}-{cfg['hidden'][0]}-{len(np.unique(y))}"
    for density in cfg["densities"]:
        for kind in KINDS:
            clf, seconds = _fit(kind, X, y, cfg, density)
            label = f"{name} {sizes} rho={clf.densities_.round(3).tolist()}"
            _print(_row(label, kind, clf, seconds, Xt, yt, X_cal), header=first)
            first = False
    return first


def _morse():
    X, y = load_morse("baseline", subset="train", return_X_y=True)
    Xt, yt = load_morse("baseline", subset="test", return_X_y=True)
    return X, y, Xt, yt


def _fmnist():
    X, y = load_fashion_mnist(subset="train", return_X_y=True)
    Xt, yt = load_fashion_mnist(subset="test", return_X_y=True)
    return X, y, Xt, yt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--skip", nargs="*", default=[], choices=["morse", "fmnist"])
    args = parser.parse_args()
    cfg = QUICK if args.quick else FULL
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    first = True
    if "morse" not in args.skip:
        first = run("Morse baseline", _morse(), cfg["morse"], first)
    if "fmnist" not in args.skip:
        try:
            data = _fmnist()
        except FileNotFoundError as exc:
            print(f"Fashion-MNIST skipped: {exc}")
        else:
            run("Fashion-MNIST", data, cfg["fmnist"], first)


if __name__ == "__main__":
    main()
