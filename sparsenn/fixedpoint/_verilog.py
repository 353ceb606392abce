"""SystemVerilog inference core and self-checking testbench for an export.

:func:`write_verilog` reads an export directory (every image verified by
:func:`load` first), takes the core's parameters from its manifest and writes
``rtl/`` beside the memory images: generic modules (ring, junction, output
buffer), a top module wired for this network, and a testbench that streams
``vectors/input_pixels.mem`` and compares every output code and prediction
with ``vectors/output_codes.mem`` and ``vectors/predictions.mem``.
"""

import json
import pathlib
import re

import numpy as np

from ._export import save
from ._load import load
from ._manifest import generated_rtl, record_rtl
from ._verilog_templates import JUNCTION, OUTBUF, RING

__all__ = ["write_verilog", "to_verilog", "core_plan", "SUPPORTED"]

#: What the generator can build (named in its errors).
SUPPORTED = (
    "the sigmoid ('logistic') activation, formats of at most 16 bits, and "
    "junctions whose edge w is read from activation bank w mod z (clash-free "
    "patterns without memory dither, or right-neuron order with z = n_in), with "
    "a fixed in-degree d_in in right-neuron order (right neuron w div d_in), z a "
    "multiple or a divisor of d_in, n_edges a multiple of z, and each junction's "
    "z a multiple of the previous junction's neurons per clock, and no padding "
    "(virtual inputs or outputs)"
)
_MAX_WIDTH = 16
#: Sample slots of every memory between two stages.
N_SLOTS = 3
#: Clocks from a junction's read to its result (S1..S5).
LATENCY = 5
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Longest accepted ``top``: file names ``{top}_outbuf.sv`` and Verilator's
#: ``V{top}_tb___024root__DepSet_...__Slow.cpp`` must fit in 255 bytes.
MAX_TOP_LENGTH = 200
#: Reserved keywords of SystemVerilog (IEEE 1800-2017, Annex B), not usable as
#: module names.
SYSTEMVERILOG_KEYWORDS = frozenset(
    """
    accept_on alias always always_comb always_ff always_latch and assert assign
    assume automatic before begin bind bins binsof bit break buf bufif0 bufif1
    byte case casex casez cell chandle checker class clocking cmos config const
    constraint context continue cover covergroup coverpoint cross deassign
    default defparam design disable dist do edge else end endcase endchecker
    endclass endclocking endconfig endfunction endgenerate endgroup endinterface
    endmodule endpackage endprimitive endprogram endproperty endspecify
    endsequence endtable endtask enum event eventually expect export extends
    extern final first_match for force foreach forever fork forkjoin function
    generate genvar global highz0 highz1 if iff ifnone ignore_bins illegal_bins
    implements implies import incdir include initial inout input inside instance
    int integer interconnect interface intersect join join_any join_none large
    let liblist library local localparam logic longint macromodule matches
    medium modport module nand negedge nettype new nexttime nmos nor
    noshowcancelled not notif0 notif1 null or output package packed parameter
    pmos posedge primitive priority program property protected pull0 pull1
    pulldown pullup pulsestyle_ondetect pulsestyle_onevent pure rand randc
    randcase randsequence rcmos real realtime ref reg reject_on release repeat
    restrict return rnmos rpmos rtran rtranif0 rtranif1 s_always s_eventually
    s_nexttime s_until s_until_with scalared sequence shortint shortreal
    showcancelled signed small soft solve specify specparam static string strong
    strong0 strong1 struct super supply0 supply1 sync_accept_on sync_reject_on
    table tagged task this throughout time timeprecision timeunit tran tranif0
    tranif1 tri tri0 tri1 triand trior trireg type typedef union unique unique0
    unsigned until until_with untyped use uwire var vectored virtual void wait
    wait_order wand weak weak0 weak1 while wildcard wire with within wor xnor xor
    """.split()
)


def check_top(top):
    """Return ``top`` after checking it can name the generated modules.

    Parameters
    ----------
    top : str
        A Verilog identifier of at most :data:`MAX_TOP_LENGTH` characters that
        is not a SystemVerilog keyword.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Naming ``top``, its value and what is allowed.

    Examples
    --------
    >>> from sparsenn.fixedpoint._verilog import check_top
    >>> check_top("my_core")
    'my_core'
    >>> check_top("module")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: top='module' is a reserved SystemVerilog keyword ...
    """
    if not isinstance(top, str) or not _NAME.match(top):
        raise ValueError(
            f"top must be a Verilog identifier (a letter or '_', then letters, "
            f"digits or '_'), got {top!r}."
        )
    if top in SYSTEMVERILOG_KEYWORDS:
        raise ValueError(
            f"top={top!r} is a reserved SystemVerilog keyword (IEEE 1800-2017); "
            f"give another module name, for example {top + '_core'!r}."
        )
    if len(top) > MAX_TOP_LENGTH:
        raise ValueError(
            f"top is {len(top)} characters long ({top[:20]!r}...); at most "
            f"{MAX_TOP_LENGTH} are allowed (it is part of the generated file names)."
        )
    return top


