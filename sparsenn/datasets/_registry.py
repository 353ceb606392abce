"""Named Morse variants: registry, data home, cache and ``load_morse``."""

import functools
import hashlib
import json
import os
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._validation import check_bool
from .._warnings import warn
from ._cache import read_cache, write_cache
from ._codebook import check_class_order, codebook, relabel_morse
from ._morse import N_CLASSES, make_morse

__all__ = [
    "get_data_home",
    "list_morse_variants",
    "load_morse",
    "morse_checksum",
    "morse_variant",
    "generate_variant",
]

SUBSETS = ("train", "val", "test")  # position = spawn key of the subset's seed
_X_DTYPE, _Y_DTYPE = np.dtype(np.float32), np.dtype(np.int64)  # as cached
DATA_HOME_ENV = "SPARSENN_DATA"


@functools.lru_cache(maxsize=1)
def _registry():
    text = (
        resources.files("sparsenn.datasets")
        .joinpath("registry.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def get_data_home(data_home=None):
    """Return the folder where generated datasets are cached, creating it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Used as is when given. Otherwise the environment variable
        ``SPARSENN_DATA`` (set but empty counts as unset), and failing that
        ``~/sparsenn_data``.

    Returns
    -------
    data_home : str

    Raises
    ------
    ValueError
        If the folder names an existing file or cannot be created (the message
        names ``data_home`` or ``SPARSENN_DATA``, whichever gave the path).
    TypeError
        If ``data_home`` is not a path.

    Examples
    --------
    >>> import tempfile
    >>> from sparsenn.datasets import get_data_home
    >>> get_data_home(tempfile.gettempdir()) == tempfile.gettempdir()
    True
    """
    if data_home is not None:
        source = f"data_home={data_home!r}"
    elif os.environ.get(DATA_HOME_ENV):  # set but empty counts as unset
        data_home = os.environ[DATA_HOME_ENV]
        source = f"the {DATA_HOME_ENV} environment variable ({data_home!r})"
    else:
        data_home = os.path.join("~", "sparsenn_data")
        source = f"the default data home {data_home!r}"
    try:
        data_home = os.path.expanduser(os.fsdecode(data_home))
    except TypeError:
        raise TypeError(
            f"{source} must be a folder path (str or path-like) or None"
        ) from None
    if os.path.exists(data_home) and not os.path.isdir(data_home):
        raise ValueError(
            f"{source} is a file, not a folder; pass a folder for the cached data"
        )
    try:
        os.makedirs(data_home, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"{source} cannot be created as a folder: {exc.strerror or exc}"
        ) from exc
    return data_home


def list_morse_variants():
    """Return ``{name: description}`` of the registered Morse variants.

    Returns
    -------
    variants : dict of str to str
        In registry order (paper variants first, then the graded families).

    Examples
    --------
    >>> from sparsenn.datasets import list_morse_variants
    >>> {"baseline", "difficult", "baseline-small"} <= set(list_morse_variants())
    True
    """
    return {name: v["description"] for name, v in _registry()["variants"].items()}


def morse_variant(name):
    """Return the registry entry of variant ``name`` (a copy).

    Parameters
    ----------
    name : str
        A key of :func:`list_morse_variants`.

    Returns
    -------
    entry : dict
        Keys ``description``, ``family``, ``params`` (keyword arguments of
        :func:`make_morse`), ``seed``, ``n_samples_per_class`` and ``sha256``
        (both per subset).

    Examples
    --------
    >>> from sparsenn.datasets import morse_variant
    >>> morse_variant("difficult")["params"]["noise_std"]
    4.0
    """
    variants = _registry()["variants"]
    if not isinstance(name, str) or name not in variants:
        raise ValueError(
            f"name={name!r} is not a registered Morse variant; known variants: "
            f"{', '.join(variants)}"
        )
    return json.loads(json.dumps(variants[name]))


def morse_checksum(X, y):
    """SHA-256 of ``X`` as little-endian float32 then ``y`` as little-endian int64.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)

    Returns
    -------
    hexdigest : str

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.datasets import morse_checksum
    >>> len(morse_checksum(np.zeros((2, 3)), np.arange(2)))
    64
    """
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(X, dtype="<f4").tobytes())
    digest.update(np.ascontiguousarray(y, dtype="<i8").tobytes())
    return digest.hexdigest()


def _check_subset(subset):
    if subset not in SUBSETS:
        raise ValueError(f"subset={subset!r} must be one of {SUBSETS}")
    return subset


def generate_variant(variant, subset="train", *, class_order="published"):
    """Generate one subset of a variant, without cache or checksum.

    Parameters
    ----------
    variant : str or dict
        A registered name, or an entry shaped like :func:`morse_variant`'s
        (``params``, ``seed``, ``n_samples_per_class``), used by the registry
        script to check entries before they are registered.
    subset : {"train", "val", "test"}, default="train"
    class_order : {"published", "codebook"}, default="published"
        Passed to :func:`make_morse`. The registry's checksums are those of the
        published order; ``"codebook"`` regenerates the arrays that sparsenn
        0.1.0 registered (other draws, not merely other labels).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float32
    y : ndarray of shape (n_samples,), int64

    Notes
    -----
    Subset ``k`` (0 train, 1 val, 2 test) is ``make_morse(n, **params,
    class_order=class_order, random_state=SeedSequence(seed, spawn_key=(k,)))``:
    the three subsets are independent draws of one distribution.

    Examples
    --------
    >>> from sparsenn.datasets import generate_variant
    >>> X, y = generate_variant("baseline-small", "val")
    >>> X.shape
    (3200, 64)
    """
    entry = morse_variant(variant) if isinstance(variant, str) else variant
    k = SUBSETS.index(_check_subset(subset))
    seed = np.random.SeedSequence(entry["seed"], spawn_key=(k,))
    n = entry["n_samples_per_class"][subset]
    return make_morse(n, **entry["params"], class_order=class_order, random_state=seed)


def _expected_layout(entry, subset):
    """Return ``(X shape, y shape)`` of a variant's subset from its entry."""
    params = entry["params"]
    n_features = params.get("frame_length", 64) * params.get("dilation", 1)
    n_samples = N_CLASSES * entry["n_samples_per_class"][subset]
    return (n_samples, n_features), (n_samples,)


def _layout_problem(X, y, entry, subset):
    """Why cached ``X, y`` are not float32 and int64 of the registered shapes.

    The registry's checksum covers values only (``X`` cast to float32, ``y`` to
    int64), so a re-shaped or re-typed file with the same values passes it.
    Returns None if both arrays have exactly the registered dtype and shape.
    """
    x_shape, y_shape = _expected_layout(entry, subset)
    if (X.dtype, X.shape, y.dtype, y.shape) == (_X_DTYPE, x_shape, _Y_DTYPE, y_shape):
        return None
    return (
        f"holds X of dtype {X.dtype} and shape {X.shape} and y of dtype {y.dtype} "
        f"and shape {y.shape}; the registry's arrays are X {_X_DTYPE} {x_shape} "
        f"and y {_Y_DTYPE} {y_shape}"
    )


def _load_arrays(name, subset, data_home, entry):
    """Return the verified cached arrays, regenerating them when needed.

    A cached file is used only if its bytes match its digest file and its
    arrays have the registered dtypes, shapes and checksum. Warnings go through
    ``sparsenn._warnings.warn`` (attributed to the caller's line).
    """
    expected = entry["sha256"][subset]
    path = Path(get_data_home(data_home)) / "morse" / name / f"{subset}.npz"
    arrays, problem = read_cache(path)
    if arrays is not None:
        problem = _layout_problem(*arrays, entry, subset)
        if problem is None and morse_checksum(*arrays) == expected:
            return arrays
        problem = problem or "holds arrays that do not match the registry"
    if problem is not None:
        warn(
            f"cached Morse data {path} is corrupted or stale ({problem}); "
            "regenerating it"
        )
    X, y = generate_variant(name, subset)
    if morse_checksum(X, y) != expected:
        warn(
            f"the generated Morse variant {name!r} ({subset}) does not match its "
            "registry checksum: this platform does not reproduce the registered "
            "arrays bit for bit (run datasets/registry.py --check)",
            RuntimeWarning,
        )
    problem = write_cache(path, X, y)
    if problem is not None:
        warn(f"could not cache the Morse data at {path}: {problem}")
    return X, y


def _describe(name, entry, subset, n_samples, class_order):
    params = ", ".join(f"{k}={v!r}" for k, v in entry["params"].items())
    return (
        f"Morse-code variant {name!r} ({subset}, {n_samples} samples, 64 classes)\n\n"
        f"{entry['description']}\n\nGenerated by sparsenn.datasets.make_morse("
        f"{params}) with seed {entry['seed']}; sha256 {entry['sha256'][subset]}.\n"
        f"Labels in class_order={class_order!r} ('published': the order of the "
        "authors' published datasets). Classes 1 and 10 share the codeword "
        "'-.--.', so accuracy <= ~98.4 %."
    )


def load_morse(
    name, *, subset="train", data_home=None, class_order="published", return_X_y=False
):
    """Load one subset of a registered Morse variant (generated once, cached).

    Parameters
    ----------
    name : str
        A registered variant, e.g. ``"baseline"``, ``"difficult"``,
        ``"baseline-small"``, ``"noise-3"``; see :func:`list_morse_variants`.
    subset : {"train", "val", "test"}, default="train"
    data_home : str or path-like, default=None
        Cache folder, see :func:`get_data_home`; files go to
        ``<data_home>/morse/<name>/<subset>.npz``.
    class_order : {"published", "codebook"}, default="published"
        Label order of ``target``, ``target_names`` and ``codewords``:
        ``"published"`` is the order of the authors' published datasets,
        ``"codebook"`` the order of sparsenn 0.1.0 (the pickle order of
        ``Codebook.npy``); see :func:`relabel_morse`. The frames are the same.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``data`` (n_samples, n_features) float32 in [0, 1]; ``target``
        (n_samples,) int64 in 0..63; ``target_names`` the 64 symbols;
        ``codewords``; ``params`` (the :func:`make_morse` arguments used, with
        ``n_samples_per_class`` and ``seed``); ``name``; ``subset``; ``sha256``
        (the registry's, of the published-order arrays); ``class_order``;
        ``DESCR``.
    (X, y) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    ValueError
        If ``name``, ``subset`` or ``class_order`` is unknown, or ``data_home``
        is a file.

    Notes
    -----
    Every load first checks the SHA-256 of the cached file's bytes against the
    digest file written beside it, and parses the file only if they match; the
    file must then hold exactly ``X`` (float32, of the registered number of
    samples and frame length) and ``y`` (int64, one label per sample), whose
    values must match the registry's SHA-256. A missing
    file is generated; an unreadable, altered or stale one is regenerated with
    a warning (attributed to the caller's line).

    Examples
    --------
    >>> import tempfile
    >>> from sparsenn.datasets import load_morse
    >>> home = tempfile.mkdtemp()
    >>> data = load_morse("baseline-small", subset="test", data_home=home)
    >>> data.data.shape, str(data.target_names[2]), str(data.codewords[2])
    ((3200, 64), 'B', '-...')
    """
    entry = morse_variant(name)
    _check_subset(subset)
    check_class_order(class_order)
    return_X_y = check_bool(return_X_y, "return_X_y")
    X, y = _load_arrays(name, subset, data_home, entry)
    y = relabel_morse(y, source="published", target=class_order)
    if return_X_y:
        return X, y
    params = dict(entry["params"])
    params.update(n_samples_per_class=entry["n_samples_per_class"][subset])
    params.update(seed=entry["seed"])
    entries = codebook(class_order)
    return Bunch(
        data=X,
        target=y,
        target_names=np.array([entry[0] for entry in entries]),
        codewords=np.array([entry[1] for entry in entries]),
        params=params,
        name=name,
        subset=subset,
        sha256=entry["sha256"][subset],
        class_order=class_order,
        DESCR=_describe(name, entry, subset, y.shape[0], class_order),
    )
