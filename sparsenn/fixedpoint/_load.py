"""Reading an export directory back, with every file verified."""

import pathlib

import numpy as np

from ..connectivity import EdgeOrder
from ._export import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ExportError,
    _banks,
    _read_manifest,
    _sha256,
)
from ._format import QFormat
from ._layout import JunctionLayout
from ._memfiles import read_mem
from ._network import FixedPointNetwork

__all__ = ["load"]


def load(path):
    """Read an export directory written by :func:`save`.

    Every file is checked against the manifest's SHA-256 checksums, the arrays
    against the manifest's sizes and the weight and bias memory images against the
    arrays.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    FixedPointNetwork

    Raises
    ------
    ExportError
        (a ``ValueError``) naming the missing, corrupted or inconsistent file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat, load
    >>> lay = JunctionLayout(2, 2, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 2)
    >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [np.array([256, -256, 3, 9])],
    ...                         [np.array([0, 1])], np.array([0, 1]))
    >>> path = net.save(pathlib.Path(tempfile.mkdtemp()) / "export")
    >>> _ = (path / "junction0" / "weights_bank001.mem").write_text("7ff")
    >>> load(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sparsenn.fixedpoint._export.ExportError: ...weights_bank001.mem: checksum ...
    """
    root = pathlib.Path(path)
    manifest = _read_manifest(root)
    where = root / "manifest.json"
    try:
        if manifest["format"] != FORMAT_NAME:
            raise ExportError(
                f"{where}: format is {manifest['format']!r}, not {FORMAT_NAME!r}."
            )
        if manifest["format_version"] != FORMAT_VERSION:
            raise ExportError(
                f"{where}: format_version {manifest['format_version']!r} is not "
                f"supported "
                f"(this library reads {FORMAT_VERSION})."
            )
        _verify_checksums(root, manifest["files"])
        fmt = QFormat(manifest["fmt"]["integer"], manifest["fmt"]["fraction"])
        junctions = manifest["junctions"]
        input_bits, floor_lsb = manifest["input_bits"], manifest["lut_floor_lsb"]
    except (KeyError, TypeError) as exc:
        raise ExportError(f"{where}: missing or malformed entry {exc}.") from exc
    layouts, weights, biases = [], [], []
    try:
        arrays = _read_arrays(root / "arrays.npz", junctions)
        for i, meta in enumerate(junctions):
            layouts.append(_layout(arrays, i, meta, root / "arrays.npz"))
            weights.append(arrays[f"weights{i}"])
            biases.append(arrays[f"bias{i}"])
            _check_images(
                root / f"junction{i}", layouts[-1], weights[-1], biases[-1], fmt
            )
    except (KeyError, TypeError) as exc:
        raise ExportError(
            f"{where}: missing or malformed junction entry {exc}."
        ) from exc
    try:
        net = FixedPointNetwork(
            fmt,
            layouts,
            weights,
            biases,
            arrays["classes"],
            input_bits=input_bits,
            lut_floor_lsb=floor_lsb,
        )
        net.output_scale_ = float(manifest.get("output_scale", 1.0))
        net.output_shift_ = float(manifest.get("output_shift", 0.0))
        return net
    except (ValueError, TypeError) as exc:
        raise ExportError(
            f"{root / 'arrays.npz'}: inconsistent with the manifest ({exc})."
        ) from exc


def _verify_checksums(root, files):
    for name in ("arrays.npz",):
        if name not in files:
            raise ExportError(f"{root / 'manifest.json'}: does not list {name}.")
    for name, digest in files.items():
        path = root / name
        if not path.is_file():
            raise ExportError(f"{path}: missing (listed in manifest.json).")
        if _sha256(path) != digest:
            raise ExportError(
                f"{path}: checksum mismatch; the file is corrupted or was changed."
            )


def _read_arrays(path, junctions):
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise ExportError(f"{path}: cannot be read ({exc}).") from exc
    for i, meta in enumerate(junctions):
        for key, size in [
            (f"left{i}", meta["n_edges"]),
            (f"right{i}", meta["n_edges"]),
            (f"weights{i}", meta["n_edges"]),
            (f"bias{i}", meta["n_out"]),
        ]:
            if key not in arrays or arrays[key].shape != (size,):
                raise ExportError(
                    f"{path}: array {key!r} is missing or does not have shape "
                    f"({size},) "
                    f"as manifest.json says."
                )
    if "classes" not in arrays:
        raise ExportError(f"{path}: array 'classes' is missing.")
    return arrays


def _padded_order(arrays, i, meta):
    """The padded EdgeOrder of junction ``i`` (None if it has no padding)."""
    if f"stored{i}" not in arrays:
        return None
    try:
        n_in_p, n_out_p = meta["padded_sizes"]
        d_out, d_in = (int(d) or None for d in arrays[f"slot_degrees{i}"])
        slots = arrays[f"slot_left{i}"], arrays[f"slot_right{i}"], arrays[f"stored{i}"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"padding record incomplete ({exc!r})") from None
    return EdgeOrder(
        slots[0].astype(np.int64), slots[1].astype(np.int64),
        meta["z"], None, arrays.get(f"seeds{i}"), arrays.get(f"dither{i}"),
        meta["n_in"], meta["n_out"], d_out, d_in, n_in_p, n_out_p,
        slots[2].astype(bool),
    )  # fmt: skip


def _layout(arrays, i, meta, path):
    seeds = arrays.get(f"seeds{i}")
    try:
        lay = JunctionLayout(
            meta["n_in"],
            meta["n_out"],
            arrays[f"left{i}"].astype(np.int64),
            arrays[f"right{i}"].astype(np.int64),
            meta["z"],
            meta["kind"],
            seeds,
            arrays.get(f"dither{i}"),
            _padded_order(arrays, i, meta),
        )
    except ValueError as exc:
        raise ExportError(f"{path}: junction {i} is inconsistent ({exc}).") from exc
    if lay.n_clocks != meta["cycles"] or lay.clash_clocks() != meta["clash_clocks"]:
        raise ExportError(
            f"{path}: junction {i} does not match manifest.json (cycles, clashes)."
        )
    return lay


def _check_images(folder, lay, w, b, fmt):
    slots_w = lay.slot_values(w)  # padding slots hold 0
    images = [
        (f"weights_bank{j:03d}.mem", bank)
        for j, bank in enumerate(_banks(slots_w, lay.z))
    ]
    images += [
        (f"bias_bank{r:03d}.mem", bank)
        for r, bank in enumerate(_banks(lay.padded_bias(b), lay.neurons_per_clock()))
    ]
    for name, want in images:
        path = folder / name
        if not path.is_file():
            raise ExportError(f"{path}: missing memory image.")
        try:
            got = read_mem(path, fmt.width)
        except ValueError as exc:
            raise ExportError(f"{path}: not a $readmemh file ({exc}).") from exc
        if got.shape != want.shape or np.any(got != want):
            raise ExportError(f"{path}: memory image does not match arrays.npz.")