def _bits(n):
    """Address width of a memory of ``n`` words (at least 1)."""
    return max(int(n - 1).bit_length(), 1)


def core_plan(net):
    """Per-junction parameters of the core, or a ValueError naming the problem.

    Parameters
    ----------
    net : FixedPointNetwork

    Returns
    -------
    list of dict
        Per junction: ``n_in, n_out, z, depth, cycles, d_in, lanes`` (L, lanes
        summed per neuron and clock), ``groups`` (G, neurons per clock),
        ``clocks_per_neuron`` (K), ``write_lanes`` (GW), ``index_bits``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat
    >>> from sparsenn.fixedpoint._verilog import core_plan
    >>> w = np.arange(8)
    >>> lay = JunctionLayout(4, 2, w % 4, w // 4, 2)
    >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [np.ones(8, int)],
    ...                         [np.zeros(2, int)], np.arange(2))
    >>> p = core_plan(net)[0]
    >>> p["cycles"], p["lanes"], p["groups"], p["clocks_per_neuron"]
    (4, 2, 1, 2)
    """
    if net.fmt.width > _MAX_WIDTH:
        raise ValueError(
            f"to_verilog cannot build {net.fmt} ({net.fmt.width} bits, a "
            f"{2**net.fmt.width}-entry sigmoid ROM); it supports {SUPPORTED}."
        )
    plan, write_lanes = [], net.layouts[0].z
    for i, lay in enumerate(net.layouts):
        problem, entry = _junction_plan(lay)
        if problem is None and lay.z % write_lanes:
            problem = (
                f"its z={lay.z} is not a multiple of the {write_lanes} neurons the "
                f"previous junction finishes per clock"
            )
        if problem:
            raise ValueError(
                f"to_verilog cannot build junction {i} ({lay.n_in} -> {lay.n_out}, "
                f"z={lay.z}): {problem}. It supports {SUPPORTED}."
            )
        entry.update(write_lanes=write_lanes, index_bits=_bits(lay.n_in))
        plan.append(entry)
        write_lanes = entry["groups"]
    return plan


