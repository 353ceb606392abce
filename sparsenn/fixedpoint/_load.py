"""Reading an export directory back, with every file verified."""

import json
import math
import pathlib

import numpy as np

from .._warnings import warn
from ..connectivity import EdgeOrder
from ._format import QFormat, quantize_inputs
from ._images import codes_from_banks, network_images, vector_images
from ._layout import JunctionLayout
from ._manifest import (
    FORMAT_NAME,
    ExportError,
    _read_manifest,
    _sha256,
    check_manifest,
)
from ._memfiles import hex_words, read_coe, read_mem
from ._network import FixedPointNetwork
from ._simulate import hardware_argmax

__all__ = ["load"]


def load(path):
    """Read an export directory written by :func:`save`.

    The manifest is checked against its own SHA-256 (``manifest_sha256``), every
    file against the manifest's SHA-256 checksums, the arrays against the
    manifest's sizes, the manifest's ``layer_sizes``, ``fmt`` (``width``,
    ``ap_fixed``, ``sign``), ``activation`` and ``classes_kind`` against the
    arrays and the format (``output_scale`` and ``output_shift`` must be finite,
    the scale positive), and every memory image (weights, biases, left neurons, seed
    vectors, dither, LUTs and, when present, the test vectors) word by word
    against what the arrays give: a file changed together with its checksum is
    still caught, and the error names the file, the first differing address and
    both words.

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
    sparsenn.fixedpoint._manifest.ExportError: ...weights_bank001.mem: checksum ...
    """
    root = pathlib.Path(path)
    manifest = _read_manifest(root)
    where = root / "manifest.json"
    try:
        if manifest["format"] != FORMAT_NAME:
            raise ExportError(
                f"{where}: format is {manifest['format']!r}, not {FORMAT_NAME!r}."
            )
        _check_version(manifest, where)
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
    except (ValueError, TypeError) as exc:
        raise ExportError(
            f"{root / 'arrays.npz'}: inconsistent with the manifest ({exc})."
        ) from exc
    _check_fields(manifest, net, where)
    net.output_scale_ = _finite(manifest, "output_scale", 1.0, where, positive=True)
    net.output_shift_ = _finite(manifest, "output_shift", 0.0, where)
    try:
        net.rtl_quirks = manifest.get("rtl_quirks")
    except (ValueError, TypeError) as exc:
        raise ExportError(f"{where}: invalid rtl_quirks entry ({exc}).") from exc
    names = manifest.get("feature_names_in")
    if names is not None:
        if not (
            isinstance(names, list)
            and len(names) == net.n_features_in_
            and all(isinstance(name, str) for name in names)
        ):
            raise ExportError(
                f"{where}: feature_names_in must be null or a list of "
                f"{net.n_features_in_} strings (one per input)."
            )
        net.feature_names_in_ = np.asarray(names, dtype=object)
    verify_images(root, net, manifest.get("vectors"))
    return net


def _finite(manifest, name, default, where, positive=False):
    """Return the manifest's number ``name`` as a float (``default`` if absent)."""
    value = manifest.get(name, default)
    try:
        number = float(value) if isinstance(value, int | float) else None
    except OverflowError:
        number = None
    if isinstance(value, bool) or number is None or not math.isfinite(number):
        kind = "a finite positive number" if positive else "a finite number"
        raise ExportError(f"{where}: {name}={value!r}; expected {kind}.")
    if positive and number <= 0:
        raise ExportError(
            f"{where}: {name}={value!r}; expected a finite positive number (the "
            f"argmax-preserving scale of the output junction)."
        )
    return number


def _same(got, want):
    """Compare as JSON (so ``True`` is not ``1`` and ``8.0`` is not ``8``)."""
    return json.dumps(got) == json.dumps(want)


def _check_fields(manifest, net, where):
    """Cross-check the manifest's descriptive fields with the network read.

    ``layer_sizes``, ``fmt.width``, ``fmt.ap_fixed`` and ``fmt.sign`` must be
    what the layouts and the format give, ``activation`` the datapath's
    ``"logistic"`` and ``classes_kind`` the dtype of the stored classes (or
    ``"str"`` for object labels saved as strings). An absent field is not
    checked (older exports).
    """
    fmt = manifest["fmt"]  # a mapping: QFormat was built from it
    derived = {
        "layer_sizes": (
            manifest,
            [int(n) for n in net.layer_sizes],
            "the layouts in arrays.npz",
        ),
        "fmt.width": (fmt, int(net.fmt.width), "1 + fmt.integer + fmt.fraction"),
        "fmt.ap_fixed": (fmt, str(net.fmt), "from fmt.integer and fmt.fraction"),
        "fmt.sign": (fmt, 1, "the datapath's words are signed"),
        "activation": (manifest, "logistic", "the datapath's only activation"),
    }
    for field, (entry, want, source) in derived.items():
        key = field.removeprefix("fmt.")
        if key in entry and not _same(entry[key], want):
            raise ExportError(
                f"{where}: {field}={entry[key]!r}; expected {want!r} ({source})."
            )
    if "classes_kind" in manifest:
        kind, dtype = manifest["classes_kind"], net.classes_.dtype
        if not (kind == dtype.str or (kind == "str" and dtype.kind == "U")):
            raise ExportError(
                f"{where}: classes_kind={kind!r}; expected {dtype.str!r} (the "
                f"dtype of the classes in arrays.npz)."
            )


def _check_version(manifest, where):
    if check_manifest(manifest, where) == 1:
        warn(
            f"{where}: format_version 1 export: the manifest is not covered by a "
            f"checksum; save it again to get one.",
            UserWarning,
        )


