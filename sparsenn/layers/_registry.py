"""Weight types by name: one factory for every junction an estimator builds.

``make_weights("hashed", 784, 256, rng=rng, compression=1 / 16)`` returns a
ready ``WeightMatrix``; the names are the keys of ``WEIGHT_TYPES``, so an
estimator can expose a single ``weights=`` parameter and ``GridSearchCV`` can
search across methods.  Each builder takes the same leading arguments
``(n_in, n_out, *, rng, dtype, init_var)`` and its own keyword options; an
option a type does not take is an error naming the type and its options.
"""

import inspect

import numpy as np

from .._memory import check_allocation
from .._validation import as_dtype, as_generator, check_int
from ._circulant import CirculantWeights, _block_size
from ._dense import DenseWeights
from ._hashed import BLOCK_ENTRIES, HashedWeights, _n_weights
from ._hmatrix import HMatrixWeights, _uniform, initial_variance
from ._lowrank import FixedDictionaryWeights, LowRankWeights

__all__ = ["WEIGHT_TYPES", "make_weights", "weight_bytes", "weight_options"]


def _dense(n_in, n_out, *, rng, dtype, init_var):
    var = initial_variance(init_var, n_in, n_out)
    return DenseWeights(_uniform(rng, (n_in, n_out), var, dtype))


def _hashed(
    n_in,
    n_out,
    *,
    rng,
    dtype,
    init_var,
    n_weights=None,
    compression=None,
    seed=None,
    kernel="auto",
    hashing="window",
):
    # Each junction gets its own hash: a seed drawn from rng unless given.
    seed = int(rng.integers(0, 2**63)) if seed is None else seed
    return HashedWeights(
        n_in,
        n_out,
        n_weights,
        compression,
        rng,
        dtype,
        seed,
        init_var=init_var,
        kernel=kernel,
        hashing=hashing,
    )


def _circulant(n_in, n_out, *, rng, dtype, init_var, block_size=None, signs=True):
    return CirculantWeights(
        n_in,
        n_out,
        block_size=block_size,
        signs=signs,
        init_var=init_var,
        random_state=rng,
        dtype=dtype,
    )


def _lowrank(n_in, n_out, *, rng, dtype, init_var, rank=8):
    return LowRankWeights(
        n_in, n_out, rank, init_var=init_var, random_state=rng, dtype=dtype
    )


def _fixed_dictionary(
    n_in,
    n_out,
    *,
    rng,
    dtype,
    init_var,
    n_atoms=8,
    dictionary="se",
    length_scale=1.0,
    image_shape=None,
):
    return FixedDictionaryWeights(
        n_in,
        n_out,
        n_atoms,
        dictionary=dictionary,
        length_scale=length_scale,
        image_shape=image_shape,
        init_var=init_var,
        random_state=rng,
        dtype=dtype,
    )


def _hmatrix(
    n_in,
    n_out,
    *,
    rng,
    dtype,
    init_var,
    rank=8,
    leaf_size=64,
    admissibility="weak",
    n_levels=None,
    eta=1.0,
):
    return HMatrixWeights(
        n_in,
        n_out,
        rank=rank,
        leaf_size=leaf_size,
        admissibility=admissibility,
        n_levels=n_levels,
        eta=eta,
        init_var=init_var,
        random_state=rng,
        dtype=dtype,
    )


WEIGHT_TYPES = {
    "dense": _dense,
    "hashed": _hashed,
    "circulant": _circulant,
    "lowrank": _lowrank,
    "fixed_dictionary": _fixed_dictionary,
    "hmatrix": _hmatrix,
}

_COMMON = ("n_in", "n_out", "rng", "dtype", "init_var")
_CLASSES = {
    "dense": "DenseWeights",
    "hashed": "HashedWeights",
    "circulant": "CirculantWeights",
    "lowrank": "LowRankWeights",
    "fixed_dictionary": "FixedDictionaryWeights",
    "hmatrix": "HMatrixWeights",
}


def weight_options(kind):
    """Return the options (with their defaults) that weight type ``kind`` takes.

    Parameters
    ----------
    kind : str
        A key of ``WEIGHT_TYPES``.

    Returns
    -------
    options : dict
        ``{name: default}``.

    Examples
    --------
    >>> weight_options("circulant")
    {'block_size': None, 'signs': True}
    """
    builder = _builder(kind)
    params = inspect.signature(builder).parameters.values()
    return {p.name: p.default for p in params if p.name not in _COMMON}


def _builder(kind):
    if not isinstance(kind, str) or kind not in WEIGHT_TYPES:
        raise ValueError(f"kind must be one of {sorted(WEIGHT_TYPES)}; got {kind!r}.")
    return WEIGHT_TYPES[kind]


