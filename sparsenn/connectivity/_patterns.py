"""Name -> generator table and the one-call entry point used by estimators."""

import warnings

from ._clash_free import clash_free
from ._degrees import default_parallelism, degrees_for_density
from ._generators import circulant, random, structured
from ._rtl import rtl_clash_free
from ._utils import as_generator, check_int

__all__ = ["PATTERNS", "connection_pattern"]

#: Connectivity name -> generator. ``random`` takes ``n_edges`` as its size
#: argument, the others ``out_degree``.
PATTERNS = {
    "random": random,
    "structured": structured,
    "clash_free": clash_free,
    "circulant": circulant,
}


def connection_pattern(
    connectivity,
    n_in,
    n_out,
    density,
    *,
    parallelism=None,
    random_state=None,
    rtl_compatible=False,
):
    """Build the pattern of one junction from a connectivity name and a density.

    The size comes from :func:`degrees_for_density` (nearest feasible density),
    the pattern from ``PATTERNS[connectivity]``. Clash-free junctions use kind 2
    without dither (random seed vectors), ``z = parallelism`` or, if ``None``,
    :func:`default_parallelism`.

    Parameters
    ----------
    connectivity : {"random", "structured", "clash_free", "circulant"}
    n_in, n_out : int
        Junction size.
    density : float
        Requested density in (0, 1].
    parallelism : int, optional
        Degree of parallelism ``z`` for ``"clash_free"``. Ignored, with a
        ``UserWarning``, for the other connectivities.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Source of randomness.
    rtl_compatible : bool, default=False
        ``"clash_free"`` only: the released RTL's order (kind 2, all seed
        vectors zero, no dither, ``z`` a multiple of the in-degree, by default
        ``z = in_degree``), deterministic; see
        :func:`sparsenn.connectivity._rtl.rtl_clash_free`.

    Returns
    -------
    pattern : scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8
    order : ClashFreeOrder or None
        The weight order for ``"clash_free"``, else ``None``.

    Examples
    --------
    >>> from sparsenn.connectivity import connection_pattern
    >>> p, order = connection_pattern("clash_free", 784, 1024, 0.1, random_state=0)
    >>> p.nnz, order.z, order.in_degree, order.is_clash_free()
    (100352, 98, 98, True)
    """
    if connectivity not in PATTERNS:
        raise ValueError(
            f"connectivity={connectivity!r} is not supported; "
            f"allowed: {', '.join(PATTERNS)}"
        )
    if parallelism is not None:
        parallelism = check_int(parallelism, "parallelism", low=1)
        if connectivity != "clash_free":
            warnings.warn(
                f"parallelism={parallelism} is ignored for "
                f"connectivity={connectivity!r} (only used by 'clash_free')",
                UserWarning,
                stacklevel=2,
            )
    if rtl_compatible:
        if connectivity != "clash_free":
            raise ValueError(
                f"rtl_compatible=True needs connectivity='clash_free' (the released "
                f"RTL's order), got connectivity={connectivity!r}."
            )
        return rtl_clash_free(n_in, n_out, density, parallelism=parallelism)
    degrees = degrees_for_density(
        n_in, n_out, density, connectivity=connectivity, z=parallelism
    )
    rng = as_generator(random_state)
    generator = PATTERNS[connectivity]
    if connectivity == "random":
        return generator(n_in, n_out, degrees.n_edges, random_state=rng), None
    if connectivity != "clash_free":
        return generator(n_in, n_out, degrees.out_degree, random_state=rng), None
    z = parallelism
    if z is None:
        z = default_parallelism(n_in, n_out, degrees.out_degree)
    return generator(
        n_in, n_out, degrees.out_degree, z=z, random_state=rng, return_order=True
    )
