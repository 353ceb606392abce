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
    vectors/input_pixels.mem, output_codes.mem, predictions.mem
                                           only with X: sample-major streams

``manifest.json`` and the files it owns are described in ``_manifest``.
"""

import json
import pathlib

import numpy as np

from .._validation import check_bool
from .._warnings import warn
from ._images import network_images, vector_images, write_images
from ._manifest import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_CHECKSUM,
    ExportError,
    _checksums,
    _listing,
    _read_manifest,
    check_manifest,
    generated_rtl,
    inside,
    manifest_checksum,
)
from ._simulate import hardware_argmax

__all__ = ["save", "ExportError"]


def save(net, path, X=None, *, hidden_vectors=True):
    """Write ``net`` to the directory ``path`` (created if needed).

    Parameters
    ----------
    net : FixedPointNetwork
    path : str or pathlib.Path
    X : array-like of shape (n_samples, n_features), optional
        Test inputs; their activations of every layer are written as memory
        images under ``vectors/`` (for an HDL testbench).
    hidden_vectors : bool, default=True
        Also write the hidden layers' activation banks of ``X`` (False keeps
        only the input and output layers, for large test sets).

    Returns
    -------
    pathlib.Path
        The directory.

    Raises
    ------
    ValueError
        If ``path`` is a file or a non-empty directory that is not an export.
    ExportError
        If ``path`` holds an earlier export whose manifest fails its checksum
        or lists a file outside ``path``; nothing is deleted then.

    Notes
    -----
    Saving into an earlier export replaces it. Only what that export wrote is
    deleted, after its manifest is verified: the files its manifest lists and
    the ``rtl/`` files :func:`write_verilog` generated there (those still
    unchanged; an edited one is kept). Anything else (a ``build/`` folder of a
    simulator, notes) is kept and named in a ``UserWarning``, since it may
    belong to the replaced network.

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

    root = pathlib.Path(path)
    hidden_vectors = check_bool(hidden_vectors, "hidden_vectors")
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
    images = network_images(net)
    vectors = None
    if X is not None:
        acts = net.activations(X)
        winners = hardware_argmax(acts[-1], net.layouts[-1].neurons_per_clock())
        n_layers = len(acts)
        layers = list(range(n_layers)) if hidden_vectors else [0, n_layers - 1]
        images += vector_images(net, acts, winners, layers)
        vectors = {"n_samples": int(acts[0].shape[0]), "layers": layers}
    # everything is computed (and X validated) before an earlier export is cleared
    root = _prepare(root)
    write_images(root, images)
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
        "rtl_quirks": net.rtl_quirks,
        "feature_names_in": _feature_names(net),
        "junctions": junctions,
        "vectors": vectors,
        "files": _checksums(root, ["arrays.npz"] + [im.name for im in images]),
    }
    manifest[MANIFEST_CHECKSUM] = manifest_checksum(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return root


def _prepare(root):
    """Create ``root``, or clear the files of an earlier export in it."""
    if root.exists() and not root.is_dir():
        raise ValueError(
            f"path={str(root)!r} is a file; give a new or empty directory (or an "
            f"earlier export)."
        )
    if root.exists() and any(root.iterdir()):
        owned = _owned_files(root, _earlier_manifest(root))
        for path in owned:
            path.unlink(missing_ok=True)
        for folder in sorted(root.glob("*/"), reverse=True):
            if not folder.is_symlink() and not any(folder.iterdir()):
                folder.rmdir()
        _warn_kept(root)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _earlier_manifest(root):
    """Return the verified manifest of the earlier export in ``root``."""
    old = _read_manifest(root) if (root / "manifest.json").is_file() else None
    if old is None or old.get("format") != FORMAT_NAME:
        raise ValueError(
            f"path={str(root)!r} is a non-empty directory that is not a "
            f"{FORMAT_NAME} export; give a new or empty directory."
        )
    try:
        check_manifest(old, root / "manifest.json")
    except ExportError as exc:
        raise ExportError(
            f"{exc} Refusing to replace the export in {str(root)!r} (nothing was "
            f"deleted); remove that folder yourself or save elsewhere."
        ) from None
    return old


def _owned_files(root, manifest):
    """Return the paths the earlier export wrote (files, unchanged rtl/, manifest).

    Raises ``ExportError`` (before anything is deleted) if the manifest lists a
    name that does not resolve inside ``root``.
    """
    where = root / "manifest.json"
    files = [inside(root, name, where) for name in _listing(manifest, "files", where)]
    return files + generated_rtl(root, manifest) + [where]


def _warn_kept(root):
    """Warn about entries of ``root`` that the replaced export did not write."""
    kept = sorted(p.name + ("/" if p.is_dir() else "") for p in root.iterdir())
    if kept:
        warn(
            f"{root}: the earlier export was replaced, but {', '.join(kept)} "
            f"{'was' if len(kept) == 1 else 'were'} not written by sparsenn (or "
            f"edited since) and {'is' if len(kept) == 1 else 'are'} kept; "
            f"{'it' if len(kept) == 1 else 'they'} may belong to the replaced "
            f"network (for example a simulator build folder): delete what is stale.",
            UserWarning,
        )


def _feature_names(net):
    """``net.feature_names_in_`` as a list of str, None when it has none."""
    names = getattr(net, "feature_names_in_", None)
    return None if names is None else [str(name) for name in names]


def _storable_classes(classes):
    classes = np.asarray(classes)
    if classes.dtype.kind != "O":
        return classes, classes.dtype.str
    warn("object class labels are saved as strings.", UserWarning)
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