def verify_images(root, net, vectors=None):
    """Compare every memory image of the export at ``root`` with ``net``.

    Parameters
    ----------
    root : pathlib.Path
    net : FixedPointNetwork
        The network read from ``arrays.npz``.
    vectors : dict or None
        The manifest's ``vectors`` entry (``{"n_samples": n}``); the test vectors
        are then recomputed with the simulator from the inputs in
        ``vectors/layer0_bank*.mem`` and compared too.

    Raises
    ------
    ExportError
        Naming the first file that is missing, unreadable or differs.
    """
    images = network_images(net)
    if vectors:
        layers = vectors.get("layers")
        images += _vector_images(root, net, int(vectors["n_samples"]), layers)
    for image in images:
        _check_image(root / image.name, image)


def _vector_images(root, net, n_samples, layers):
    codes = _bank_codes(root, net, n_samples)
    pixels = _pixel_codes(root, net, n_samples)
    if pixels is not None and not np.array_equal(pixels, codes):
        codes = _trusted_inputs(root, net, codes, pixels)
    acts = net.activations_from_codes(codes)
    winners = hardware_argmax(acts[-1], net.layouts[-1].neurons_per_clock())
    return vector_images(net, acts, winners, layers)


def _trusted_inputs(root, net, banks, pixels):
    """Return the input record that ``vectors/output_codes.mem`` confirms.

    The banks and the pixel stream disagree; the comparison that follows then
    names the edited file. If the outputs confirm both or neither, both files
    are named.
    """
    from_banks = _matches_outputs(root, net, banks)
    if from_banks != _matches_outputs(root, net, pixels):
        return banks if from_banks else pixels
    lay0 = net.layouts[0]
    n, k = (int(v[0]) for v in np.nonzero(banks != pixels))
    depth = lay0.padded_sizes[0] // lay0.z
    raise ExportError(
        f"{root / 'vectors'}: layer0_bank{k % lay0.z:03d}.mem (address "
        f"{n * depth + k // lay0.z}) and input_pixels.mem (address "
        f"{n * lay0.n_in + k}) disagree on input {k} of sample {n}: input codes "
        f"{banks[n, k]} and {pixels[n, k]}; one of them was edited."
    )


def _bank_codes(root, net, n_samples):
    """Input codes of the test vectors from ``vectors/layer0_bank*.mem``."""
    lay0, width = net.layouts[0], net.fmt.width
    depth = lay0.padded_sizes[0] // lay0.z  # virtual inputs are in the banks
    values = []
    for b in range(lay0.z):
        path = root / "vectors" / f"layer0_bank{b:03d}.mem"
        got = _read(path, width, True, False)
        if got.shape != (n_samples * depth,):
            raise ExportError(
                f"{path}: has {got.size} words, manifest.json says "
                f"{n_samples} samples x {depth} rows."
            )
        values.append(got)
    codes = codes_from_banks(np.stack(values), n_samples, lay0.padded_sizes[0])
    codes = codes[:, : lay0.n_in]  # virtual (padding) inputs are zero
    top = int(quantize_inputs(np.ones((1, 1)), net.fmt, net.input_bits)[0, 0])
    bad = np.flatnonzero((codes.ravel() < 0) | (codes.ravel() > top))
    if bad.size:
        raise ExportError(
            f"{root / 'vectors'}: layer0_bank*.mem hold {bad.size} words outside "
            f"the input codes 0..{top}."
        )
    return codes


def _pixel_codes(root, net, n_samples):
    """Input codes from ``vectors/input_pixels.mem``, None if it is unusable.

    An unusable file is reported when its own image is compared.
    """
    path, n_in = root / "vectors" / "input_pixels.mem", net.layouts[0].n_in
    try:
        pixels = read_mem(path, net.input_bits, False)
    except (OSError, ValueError):
        return None
    if pixels.shape != (n_samples * n_in,):
        return None
    shift = net.fmt.fraction - net.input_bits
    codes = pixels << shift if shift >= 0 else pixels >> -shift
    return codes.reshape(n_samples, n_in)


def _matches_outputs(root, net, codes):
    """Whether ``vectors/output_codes.mem`` holds the outputs of ``codes``."""
    try:
        got = read_mem(root / "vectors" / "output_codes.mem", net.fmt.width, True)
    except (OSError, ValueError):
        return True  # reported when its own image is compared
    want = net.activations_from_codes(codes)[-1].ravel()
    return got.shape == want.shape and bool(np.array_equal(got, want))


def _read(path, width, signed, coe):
    if not path.is_file():
        raise ExportError(f"{path}: missing memory image.")
    try:
        return read_coe(path, width) if coe else read_mem(path, width, signed)
    except ValueError as exc:
        kind = "Xilinx .coe" if coe else "$readmemh"
        raise ExportError(
            f"{path}: not a {kind} file of {width}-bit words ({exc})."
        ) from exc


def _check_image(path, image):
    got = _read(path, image.width, image.signed, image.is_coe)
    want = np.asarray(image.values, dtype=np.int64).ravel()
    if got.shape != want.shape:
        raise ExportError(
            f"{path}: memory image does not match {image.source}: it has "
            f"{got.size} words, expected {want.size}."
        )
    diff = np.flatnonzero(got != want)
    if diff.size:
        a = int(diff[0])
        raise ExportError(
            f"{path}: memory image does not match {image.source}: {diff.size} of "
            f"{want.size} words differ, first at address {a}: the file has "
            f"{hex_words([got[a]], image.width)[0]}, expected "
            f"{hex_words([want[a]], image.width)[0]}."
        )


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
    """Return the padded EdgeOrder of junction ``i`` (None if it has no padding)."""
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
