"""Export directory: manifest, integer arrays and per-bank memory images.

Layout of ``save(net, path)`` (spec section 4.7; junction ``i`` is 0-based)::

    manifest.json                 formats, sizes, degrees, z, cycles, checksums
    arrays.npz                    integer arrays (weight order) and the classes
    sigmoid_lut.{mem,coe}         entry s - min_code, one per pre-activation code
    sigmoid_derivative_lut.{mem,coe}
    junction{i}/weights_bank{j}.{mem,coe}  address c holds edge c*z + j
    junction{i}/left_bank{j}.mem           left neuron l of that edge: it is read
                                           from activation bank l mod z, row l div z
    junction{i}/bias_bank{r}.{mem,coe}     address c: bias of neuron c*g + r
                                           (g = right neurons finished per clock)
    junction{i}/seeds.mem, dither.mem      clash-free only: entry s*z + j
    vectors/layer{h}_bank{b}.mem           only with X: activations of layer h in
                                           bank l mod z, address n*depth + l div z
"""

import hashlib
import json
import pathlib
import warnings

import numpy as np

from ._memfiles import write_coe, write_mem
from ._network import hardware_argmax

__all__ = ["save", "ExportError"]

FORMAT_NAME = "sparsenn.fixedpoint"
FORMAT_VERSION = 1


class ExportError(ValueError):
    """An export directory is missing a file, corrupted or inconsistent."""


def save(net, path, X=None):
    """Write ``net`` to the directory ``path`` (created if needed).

    Parameters
    ----------
    net : FixedPointNetwork
    path : str or pathlib.Path
    X : array-like of shape (n_samples, n_features), optional
        Test inputs; their activations of every layer are written as memory
        images under ``vectors/`` (for an HDL testbench).

    Returns
    -------
    pathlib.Path
        The directory.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat, load
    >>> lay = JunctionLayout(2, 2, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 2)
    >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [np.array([256, -256, 3, 9])],
    ...                         [np.array([0, 1])], np.array([0, 1]))
    >>> path = net.save(tempfile.mkdtemp())
    >>> load(path).predict([[0.9, 0.1]]).tolist()
    [0]
    """
    from .. import __version__

    root = _prepare(pathlib.Path(path))
    fmt, width = net.fmt, net.fmt.width
    classes, classes_kind = _storable_classes(net.classes_)
    arrays = {"classes": classes}
    junctions = []
    for i, (lay, w, b) in enumerate(
        zip(net.layouts, net.edge_weights, net.biases, strict=True)
    ):
        arrays.update(
            {
                f"left{i}": lay.left,
                f"right{i}": lay.right,
                f"weights{i}": w,
                f"bias{i}": b,
            }
        )
        if lay.seeds is not None:
            arrays.update({f"seeds{i}": lay.seeds, f"dither{i}": lay.dither})
        if lay.order.stored is not None:  # padded: every slot, and which are stored
            arrays.update(_slot_arrays(lay, i))
        junctions.append(_junction_manifest(lay))
        _write_junction(root / f"junction{i}", i, lay, w, b, fmt)
    for name, lut in [
        ("sigmoid_lut", net.sigmoid_lut),
        ("sigmoid_derivative_lut", net.sigmoid_derivative_lut),
    ]:
        note = f"{name}: entry s - ({fmt.min_code}) for pre-activation code s, {fmt}"
        write_mem(root / f"{name}.mem", lut, width, note)
        write_coe(root / f"{name}.coe", lut, width, note)
    if X is not None:
        _write_vectors(root / "vectors", net, X)
    np.savez(root / "arrays.npz", **arrays)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "fmt": {
            "sign": 1,
            "integer": fmt.integer,
            "fraction": fmt.fraction,
            "width": width,
            "ap_fixed": str(fmt),
            "rounding": "half_up",
            "overflow": "saturate",
            "accumulator": "exact, saturated once",
        },
        "input_bits": net.input_bits,
        "lut_floor_lsb": net.lut_floor_lsb,
        "activation": "logistic",
        "output": "argmax of sigmoid outputs",
        "layer_sizes": net.layer_sizes,
        "classes_kind": classes_kind,
        "output_scale": net.output_scale_,
        "output_shift": net.output_shift_,
        "junctions": junctions,
        "files": _checksums(root),
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return root


