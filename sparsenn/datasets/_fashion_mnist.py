"""Offline Fashion-MNIST loader (IDX files of the Debian package)."""

import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._validation import check_bool
from .._warnings import warn

__all__ = ["load_fashion_mnist"]

FASHION_MNIST_ENV = "SPARSENN_FASHION_MNIST"
DEBIAN_FOLDER = "/usr/share/datasets/fashion-mnist"
TARGET_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
# file stem -> (IDX magic number, shape, sha256 of the DECOMPRESSED file). Hashing
# the payload accepts both Zalando's and Debian's (re-compressed) gz files.
_FILES = {
    "train-images-idx3-ubyte": (
        2051,
        (60000, 28, 28),
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    "train-labels-idx1-ubyte": (
        2049,
        (60000,),
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    "t10k-images-idx3-ubyte": (
        2051,
        (10000, 28, 28),
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    "t10k-labels-idx1-ubyte": (
        2049,
        (10000,),
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
}
_SUBSETS = {
    "train": (("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),),
    "test": (("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),),
    "all": (
        ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    ),
}
_DTYPES = {
    np.dtype(np.float32): 255.0,
    np.dtype(np.float64): 255.0,
    np.dtype(np.uint8): None,
}


def _candidates(data_home):
    if data_home is not None:
        try:
            folder = Path(os.path.expanduser(os.fspath(data_home)))
        except TypeError:
            raise TypeError(
                f"data_home={data_home!r} must be a folder path (str or path-like) "
                "or None"
            ) from None
        if folder.exists() and not folder.is_dir():
            raise ValueError(
                f"data_home={str(data_home)!r} is a file, not a folder; pass the "
                "folder holding the four Fashion-MNIST IDX files"
            )
        return [folder]
    return [f for f in (_env_folder(), Path(DEBIAN_FOLDER)) if f is not None]


def _env_folder():
    """Return the folder ``SPARSENN_FASHION_MNIST`` names (None if unset or empty).

    A folder that does not exist is skipped with a warning naming the variable.
    """
    value = os.environ.get(FASHION_MNIST_ENV)
    if not value:
        return None
    folder = Path(os.path.expanduser(value))
    if not folder.is_dir():
        warn(
            f"the {FASHION_MNIST_ENV} environment variable names {value!r}, which is "
            f"not a folder; looking in {DEBIAN_FOLDER} instead.",
            UserWarning,
        )
        return None
    return folder


def _find(stem, folders):
    for folder in folders:
        for name in (f"{stem}.gz", stem):
            if (folder / name).is_file():
                return folder / name
    searched = ", ".join(str(f) for f in folders)
    raise FileNotFoundError(
        f"Fashion-MNIST file {stem}[.gz] not found in: {searched}. Install the Debian "
        "package 'dataset-fashion-mnist' (apt-get install dataset-fashion-mnist), or "
        f"pass data_home= / set {FASHION_MNIST_ENV} to a folder holding the four IDX "
        "files"
    )


def _read_bytes(path, limit):
    """Return at most ``limit`` (decompressed) bytes of ``path``.

    Nothing beyond ``limit`` is read or decompressed, so an oversized or hostile
    ``.gz`` cannot take more memory than the file it claims to be. A corrupt
    ``.gz`` is a ``ValueError`` naming the file.
    """
    try:
        with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as fh:
            return fh.read(limit)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(
            f"{path} is not a valid gzip file ({type(exc).__name__}: {exc}); the "
            "file is truncated or corrupted: reinstall dataset-fashion-mnist or "
            "copy the file again"
        ) from exc


def _read_idx(path):
    """Read and verify one IDX file; return its uint8 array."""
    stem = path.name.removesuffix(".gz")
    magic, shape, sha256 = _FILES[stem]
    header = 4 + 4 * len(shape)
    size = header + math.prod(shape)
    payload = _read_bytes(path, size + 1)  # one byte more tells "too large"
    found = (magic, *shape)  # a file too short for a header: the size check
    if len(payload) >= header:
        found = tuple(int(v) for v in np.frombuffer(payload[:header], dtype=">u4"))
    if found != (magic, *shape):
        raise ValueError(
            f"{path} is not the Fashion-MNIST file it is named after: IDX header "
            f"{found}, expected magic and shape {(magic, *shape)}"
        )
    if len(payload) != size:
        what = "decompressed " if path.suffix == ".gz" else ""
        if len(payload) > size:
            held, end = f"more than {size}", "it was not read further"
        else:
            held, end = f"{len(payload)} of its {size}", "the file is truncated"
        raise ValueError(
            f"{path} does not have the size of the Fashion-MNIST file {stem}: it "
            f"holds {held} {what}bytes (a {header}-byte IDX header and "
            f"{math.prod(shape)} data bytes); {end}"
        )
    if hashlib.sha256(payload).hexdigest() != sha256:
        raise ValueError(
            f"{path} has the right header but its content differs from Fashion-MNIST "
            f"(sha256 of the decompressed file is not {sha256[:16]}...)"
        )
    return np.frombuffer(payload, dtype=np.uint8, offset=header).reshape(shape)


def _check_dtype(dtype):
    """Return ``dtype`` as a numpy dtype, one of float32, float64 and uint8."""
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if checked not in _DTYPES:
        raise ValueError(f"dtype={dtype!r} must be float32, float64 or uint8")
    return checked


def load_fashion_mnist(
    *, subset="train", data_home=None, return_X_y=False, dtype=np.float32
):
    """Load Fashion-MNIST from local IDX files (no download).

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        60,000 training images, the 10,000 test images, or both (train first).
    data_home : str or path-like, default=None
        Folder with ``{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]``. If
        None: the environment variable ``SPARSENN_FASHION_MNIST`` (unset or
        empty: skipped; a path that is not a folder: skipped with a
        ``UserWarning``), then ``/usr/share/datasets/fashion-mnist`` (Debian
        ``dataset-fashion-mnist``).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    dtype : {numpy.float32, numpy.float64, numpy.uint8}, default=numpy.float32
        Float dtypes are scaled to [0, 1] (pixel / 255); uint8 keeps 0..255.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``data`` (n_samples, 784), ``images`` (n_samples, 28, 28) (a view of
        ``data``), ``target`` (n_samples,) int64 in 0..9, ``target_names``,
        ``subset``, ``DESCR``.
    (X, y) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the files are absent (the message names the Debian package).
    ValueError
        If a file is not valid gzip, or its IDX header, size or SHA-256 (of
        the decompressed bytes) is wrong (the message names the file; a file
        is never read beyond its expected size); if
        ``data_home`` is a file or ``dtype`` is not allowed.
    TypeError
        If ``data_home`` is not a path or ``return_X_y`` not a bool.

    Examples
    --------
    >>> from sparsenn.datasets import load_fashion_mnist
    >>> X, y = load_fashion_mnist(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape, X.dtype, float(X.max())                           # doctest: +SKIP
    ((10000, 784), dtype('float32'), 1.0)
    """
    if subset not in _SUBSETS:
        raise ValueError(f"subset={subset!r} must be one of {sorted(_SUBSETS)}")
    return_X_y = check_bool(return_X_y, "return_X_y")
    dtype = _check_dtype(dtype)
    folders = _candidates(data_home)
    images, labels = [], []
    for image_stem, label_stem in _SUBSETS[subset]:
        images.append(_read_idx(_find(image_stem, folders)))
        labels.append(_read_idx(_find(label_stem, folders)))
    pixels = np.concatenate(images).reshape(-1, 28 * 28)
    X = pixels.astype(dtype)
    if _DTYPES[dtype] is not None:
        X /= _DTYPES[dtype]
    y = np.concatenate(labels).astype(np.int64)
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        images=X.reshape(-1, 28, 28),
        target=y,
        target_names=np.array(TARGET_NAMES),
        subset=subset,
        DESCR=(
            f"Fashion-MNIST ({subset}, {y.shape[0]} images of 28x28, 10 balanced "
            "classes; Xiao, Rasul & Vollgraf 2017, MIT licence). Pixels "
            + ("scaled to [0, 1]." if _DTYPES[dtype] else "as uint8 0..255.")
        ),
    )
