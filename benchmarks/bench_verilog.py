"""Generated Verilog core of the 64-1024-64 Morse network under Verilator.

Usage::

    python benchmarks/bench_verilog.py [--samples N] [--z Z] [--cache DIR]

A logistic clash-free ``SparseMLPClassifier`` (density 1/8, ``parallelism=z``) is
trained briefly on the Morse ``baseline`` validation split, converted with output
calibration, exported with the ``baseline`` test set as vectors
(``to_verilog(..., hidden_vectors=False)``), built with ``verilator --binary``
and simulated. Prints the export, build and simulation times, the simulated
clocks per sample against the analytic ``C = |W_i| / z_i``, and checks every
output code and prediction against the Python simulator, whose time on the
same samples is the peer measured in the same run.
"""

import argparse
import pathlib
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from _common import machine

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import load_morse
from sparsenn.fixedpoint import to_fixed_point
from sparsenn.fixedpoint._network import hardware_argmax


def _model(X, y, z, cache):
    path = cache / f"verilog-z{z}.pkl" if cache else None
    if path is not None and path.exists():
        return pickle.loads(path.read_bytes())
    clf = SparseMLPClassifier(
        (1024,),
        activation="logistic",
        density=0.125,
        connectivity="clash_free",
        parallelism=z,
        learning_rate_init=0.03,
        batch_size=128,
        max_iter=3,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    for w, b in zip(clf.weights_, clf.intercepts_, strict=True):
        np.clip(w.params, -8.0, 8.0 - 2**-8, out=w.params)  # the (1,3,8) range
        np.clip(b, -8.0, 8.0 - 2**-8, out=b)
    if path is not None:
        path.write_bytes(pickle.dumps(clf))
    return clf


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _run(cmd, cwd):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{cmd[0]} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return out.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=64000)
    parser.add_argument("--z", type=int, default=64)
    parser.add_argument("--cache", type=pathlib.Path, default=None)
    parser.add_argument("--keep", type=pathlib.Path, default=None)
    args = parser.parse_args()
    verilator = shutil.which("verilator")
    if verilator is None:
        sys.exit("verilator not found (apt-get install verilator)")
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    print(machine())
    Xv, yv = load_morse("baseline", subset="val", return_X_y=True)
    Xt, yt = load_morse("baseline", subset="test", return_X_y=True)
    Xt, yt = Xt[: args.samples], yt[: args.samples]
    clf = _model(Xv[2000:], yv[2000:], args.z, args.cache)
    net = to_fixed_point(clf, calibration_X=Xv[:2000])
    root = args.keep or pathlib.Path(tempfile.mkdtemp()) / "export"
    info, t_export = _timed(
        lambda: net.to_verilog(root, X=Xt, top="morse_core", hidden_vectors=False)
    )
    tb = [str(p) for p in info["sources"]] + [str(info["testbench"])]
    cmd = [verilator, "--binary", "--timing", "-j", "2", "-Mdir", "build"]
    _, t_build = _timed(
        lambda: _run(cmd + ["--top-module", "morse_core_tb", *tb], root)
    )
    binary = str(root / "build" / "Vmorse_core_tb")
    stdout, t_sim = _timed(lambda: _run([binary], root))
    line = next(s for s in stdout.splitlines() if s.startswith("SPARSENN_TB"))
    stats = {k: int(v) for k, v in (f.split("=") for f in line.split()[1:])}
    codes, t_python = _timed(lambda: net.output_codes(Xt))
    rtl = np.array((root / "rtl_outputs.txt").read_text().split(), dtype=np.int64)
    rtl = rtl.reshape(len(Xt), -1)
    winners = hardware_argmax(codes, net.layouts[-1].neurons_per_clock())
    exact = bool(
        np.array_equal(rtl[:, 1:], codes) and np.array_equal(rtl[:, 0], winners)
    )
    n = len(Xt)
    per_sample = (stats["last_out"] - stats["first_out"]) / (n - 1)
    clocks = stats["last_out"] - stats["first_in"] + 1
    print(
        f"\n64-1024-64 clash-free, density 1/8, z = {[p.z for p in net.layouts]}, "
        f"{net.fmt}, {n} Morse baseline test samples; "
        f"accuracy {np.mean(net.classes_[winners] == yt):.4f}"
    )
    print("| quantity | value |\n|---|---|")
    rows = [
        ("analytic C_i = abs(W_i) / z_i", [lay.n_clocks for lay in net.layouts]),
        ("simulated clocks per sample (steady state)", f"{per_sample:.3f}"),
        (
            "latency, first input beat to first result",
            stats["first_out"] - stats["first_in"],
        ),
        ("latency, analytic", info["latency"]),
        ("simulated clocks in total", clocks),
        ("bit-exact (every code and prediction)", exact),
        ("export + generation s", f"{t_export:.1f}"),
        ("verilator build s", f"{t_build:.1f}"),
        ("verilator simulation s (incl. $readmemh of the vectors)", f"{t_sim:.1f}"),
        ("simulated clocks per second", f"{clocks / t_sim:.3g}"),
        ("Python simulator output_codes s (peer)", f"{t_python:.2f}"),
        ("simulation / Python simulator", f"{t_sim / t_python:.1f}"),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    if not exact:
        sys.exit("RTL outputs differ from the simulator")


if __name__ == "__main__":
    main()
