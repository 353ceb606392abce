"""Generated SystemVerilog core: refusals, lint, and bit-exact Verilator runs.

The Verilator tests build each network's core and testbench once (module-scoped
fixture) and compare every output code and prediction of the RTL run with the
Python simulator; they skip where ``verilator`` is not installed.
"""

import json
import re
import shutil
import subprocess
import warnings

import numpy as np
import pytest
from test_fixedpoint_reference import StandInMLP

from sparsenn.connectivity import clash_free
from sparsenn.fixedpoint import (
    ExportError,
    FixedPointNetwork,
    JunctionLayout,
    QFormat,
    to_fixed_point,
    write_verilog,
)
from sparsenn.fixedpoint._network import hardware_argmax

VERILATOR = shutil.which("verilator")
needs_verilator = pytest.mark.skipif(VERILATOR is None, reason="verilator not found")


def clash_free_net(
    sizes, d_outs, zs, fmt, seed, w_max=None, dither=False, input_bits=8
):
    """Random integer network on clash-free junctions (kind 2, random seeds)."""
    rng = np.random.default_rng(seed)
    layouts, weights, biases = [], [], []
    for n_in, n_out, d_out, z in zip(sizes[:-1], sizes[1:], d_outs, zs, strict=True):
        _, order = clash_free(
            n_in, n_out, d_out, z=z, dither=dither, random_state=rng, return_order=True
        )
        lay = JunctionLayout(
            n_in, n_out, order.left, order.right, z, "clash_free", order.seeds,
            order.dither,
        )  # fmt: skip
        top = w_max or fmt.max_code
        layouts.append(lay)
        weights.append(rng.integers(-top, top + 1, lay.n_edges))
        biases.append(rng.integers(-top, top + 1, n_out))
    return FixedPointNetwork(
        fmt, layouts, weights, biases, np.arange(sizes[-1]), input_bits=input_bits
    )


