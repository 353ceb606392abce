"""The authors' ``.npz`` files: ``xtr, ytr, xva, yva, xte, yte``.

The reference generator stores each subset as a frame matrix ``x..`` (float64,
``(n, n_features)``) and a one-hot label matrix ``y..`` (float64, ``(n, 64)``);
its first version used the long keys ``xtrain, ytrain, xval, ...``.
``sparsenn morse -o`` writes the same six keys, with integer labels by default and
the authors' one-hot float64 labels with ``--one-hot``. :func:`load_morse_npz`
reads all of these.
"""

import zipfile
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._validation import check_bool
from ._codebook import check_class_order, codebook
from ._registry import SUBSETS, _check_subset, morse_checksum

__all__ = ["load_morse_npz", "write_morse_npz"]

N_CLASSES = 64
# subset -> accepted (frames key, labels key) pairs, the current convention first
KEYS = {
    "train": (("xtr", "ytr"), ("xtrain", "ytrain")),
    "val": (("xva", "yva"), ("xval", "yval")),
    "test": (("xte", "yte"), ("xtest", "ytest")),
}


class _FileError:
    """Build ``ValueError`` messages that name the file (and a key)."""

    def __init__(self, path):
        self.path = path

    def __call__(self, message, key=None):
        where = f"{self.path}" if key is None else f"{self.path}, key {key!r}"
        return ValueError(f"{where}: {message}")


def _pair(keys, subset, fail):
    for x_key, y_key in KEYS[subset]:
        if x_key in keys and y_key in keys:
            return x_key, y_key
        if x_key in keys or y_key in keys:
            missing = y_key if x_key in keys else x_key
            raise fail(
                f"has no {missing!r} to pair with it", x_key if x_key in keys else y_key
            )
    present = [s for s in SUBSETS if any(x in keys and y in keys for x, y in KEYS[s])]
    if present:
        wanted = " or ".join(f"{x!r}/{y!r}" for x, y in KEYS[subset])
        raise fail(f"has no {subset!r} subset ({wanted}); it holds {present}")
    raise fail(
        f"holds keys {sorted(keys)}, which are neither the six-key Morse format "
        "('xtr', 'ytr', 'xva', 'yva', 'xte', 'yte') nor its long form "
        "('xtrain', 'ytrain', 'xval', 'yval', 'xtest', 'ytest')"
    )


def _integer_labels(y, key, fail):
    if y.dtype.kind == "f":
        non_integral = np.flatnonzero(~np.isfinite(y) | (y != np.round(y)))
        if non_integral.size:
            row = int(non_integral[0])
            raise fail(f"label {y[row].item()!r} at row {row} is not an integer", key)
    elif y.dtype.kind not in "iu":
        raise fail(f"labels have dtype {y.dtype}; expected integers or one-hot", key)
    outside = np.flatnonzero((y < 0) | (y >= N_CLASSES))
    if outside.size:
        row = int(outside[0])
        raise fail(
            f"label {y[row].item()!r} at row {row} is outside 0..{N_CLASSES - 1}", key
        )
    return y.astype(np.int64)


def _one_hot_labels(y, key, fail):
    if y.shape[1] != N_CLASSES:
        raise fail(
            f"one-hot labels have {y.shape[1]} columns; the Morse codebook has "
            f"{N_CLASSES} classes",
            key,
        )
    if y.dtype.kind not in "fiub":
        raise fail(f"labels have dtype {y.dtype}; expected numbers", key)
    sums = y.sum(axis=1, dtype=np.float64)
    bad = np.flatnonzero((sums != 1) | ((y != 0) & (y != 1)).any(axis=1))
    if bad.size:
        row = int(bad[0])
        raise fail(
            f"one-hot row {row} sums to {sums[row]:g} with values "
            f"{sorted(set(np.unique(y[row]).tolist()))}; each row must hold one 1 "
            f"and {N_CLASSES - 1} zeros",
            key,
        )
    return np.argmax(y, axis=1).astype(np.int64)


def _labels(y, key, fail):
    """Integer labels of ``y`` and whether the file stored them one-hot."""
    if y.ndim == 1:
        return _integer_labels(y, key, fail), False
    if y.ndim == 2:
        return _one_hot_labels(y, key, fail), True
    raise fail(f"labels have shape {y.shape}; expected (n,) or (n, 64)", key)


def _frames(X, n_samples, key, fail):
    if X.dtype.kind not in "fiub" or X.ndim < 2:
        raise fail(
            f"frames have shape {X.shape} and dtype {X.dtype}; expected a numeric "
            "(n_samples, n_features) array",
            key,
        )
    if X.shape[0] != n_samples:
        raise fail(f"has {X.shape[0]} frames but {n_samples} labels", key)
    X = X.reshape(X.shape[0], -1)
    if not np.isfinite(X).all():
        raise fail("frames hold NaN or infinite values", key)
    return X.astype(np.float32)