def _prepare(root):
    """Create ``root``, or clear the files of an earlier export in it."""
    if root.exists() and any(root.iterdir()):
        old = _read_manifest(root) if (root / "manifest.json").is_file() else None
        if old is None or old.get("format") != FORMAT_NAME:
            raise ValueError(
                f"path={str(root)!r} is a non-empty directory that is not a "
                f"{FORMAT_NAME} export; give a new or empty directory."
            )
        for name in old.get("files", {}):
            (root / name).unlink(missing_ok=True)
        (root / "manifest.json").unlink()
        for folder in sorted(root.glob("*/"), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _storable_classes(classes):
    classes = np.asarray(classes)
    if classes.dtype.kind != "O":
        return classes, classes.dtype.str
    warnings.warn(
        "object class labels are saved as strings.", UserWarning, stacklevel=3
    )
    return classes.astype(str), "str"


def _degree(values):
    values = np.asarray(values)
    if not values.size:
        return 0
    lo, hi = int(values.min()), int(values.max())
    return lo if lo == hi else [lo, hi]


def _junction_manifest(lay):
    clashes = lay.clash_clocks()
    return {
        "n_in": lay.n_in,
        "n_out": lay.n_out,
        "n_edges": lay.n_edges,
        "z": lay.z,
        "depth": lay.depth,
        "cycles": lay.n_clocks,
        "in_degree": _degree(lay.in_degrees()),
        "out_degree": _degree(lay.out_degrees()),
        "neurons_per_clock": lay.neurons_per_clock(),
        "kind": lay.kind,
        "padded_sizes": list(lay.padded_sizes),
        "padding": lay.padding,
        "clash_free": clashes == 0,
        "clash_clocks": clashes,
        "weight_order": "clash-free generator order"
        if lay.kind == "clash_free"
        else "right neuron, then left neuron",
    }


def _slot_arrays(lay, i):
    order = lay.order
    return {
        f"slot_left{i}": order.left,
        f"slot_right{i}": order.right,
        f"stored{i}": order.stored,
        f"slot_degrees{i}": np.array([order.out_degree or 0, order.in_degree or 0]),
    }


def _banks(values, n_banks, fill=0):
    """(n_banks, depth): bank j address c holds values[c * n_banks + j]."""
    depth = -(-values.size // n_banks)
    padded = np.full(depth * n_banks, fill, dtype=np.int64)
    padded[: values.size] = values
    return padded.reshape(depth, n_banks).T


def _write_junction(folder, i, lay, w, b, fmt):
    folder.mkdir(exist_ok=True)
    width = fmt.width
    index_width = max(int(lay.padded_sizes[0] - 1).bit_length(), 1)
    head = f"sparsenn junction {i}: {lay.n_in} -> {lay.n_out}, z={lay.z}"
    slots_w, slots_l = lay.slot_values(w), lay.slot_left  # padding slots hold 0
    for j, (wb, lb) in enumerate(
        zip(_banks(slots_w, lay.z), _banks(slots_l, lay.z), strict=True)
    ):
        note = f"{head}, weight bank {j}: address c = edge c*z+{j}, {fmt}"
        write_mem(folder / f"weights_bank{j:03d}.mem", wb, width, note)
        write_coe(folder / f"weights_bank{j:03d}.coe", wb, width, note)
        note = f"{head}, left neuron of weight bank {j}, unsigned {index_width} bits"
        write_mem(folder / f"left_bank{j:03d}.mem", lb, index_width, note)
    g = lay.neurons_per_clock()
    for r, bb in enumerate(_banks(lay.padded_bias(b), g)):
        note = f"{head}, bias bank {r}: address c = neuron c*{g}+{r}, {fmt}"
        write_mem(folder / f"bias_bank{r:03d}.mem", bb, width, note)
        write_coe(folder / f"bias_bank{r:03d}.coe", bb, width, note)
    if lay.seeds is not None:
        bits = max(int(lay.depth - 1).bit_length(), 1)
        write_mem(
            folder / "seeds.mem", lay.seeds, bits, f"{head}, seed phi_s[j] at s*z+j"
        )
        bits = max(int(lay.z - 1).bit_length(), 1)
        write_mem(
            folder / "dither.mem", lay.dither, bits, f"{head}, bank v_s[j] at s*z+j"
        )


def _write_vectors(folder, net, X):
    folder.mkdir(exist_ok=True)
    acts = net.activations(X)
    zs = [lay.z for lay in net.layouts] + [1]
    sizes = [lay.padded_sizes[0] for lay in net.layouts] + [net.layouts[-1].n_out]
    for h, (a, z) in enumerate(zip(acts, zs, strict=True)):
        a = np.pad(a, ((0, 0), (0, sizes[h] - a.shape[1])))  # virtual inputs: 0
        depth = a.shape[1] // z
        # bank b, address n*depth + r holds neuron r*z + b of sample n
        banks = a.reshape(a.shape[0], depth, z).transpose(2, 0, 1).reshape(z, -1)
        for bank, values in enumerate(banks):
            note = (
                f"layer {h} activations, bank {bank}: "
                f"address n*{depth}+r = neuron r*{z}+{bank}"
            )
            write_mem(
                folder / f"layer{h}_bank{bank:03d}.mem", values, net.fmt.width, note
            )
    winners = hardware_argmax(acts[-1], net.layouts[-1].neurons_per_clock())
    write_mem(
        folder / "predictions.mem", winners, 16, "winning output neuron per sample"
    )


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _checksums(root):
    return {
        p.relative_to(root).as_posix(): _sha256(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def _read_manifest(root):
    path = root / "manifest.json"
    if not path.is_file():
        raise ExportError(f"{path}: missing; not a {FORMAT_NAME} export directory.")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: not valid JSON ({exc}).") from exc
    if not isinstance(manifest, dict):
        raise ExportError(f"{path}: expected a JSON object.")
    return manifest