def make_weights(
    kind, n_in, n_out, *, rng=None, dtype=np.float64, init_var=None, **options
):
    """Build the weight matrix of one junction by type name.

    Parameters
    ----------
    kind : {"dense", "hashed", "circulant", "lowrank", "fixed_dictionary", \
"hmatrix"}
        The weight type (a key of ``WEIGHT_TYPES``).
    n_in, n_out : int
        Shape ``(n_in, n_out)`` of the junction.
    rng : None, int, numpy Generator or RandomState, default=None
        Draws the initial values (and, for ``"hashed"``, the hash seed unless
        ``seed`` is given, so that every junction gets its own hash).
    dtype : floating dtype, default=np.float64
    init_var : float, optional
        Variance of the initial entries of ``W`` (default Glorot,
        ``2 / (n_in + n_out)``); an estimator passes ``bound**2 / 3`` of its
        activation's uniform bound.
    **options
        The type's own parameters, see :func:`weight_options`:
        ``"hashed"``: ``n_weights`` or ``compression`` (default 1/8), ``seed``,
        ``kernel``, ``hashing``; ``"circulant"``: ``block_size``, ``signs``;
        ``"lowrank"``: ``rank`` (8); ``"fixed_dictionary"``: ``n_atoms`` (8),
        ``dictionary``, ``length_scale``, ``image_shape``; ``"hmatrix"``:
        ``rank``, ``leaf_size``, ``admissibility``, ``n_levels``, ``eta``.

    Returns
    -------
    weights : WeightMatrix
        Of shape ``(n_in, n_out)``.

    Raises
    ------
    ValueError
        If ``kind`` is unknown (or an option's value is invalid: the type's
        own message, naming the option), or the junction cannot fit in memory
        (checked with :func:`weight_bytes` before anything is allocated).
    TypeError
        If an option is not one that ``kind`` takes.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import make_weights
    >>> W = make_weights("hashed", 64, 32, rng=0, compression=1 / 16)
    >>> type(W).__name__, W.shape, W.n_params
    ('HashedWeights', (64, 32), 128)
    >>> make_weights("circulant", 64, 64, rng=0, dtype=np.float32).n_params
    64
    """
    builder = _builder(kind)
    allowed = weight_options(kind)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise TypeError(
            f"weight type {kind!r} takes no option {', '.join(map(repr, unknown))}; "
            f"its options are {sorted(allowed)}."
        )
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    dtype = as_dtype(dtype)
    rng = as_generator(rng)
    n_bytes = _option_bytes(kind, n_in, n_out, dtype.itemsize, options)
    if n_bytes is not None:  # else the builder names the unusable option
        check_allocation(
            n_bytes,
            f"{_CLASSES[kind]}(n_in={n_in}, n_out={n_out}) from make_weights({kind!r})",
        )
    return builder(n_in, n_out, rng=rng, dtype=dtype, init_var=init_var, **options)


def hmatrix_bytes(n_in, n_out, rank, leaf_size, itemsize):
    """Estimate of the bytes of an H-matrix junction's weights.

    About ``rank * (n_in + n_out)`` values per level plus the dense diagonal
    leaves; a junction no larger than a leaf is dense.

    Examples
    --------
    >>> hmatrix_bytes(1024, 1024, 8, 64, 8) < 1024 * 1024 * 8
    True
    """
    if min(n_in, n_out) <= leaf_size:
        return n_in * n_out * itemsize
    levels = max(1, int(np.log2(min(n_in, n_out) / leaf_size)) + 1)
    leaves = 2 * leaf_size * max(n_in, n_out)
    return (rank * (n_in + n_out) * levels + leaves) * itemsize


def _values(kind, n_in, n_out, options):
    """Count the values a weight type stores (parameters, large fixed arrays)."""
    if kind == "hashed":
        k = _n_weights(
            options.get("n_weights"), options.get("compression"), n_in, n_out
        )
        return k + 2 * BLOCK_ENTRIES  # the real weights and a block per worker
    if kind == "circulant":
        # the builder's own check: sizes it cannot serve raise here, unallocated
        block = _block_size(options.get("block_size"), n_in, n_out)
        return n_in * n_out // block * 2  # coefficients and their spectra
    if kind == "lowrank":
        return min(options.get("rank", 8), n_in, n_out) * (n_in + n_out)
    if kind == "fixed_dictionary":
        return min(options.get("n_atoms", 8), n_in) * (n_in + n_out)
    return n_in * n_out


def weight_bytes(kind, n_in, n_out, itemsize, **options):
    """Estimate the bytes one junction of weight type ``kind`` stores.

    Used to refuse impossible networks before anything is allocated; options
    the type cannot use count 0 bytes, so that ``make_weights`` names the bad
    option (a memory refusal would hide it; each type guards its own arrays).

    Parameters
    ----------
    kind : str
        A key of ``WEIGHT_TYPES``.
    n_in, n_out : int
        Shape of the junction.
    itemsize : int
        Bytes per value.
    **options
        The type's options, as for :func:`make_weights`.

    Returns
    -------
    n_bytes : int

    Examples
    --------
    >>> weight_bytes("lowrank", 30000, 30000, 8, rank=8)
    3840000
    >>> weight_bytes("dense", 30000, 30000, 8)
    7200000000
    """
    n_bytes = _option_bytes(kind, n_in, n_out, itemsize, options)
    return 0 if n_bytes is None else n_bytes


def _option_bytes(kind, n_in, n_out, itemsize, options):
    """Return :func:`weight_bytes`'s estimate, or None if an option is unusable."""
    if kind == "hmatrix":
        rank, leaf = options.get("rank", 8), options.get("leaf_size", 64)
        try:
            if np.ndim(rank) == 1:  # one rank per level: bound by the largest
                rank = max(rank)
            return hmatrix_bytes(n_in, n_out, int(rank), int(leaf), itemsize)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
    try:
        return int(_values(kind, n_in, n_out, options)) * itemsize
    except (TypeError, ValueError):
        return None