def _read_member(archive, key, fail):
    try:
        return archive[key]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise fail(f"cannot be read ({exc})", key) from exc


def _open(path, fail):
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise fail(f"is not a readable .npz archive ({exc})") from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise fail("holds a single .npy array, not an .npz archive of named arrays")
    return archive


def _read_subset(path, subset):
    fail = _FileError(path)
    with _open(path, fail) as archive:
        x_key, y_key = _pair(set(archive.files), subset, fail)
        y, one_hot = _labels(_read_member(archive, y_key, fail), y_key, fail)
        X = _frames(_read_member(archive, x_key, fail), y.shape[0], x_key, fail)
    return X, y, (x_key, y_key, one_hot)


def load_morse_npz(path, *, subset="train", class_order="published", return_X_y=False):
    """Load one subset of a Morse ``.npz`` file in the authors' format.

    Reads the files of the reference generator (``baseline.npz``,
    ``difficult.npz``, the IEEE DataPort competition copies) and those written by
    ``sparsenn morse -o``: keys ``xtr, ytr, xva, yva, xte, yte`` (or the long
    ``xtrain, ytrain, xval, yval, xtest, ytest``), labels one-hot ``(n, 64)`` or
    integer ``(n,)``.

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` file.
    subset : {"train", "val", "test"}, default="train"
    class_order : {"published", "codebook"}, default="published"
        Class order of the file's labels, also used for ``target_names`` and
        ``codewords``. The authors' published files and files written by this
        version of ``sparsenn morse`` are ``"published"``; files written by
        sparsenn 0.1.0 are ``"codebook"`` (convert with :func:`relabel_morse`).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        The fields of :func:`load_morse`: ``data`` (n_samples, n_features)
        float32; ``target`` (n_samples,) int64 in 0..63; ``target_names``;
        ``codewords``; ``params`` (None: a file does not record its generator
        parameters); ``name`` (the file name); ``subset``; ``sha256``
        (:func:`morse_checksum` of the returned arrays, comparable with the
        registry's); ``class_order``; ``DESCR``.
    (X, y) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    ValueError
        Naming the file and the key: keys of neither format, a subset that the
        file lacks, labels outside 0..63 or not integers, one-hot rows that do not
        hold exactly one 1, frames whose count differs from the labels' or that
        are not finite numbers.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sparsenn.datasets import load_morse_npz, make_morse
    >>> X, y = make_morse(2, random_state=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.npz")
    >>> np.savez(path, xte=X, yte=np.eye(64)[y])  # one-hot, as the authors store
    >>> data = load_morse_npz(path, subset="test")
    >>> data.data.shape, bool((data.target == y).all())
    ((128, 64), True)
    """
    _check_subset(subset)
    check_class_order(class_order)
    return_X_y = check_bool(return_X_y, "return_X_y")
    X, y, (x_key, y_key, one_hot) = _read_subset(path, subset)
    if return_X_y:
        return X, y
    entries = codebook(class_order)
    labels = "one-hot" if one_hot else "integer"
    return Bunch(
        data=X,
        target=y,
        target_names=np.array([entry[0] for entry in entries]),
        codewords=np.array([entry[1] for entry in entries]),
        params=None,
        name=Path(path).name,
        subset=subset,
        sha256=morse_checksum(X, y),
        class_order=class_order,
        DESCR=(
            f"Morse-code frames read from {path} (keys {x_key!r}, {y_key!r}; "
            f"{labels} labels): {subset}, {y.shape[0]} samples, {X.shape[1]} "
            f"features, 64 classes in class_order={class_order!r}."
        ),
    )


def write_morse_npz(file, arrays, *, one_hot=False):
    """Write subsets in the six-key format; the authors' one-hot form if asked.

    Parameters
    ----------
    file : str, path-like or file object
        Destination.
    arrays : dict
        ``{subset: (X, y)}`` with integer labels ``y``.
    one_hot : bool, default=False
        False: ``X`` as float32 and ``y`` as int64 (compact). True: as the
        authors' files, compressed, ``X`` float64 rounded to 3 decimals and ``y``
        one-hot float64 of shape ``(n, 64)``.

    Returns
    -------
    keys : dict
        ``{key: shape}`` of what was written.
    """
    out = {}
    for subset, (X, y) in arrays.items():
        x_key, y_key = KEYS[subset][0]
        if one_hot:
            out[x_key] = np.round(np.asarray(X, dtype=np.float64), 3)
            out[y_key] = np.eye(N_CLASSES, dtype=np.float64)[y]
        else:
            out[x_key], out[y_key] = X, y
    (np.savez_compressed if one_hot else np.savez)(file, **out)
    return {key: value.shape for key, value in out.items()}