def dense_net(sizes, fmt, seed):
    """Fully connected junctions in right-neuron order with z = n_in."""
    rng = np.random.default_rng(seed)
    layouts, weights, biases = [], [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        w = np.arange(n_in * n_out)
        layouts.append(JunctionLayout(n_in, n_out, w % n_in, w // n_in, n_in))
        weights.append(rng.integers(-300, 301, w.size))
        biases.append(rng.integers(-300, 301, n_out))
    return FixedPointNetwork(fmt, layouts, weights, biases, np.arange(sizes[-1]))


def trained_net(**kw):
    from sparsenn import SparseMLPClassifier

    rng = np.random.default_rng(0)
    X = rng.random((200, 16))
    y = np.argmax(X[:, :4], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = SparseMLPClassifier(
            (32,),
            activation="logistic",
            density=0.25,
            connectivity="clash_free",
            max_iter=20,
            random_state=0,
            **kw,
        ).fit(X, y)
    return to_fixed_point(clf)


F138, F127 = QFormat(3, 8), QFormat(2, 7)
NETWORKS = {
    # 1 junction, z = 16 = 2 d_in: two neurons per clock
    "1j_138_z16": lambda: clash_free_net([32, 8], [2], [16], F138, 1, w_max=600),
    # dense junctions, z = n_in
    "2j_127_dense": lambda: dense_net([8, 8, 4], F127, 2),
    # z = 8 (two neurons per clock), then z = 4 < d_in = 8 (a neuron over 2 clocks)
    "2j_127_z8_z4": lambda: clash_free_net([16, 32, 8], [8, 2], [8, 4], F127, 3),
    # 3 junctions, z = 8, 12, 12 (4, 3, 3 neurons per clock), a 6-bit input port
    "3j_138": lambda: clash_free_net(
        [24, 48, 24, 6], [4, 2, 1], [8, 12, 12], F138, 4, w_max=900, input_bits=6
    ),
    # a trained model (default parallelism)
    "2j_138_trained": trained_net,
    # the released RTL's order (zero seeds, no dither), z = 2 d_in in junction 0
    "2j_138_rtl_order": lambda: trained_net(rtl_compatible=True, parallelism=(8, 8)),
    # C = 2 per junction: the memory slots, not C, limit the throughput
    "2j_138_c2": lambda: clash_free_net([8, 8, 8], [2, 2], [8, 8], F138, 5),
}


def _inputs(n_features, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_features))
    X[0], X[1] = 0.0, 1.0  # the ends of the input port
    X[2] = rng.integers(0, 2, n_features)
    return X


# ------------------------------------------------------------------ refusals
def test_dithered_clash_free_is_refused_naming_what_is_supported(tmp_path):
    net = clash_free_net([16, 4], [1], [4], F138, 0, dither=True)
    with pytest.raises(ValueError, match=r"junction 0 .*memory dither.*It supports"):
        net.to_verilog(tmp_path / "e")
    assert not (tmp_path / "e").exists()  # refused before anything is written


def test_padded_junction_is_refused_before_writing(tmp_path):
    # 12-8-3 clash-free at 0.5: junction 1 is padded with one virtual output
    # (8 -> 4); it passed the plan and failed after writing the whole export
    from sparsenn import SparseMLPClassifier

    rng = np.random.default_rng(0)
    X, y = rng.random((60, 12)), np.arange(60) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = SparseMLPClassifier((8,), activation="logistic", density=0.5,
                                  connectivity="clash_free", max_iter=1,
                                  random_state=0).fit(X, y)  # fmt: skip
    net = to_fixed_point(clf)
    with pytest.raises(ValueError, match=r"junction 1 .*padded to 8 -> 4"):
        net.to_verilog(tmp_path / "e", X=X[:5])
    assert not (tmp_path / "e").exists()


def test_random_pattern_is_refused():
    rng = np.random.default_rng(0)
    model = StandInMLP(
        [(rng.random((8, 6)) < 0.5) * rng.normal(0, 1, (8, 6))],
        [np.zeros(6)],
        np.arange(6),
        parallelism=4,
    )
    net = to_fixed_point(model)
    with pytest.raises(ValueError, match=r"cannot build junction 0.*supports"):
        net.to_verilog("never-written")


def test_rate_mismatch_and_wide_formats_are_refused(tmp_path):
    # junction 0 finishes 4 neurons per clock, junction 1 has only z = 2 banks
    w0 = np.arange(32)
    lay0 = JunctionLayout(8, 4, w0 % 8, w0 // 8, 8)  # d_in 8, z 8: 1 per clock
    w1 = np.arange(8)
    lay1 = JunctionLayout(4, 2, w1 % 4, w1 // 4, 2)
    ok = FixedPointNetwork(
        F138, [lay0, lay1], [np.ones(32, int), np.ones(8, int)],
        [np.zeros(4, int), np.zeros(2, int)], np.arange(2),
    )  # fmt: skip
    ok.to_verilog(tmp_path / "ok")
    lay0 = JunctionLayout(4, 4, np.arange(4), np.arange(4), 4)  # d_in 1: 4 per clock
    bad = FixedPointNetwork(
        F138, [lay0, lay1], [np.ones(4, int), np.ones(8, int)],
        [np.zeros(4, int), np.zeros(2, int)], np.arange(2),
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"junction 1.*z=2 is not a multiple of"):
        bad.to_verilog(tmp_path / "bad")
    wide = FixedPointNetwork(
        QFormat(6, 11), [lay1], [np.ones(8, int)], [np.zeros(2, int)], np.arange(2)
    )
    with pytest.raises(ValueError, match=r"18 bits.*supports .*at most 16 bits"):
        wide.to_verilog(tmp_path / "wide")
    with pytest.raises(ValueError, match=r"top must be a Verilog identifier"):
        ok.to_verilog(tmp_path / "ok", top="9core")


@pytest.mark.parametrize(
    "top, message",
    [
        ("module", r"top='module' is a reserved SystemVerilog keyword"),
        ("logic", r"top='logic' is a reserved SystemVerilog keyword"),
        ("x" * 201, r"top is 201 characters long .*at most 200"),
    ],
)
def test_keywords_and_long_names_are_refused_before_writing(tmp_path, top, message):
    net = NETWORKS["1j_138_z16"]()
    with pytest.raises(ValueError, match=message):
        net.to_verilog(tmp_path / "e", top=top)
    assert not (tmp_path / "e").exists()
    assert net.to_verilog(tmp_path / "ok", top="x" * 200)["top"] == "x" * 200


def test_keyword_list_is_ieee_1800_2017():
    from sparsenn.fixedpoint._verilog import SYSTEMVERILOG_KEYWORDS

    assert len(SYSTEMVERILOG_KEYWORDS) == 248
    assert {"endmodule", "nettype", "interconnect", "s_until_with"} <= (
        SYSTEMVERILOG_KEYWORDS
    )


def test_edited_export_is_refused_before_generation(tmp_path):
    from test_fixedpoint_export import _edit_word

    net = NETWORKS["1j_138_z16"]()
    path = tmp_path / "e"
    net.save(path, X=_inputs(32, 4, 0))
    _edit_word(path, "junction0/weights_bank003.mem")
    with pytest.raises(ExportError, match=r"weights_bank003.mem: memory image"):
        write_verilog(path)
    assert not (path / "rtl").exists()


def test_unsupported_activation_is_refused(tmp_path):
    from test_fixedpoint_export import _write_signed_manifest

    net = NETWORKS["1j_138_z16"]()
    path = net.save(tmp_path / "e")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["activation"] = "relu"
    _write_signed_manifest(path, manifest)
    with pytest.raises(ValueError, match=r"activation='relu'.*'logistic'"):
        write_verilog(path)


def test_generated_files_and_parameters(tmp_path):
    net = NETWORKS["2j_127_z8_z4"]()
    info = net.to_verilog(tmp_path / "e", X=_inputs(16, 3, 1), top="morse_core")
    names = sorted(p.name for p in info["rtl"].iterdir())
    assert names == [
        "morse_core.sv",
        "morse_core_junction.sv",
        "morse_core_outbuf.sv",
        "morse_core_ring.sv",
        "morse_core_tb.sv",
    ]
    top = (info["rtl"] / "morse_core.sv").read_text()
    assert ".Z(8)" in top and ".Z(4)" in top and ".K(2)" in top and ".G(2)" in top
    assert info["clocks_per_sample"] == 16  # C = 128 / 8 = 64 / 4
    assert "$readmemh" in (info["rtl"] / "morse_core_junction.sv").read_text()
    assert net.to_verilog(tmp_path / "f")["testbench"] is None  # no vectors


# ------------------------------------------------------------------ Verilator
def _run(cmd, cwd, check=True):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and out.returncode:
        raise AssertionError(
            f"{cmd} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
        )
    return out


def _build(root, info):
    sources = [str(p) for p in info["sources"]]
    _run(
        [VERILATOR, "--lint-only", "-Wall", "--top-module", info["top"], *sources],
        root,
    )
    tb = [*sources, str(info["testbench"])]
    _run(
        [VERILATOR, "--lint-only", "-Wall", "--timing"]
        + ["--top-module", f"{info['top']}_tb", *tb],
        root,
    )
    _run(
        [VERILATOR, "--binary", "--timing", "-j", "2", "-Mdir", "build"]
        + ["--top-module", f"{info['top']}_tb", *tb],
        root,
    )
    return root / "build" / f"V{info['top']}_tb"


def simulate(binary, root, *args, name="rtl_outputs.txt", check=True):
    """Run the testbench; return its summary numbers and the output file."""
    out = _run([str(binary), f"+out={name}", *args], root, check=check)
    match = re.search(r"SPARSENN_TB samples=(\d+) errors=(\d+) (.*)", out.stdout)
    summary = dict(re.findall(r"(\w+)=(-?\d+)", match.group(0))) if match else {}
    summary = {k: int(v) for k, v in summary.items()}
    return summary, root / name, out


@pytest.fixture(scope="module", params=sorted(NETWORKS))
def built(request, tmp_path_factory):
    if VERILATOR is None:
        pytest.skip("verilator not found")
    net = NETWORKS[request.param]()
    n_in = net.layouts[0].n_in
    X = _inputs(n_in, 40, 7)
    root = tmp_path_factory.mktemp(request.param)
    info = net.to_verilog(root, X=X)
    return net, X, root, info, _build(root, info)


def _check_outputs(net, X, path):
    rtl = np.loadtxt(path, dtype=np.int64, ndmin=2)
    codes = net.output_codes(X)
    winners = hardware_argmax(codes, net.layouts[-1].neurons_per_clock())
    assert rtl.shape == (len(X), 1 + codes.shape[1])
    np.testing.assert_array_equal(rtl[:, 1:], codes)  # every output code
    np.testing.assert_array_equal(rtl[:, 0], winners)  # every prediction
    return winners


@needs_verilator
def test_rtl_is_bit_exact_with_the_simulator(built):
    net, X, root, info, binary = built
    summary, path, _ = simulate(binary, root)
    assert summary["samples"] == len(X) and summary["errors"] == 0
    winners = _check_outputs(net, X, path)
    assert np.array_equal(net.classes_[winners], net.predict(X))
    # throughput: one sample per max_i C_i clocks once the pipeline is full,
    # unless C is so short that recycling the 3 memory slots takes longer
    per_sample = (summary["last_out"] - summary["first_out"]) / (len(X) - 1)
    analytic, slots = info["clocks_per_sample"], info["slot_bound"]
    if analytic >= slots:
        assert per_sample == analytic
    else:
        assert analytic < per_sample <= slots
    assert summary["first_out"] - summary["first_in"] == info["latency"]


@needs_verilator
def test_rtl_is_bit_exact_under_backpressure(built):
    net, X, root, _, binary = built
    summary, path, _ = simulate(binary, root, "+backpressure", name="bp.txt")
    assert summary["errors"] == 0
    _check_outputs(net, X, path)


@needs_verilator
def test_testbench_refuses_to_run_without_the_export_files(built, tmp_path):
    # $readmemh only warns about a missing file; every memory then reads 0 and
    # the comparison passed ("errors=0") from the wrong directory
    _, _, _, _, binary = built
    out = simulate(binary, tmp_path, check=False)[2]
    assert out.returncode != 0
    assert "SPARSENN_TB MISSING" in out.stdout + out.stderr
    assert "errors=0" not in out.stdout


def test_empty_X_is_refused_before_writing(tmp_path):
    net = clash_free_net([16, 4], [1], [4], F138, 0)
    with pytest.raises(ValueError, match="X has 0 rows"):
        net.to_verilog(tmp_path / "e", X=np.zeros((0, 16)))
    assert not (tmp_path / "e").exists()


@needs_verilator
def test_testbench_reports_mismatches(built, tmp_path):
    net, X, root, _, binary = built
    copy = tmp_path / "export"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("build"))
    want = copy / "vectors" / "output_codes.mem"
    lines = want.read_text().splitlines()
    k = len(lines) - 2
    lines[k] = format((int(lines[k], 16) + 1) % (1 << net.fmt.width), "x")
    want.write_text("\n".join(lines) + "\n")
    summary, _, out = simulate(binary, copy, check=False)
    assert out.returncode != 0 and summary["errors"] == 1


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not found")
def test_core_synthesizes_with_yosys(tmp_path):
    # a synthesis front end other than Verilator accepts the core (generic gates)
    net = NETWORKS["2j_127_z8_z4"]()
    info = net.to_verilog(tmp_path / "e")
    sources = " ".join(str(p) for p in info["sources"])
    script = f"read_verilog -sv {sources}; synth -top {info['top']} -flatten; stat"
    out = _run(["yosys", "-p", script], tmp_path / "e")
    assert "Found and reported 0 problems" in out.stdout
    assert re.search(r"Number of cells:\s+\d+", out.stdout)