def _junction_plan(lay):
    """``(problem or None, parameters)`` of one junction."""
    w = np.arange(lay.n_edges)
    z = lay.z
    padded = tuple(lay.padded_sizes)
    if padded != (lay.n_in, lay.n_out):
        return (
            f"it is padded to {padded[0]} -> {padded[1]} (virtual inputs or outputs, "
            "padding_ of the estimator); the core reads unpadded junctions only: "
            "choose layer sizes, a density and parallelism whose degrees and z divide "
            "the junction's sizes (docs/connectivity.md, padding)"
        ), {}
    if lay.n_edges == 0 or lay.n_edges % z:
        return f"n_edges={lay.n_edges} is not a positive multiple of z", {}
    if np.any(lay.left % z != w % z):
        first = int(np.flatnonzero(lay.left % z != w % z)[0])
        return (
            f"edge {first} reads activation bank {lay.left[first] % z}, not "
            f"{first % z} (memory dither or a non-clash-free order)",
            {},
        )
    d_in = lay.n_edges // lay.n_out
    if lay.n_edges % lay.n_out or np.any(lay.right != w // d_in):
        return "its edges are not in right-neuron order with a fixed in-degree", {}
    if z % d_in and d_in % z:
        return f"z is neither a multiple nor a divisor of d_in={d_in}", {}
    lanes = min(z, d_in)
    entry = {
        "n_in": lay.n_in,
        "n_out": lay.n_out,
        "z": z,
        "depth": lay.n_in // z,
        "cycles": lay.n_edges // z,
        "d_in": d_in,
        "lanes": lanes,
        "groups": z // lanes,
        "clocks_per_neuron": d_in // lanes,
    }
    return None, entry


def to_verilog(net, path, X=None, *, top="sparsenn_core", hidden_vectors=True):
    """Export ``net`` to ``path`` and write its SystemVerilog core under ``rtl/``.

    See :meth:`FixedPointNetwork.to_verilog`.
    """
    check_top(top)  # refuse before writing anything
    core_plan(net)
    if X is not None and np.shape(X)[:1] == (0,):
        raise ValueError(
            "X has 0 rows: the testbench would check nothing; give at least one "
            "sample (or X=None for a core without a testbench)."
        )
    root = save(net, path, X=X, hidden_vectors=hidden_vectors)
    return write_verilog(root, top=top)


def write_verilog(path, *, top="sparsenn_core"):
    """Write the SystemVerilog inference core of the export directory ``path``.

    The export is verified first (:func:`load`: checksums and every memory
    image); the core's parameters come from its manifest.

    Parameters
    ----------
    path : str or pathlib.Path
        An export directory written by :func:`save`.
    top : str, default="sparsenn_core"
        Name of the top module; also the prefix of the other modules. A
        Verilog identifier of at most 200 characters, not a SystemVerilog
        keyword.

    Returns
    -------
    dict
        ``"rtl"`` (the directory), ``"sources"`` (core files, top last),
        ``"testbench"`` (None without test vectors), ``"top"``,
        ``"clocks_per_sample"`` (the analytic ``max_i C_i``, the throughput
        when it is at least ``"slot_bound"``, see :func:`slot_bound`),
        ``"latency"`` (clocks from the first input beat to the first result).

    Raises
    ------
    ExportError
        If a file of the export is missing, corrupted or edited.
    ValueError
        If the network is not one the generator can build, or ``top`` is not a
        Verilog identifier (or is a keyword, or too long).

    Notes
    -----
    The generated files are recorded with their SHA-256 in the manifest's
    ``rtl`` entry. Files an earlier run generated (for example under another
    ``top``) are deleted first if unchanged, and a later :func:`save` into the
    directory deletes them too, so ``rtl/`` never holds the core of another
    network; files you add under ``rtl/`` are kept.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat
    >>> from sparsenn.fixedpoint import write_verilog
    >>> w = np.arange(8)
    >>> lay = JunctionLayout(4, 2, w % 4, w // 4, 4)
    >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [10 * w], [np.zeros(2, int)],
    ...                         np.array([0, 1]))
    >>> path = net.save(tempfile.mkdtemp(), X=np.full((3, 4), 0.5))
    >>> info = write_verilog(path, top="tiny")
    >>> info["top"], (path / "rtl" / "tiny_tb.sv").is_file()
    ('tiny', True)
    """
    check_top(top)
    root = pathlib.Path(path)
    net = load(root)  # verifies every file before anything is generated
    manifest = json.loads((root / "manifest.json").read_text())
    if manifest.get("activation") != "logistic":
        raise ValueError(
            f"to_verilog cannot build activation={manifest.get('activation')!r}; it "
            f"supports {SUPPORTED}."
        )
    plan = core_plan(net)
    _check_plan_against_manifest(plan, manifest)
    from .. import __version__

    for stale in generated_rtl(root, manifest):  # an earlier run's core
        stale.unlink()
    rtl = root / "rtl"
    rtl.mkdir(exist_ok=True)
    sources = []
    for name, text in [("ring", RING), ("junction", JUNCTION), ("outbuf", OUTBUF)]:
        file = rtl / f"{top}_{name}.sv"
        file.write_text(
            text.replace("@@P@@", top).replace("@@VERSION@@", str(__version__))
        )
        sources.append(file)
    from ._verilog_top import testbench_text, top_text

    header = (
        f"`timescale 1ns / 1ps\n// Generated by sparsenn {__version__} "
        f"(sparsenn.fixedpoint.write_verilog); do not edit.\n"
    )
    file = rtl / f"{top}.sv"
    file.write_text(header + top_text(top, plan, manifest))
    sources.append(file)
    testbench = None
    vectors = manifest.get("vectors")
    if vectors:
        testbench = rtl / f"{top}_tb.sv"
        testbench.write_text(header + testbench_text(top, plan, manifest))
    record_rtl(root, manifest, top, sources + ([testbench] if testbench else []))
    cycles = [p["cycles"] for p in plan]
    return {
        "rtl": rtl,
        "sources": sources,
        "testbench": testbench,
        "top": top,
        "clocks_per_sample": max(cycles),
        "slot_bound": slot_bound(cycles),
        "latency": plan[0]["depth"] + sum(c + LATENCY + 1 for c in cycles),
    }


def slot_bound(cycles):
    """Clocks per sample below which the memory slots limit the throughput.

    Between two junctions with ``C_p`` and ``C_c`` clocks, a slot is written
    for ``C_p + LATENCY + 1`` clocks and then read for ``C_c + 2``, so
    ``N_SLOTS`` slots carry at most ``N_SLOTS`` samples per
    ``C_p + C_c + LATENCY + 3`` clocks (measured under Verilator).

    Examples
    --------
    >>> from sparsenn.fixedpoint._verilog import slot_bound
    >>> slot_bound([128, 128]), slot_bound([2, 2])
    (88.0, 4.0)
    """
    pairs = zip(cycles[:-1], cycles[1:], strict=True)
    return max([(cp + cc + LATENCY + 3) / N_SLOTS for cp, cc in pairs], default=0.0)


def _check_plan_against_manifest(plan, manifest):
    for i, (entry, meta) in enumerate(zip(plan, manifest["junctions"], strict=True)):
        for key in ("n_in", "n_out", "z", "depth", "cycles"):
            if entry[key] != meta[key]:
                raise ValueError(
                    f"manifest.json junction {i}: {key}={meta[key]} disagrees with "
                    f"the arrays ({entry[key]})."
                )
