"""The scatter metric of Dey, Chugg and Beerel (spread of a connection pattern)."""

import numbers
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._memory import check_allocation
from .._warnings import warn
from ._degrees import _check_density
from ._utils import check_int, divisors

__all__ = [
    "ScatterResult",
    "default_window_size",
    "scatter",
    "windows_1d",
    "windows_2d",
]


def windows_1d(n, size, stride=None):
    """Contiguous windows over ``n`` neurons.

    ``floor((n - size) / stride) + 1`` windows starting at ``k * stride``;
    leftover neurons at the end are ignored with a ``UserWarning``.

    Parameters
    ----------
    n : int
        Number of neurons in the layer.
    size : int
        Window size, ``1 <= size <= n``.
    stride : int, optional
        Step between window starts (default ``size``).

    Returns
    -------
    ndarray of int64, shape (n_windows, size)

    Examples
    --------
    >>> from sparsenn.connectivity import windows_1d
    >>> windows_1d(6, 2).tolist()
    [[0, 1], [2, 3], [4, 5]]
    """
    n = check_int(n, "n", low=1)
    size = check_int(size, "size", low=1, high=n)
    stride = size if stride is None else check_int(stride, "stride", low=1)
    count = (n - size) // stride + 1
    if (n - size) % stride:
        warn(
            f"windows of size {size} and stride {stride} leave the last "
            f"{(n - size) % stride} of {n} neurons uncovered",
            UserWarning,
        )
    check_allocation(  # the table and the column of window starts
        8 * (count * size + count + size),
        f"n={n} ({count} windows of size {size})",
    )
    return np.arange(count)[:, None] * stride + np.arange(size)[None, :]


def windows_2d(shape, size, stride=None):
    """Rectangular patches over a row-major ``(height, width)`` layer.

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)``; the layer has ``height * width`` neurons.
    size : int or tuple of int
        Patch ``(h, w)`` (an int means square).
    stride : int or tuple of int, optional
        Steps (default ``size``).

    Returns
    -------
    ndarray of int64, shape (n_windows, h * w)

    Examples
    --------
    >>> from sparsenn.connectivity import windows_2d
    >>> windows_2d((4, 4), 2)[0].tolist()
    [0, 1, 4, 5]
    """
    if len(np.atleast_1d(shape)) != 2:
        raise ValueError(f"shape must be (height, width), got shape={shape!r}")
    height, width = shape
    size = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
    stride = size if stride is None else stride
    stride = (stride, stride) if isinstance(stride, numbers.Integral) else stride
    rows = windows_1d(height, size[0], stride[0])
    cols = windows_1d(width, size[1], stride[1])
    flat = rows[:, None, :, None] * width + cols[None, :, None, :]
    return flat.reshape(rows.shape[0] * cols.shape[0], -1)


def default_window_size(n, density):
    """Largest divisor of ``n`` not above ``1 / density`` (at least 1).

    With this size the ideal count ``size * density`` is at most 1, and there are
    no leftover neurons. The divisors are enumerated in O(sqrt(n)).

    Parameters
    ----------
    n : int
        Neurons of the layer, at least 1.
    density : float
        Density in (0, 1].

    Returns
    -------
    int

    Examples
    --------
    >>> from sparsenn.connectivity import default_window_size
    >>> default_window_size(1024, 1 / 8), default_window_size(10, 1 / 4)
    (8, 2)
    """
    n = check_int(n, "n", low=1)
    target = 1.0 / _check_density(density) + 1e-9
    return max(k for k in divisors(n) if k <= target)


@dataclass(frozen=True, eq=False)
class ScatterResult:
    """Scatter values of a network (see :func:`scatter`).

    Attributes
    ----------
    values : ndarray, shape (2 * (L + 1),)
        ``(S_1^f, S_1^b, ..., S_L^f, S_L^b, S_net^f, S_net^b)``.
    junction_forward, junction_backward : ndarray, shape (L,)
    net_forward, net_backward : float
    scalar : float
        ``values.min()``, the single-number scatter.
    """

    values: np.ndarray
    junction_forward: np.ndarray
    junction_backward: np.ndarray
    net_forward: float
    net_backward: float
    scalar: float


def _as_pattern(p, i):
    if sp.issparse(p):
        a = sp.csr_matrix(p, copy=True)
        a.eliminate_zeros()
        a.data = np.ones(a.nnz, dtype=np.int64)
    else:
        arr = np.asarray(p)
        if arr.ndim != 2:
            raise ValueError(f"patterns[{i}] must be 2-D, got shape {arr.shape}")
        a = sp.csr_matrix((arr != 0).astype(np.int64))
    if a.nnz == 0:
        raise ValueError(f"patterns[{i}] has no edges; scatter is undefined")
    return a


def _window_matrix(spec, n, name):
    """(n, n_windows) 0/1 indicator and the window size."""
    if isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
        if not 1 <= spec <= n:
            raise ValueError(f"{name}={spec} must be a window size in 1..{n}")
        table = windows_1d(n, int(spec))
    else:
        table = np.asarray(spec)
        if table.ndim != 2 or not np.issubdtype(table.dtype, np.integer):
            raise ValueError(f"{name} must be an int or a 2-D integer index table")
        if table.min() < 0 or table.max() >= n:
            raise ValueError(f"{name} indices must lie in 0..{n - 1}")
    n_win, size = table.shape
    cols = np.repeat(np.arange(n_win), size)
    ind = sp.csr_matrix(
        (np.ones(table.size, dtype=np.int64), (table.ravel(), cols)), shape=(n, n_win)
    )
    return ind, size


def _directional(adj, win_spec, n_win_side, mean_degree_ratio, n_matter, name):
    """Mean over judged neurons (rows of adj, first n_matter) of clipped ratios."""
    ind, size = _window_matrix(win_spec, n_win_side, name)
    ideal = size * mean_degree_ratio
    counts = (adj @ ind).tocsr()
    counts.data = np.minimum(counts.data / ideal, 1.0)
    per_neuron = np.asarray(counts.sum(axis=1)).ravel() / ind.shape[1]
    return float(per_neuron[:n_matter].mean())


def _layer_windows(windows, sizes, densities):
    n_layers = len(sizes)
    if windows is None:
        out = []
        for h, n in enumerate(sizes):
            adjacent = densities[max(h - 1, 0) : h + 1]
            out.append(default_window_size(n, max(adjacent)))
        return out
    if isinstance(windows, numbers.Integral) and not isinstance(windows, bool):
        return [windows] * n_layers
    windows = list(windows)
    if len(windows) != n_layers:
        raise ValueError(
            f"windows must give one entry per layer (L + 1 = {n_layers}), "
            f"got {len(windows)}"
        )
    return windows


def _matter(value, n, name):
    if value is None:
        return n
    return check_int(value, name, low=1, high=n)


def scatter(patterns, *, windows=None, net_windows=1, in_matter=None, out_matter=None):
    """Scatter of a network's connection patterns.

    For junction ``i`` with pattern ``P`` (inputs x outputs) and density
    ``rho = nnz / (n_in n_out)``: forward ``S_i^f`` judges every output neuron
    ``k`` against windows ``w`` of the input layer, ``c = sum_{l in w} P[l, k]``,
    ideal ``|w| * rho``; backward ``S_i^b`` judges every input neuron against
    windows of the output layer. Each count gives ``min(c / ideal, 1)``,
    averaged over windows then neurons. The net values use the path-count matrix
    ``P_1 @ ... @ P_L`` with ideal ``|w| * prod(mean out-degrees) / N_L``
    (forward) and ``|w| * prod(mean in-degrees) / N_0`` (backward); mean degrees
    equal the exact ones for biregular patterns.

    Parameters
    ----------
    patterns : sequence of sparse matrices or 2-D arrays
        ``L`` patterns of shapes ``(N_0, N_1), (N_1, N_2), ...``; nonzero = edge.
    windows : None, int or sequence of length L + 1
        Windows per layer ``0..L`` (used by both adjacent junctions); each entry an
        int (1-D windows of that size, stride = size) or an index table of shape
        (n_windows, size), e.g. from :func:`windows_2d`. ``None``: for layer ``h``
        the largest divisor of ``N_h`` not above ``1 / rho_h``
        (:func:`default_window_size`), with ``rho_h`` the larger density of the
        adjacent junctions, so every junction's ideal count is <= 1 and a neuron
        scores 1 iff it reaches every window (for Dey's Morse net this gives the
        authors' size 8).
    net_windows : int, index table, or tuple of two of them
        Windows for the whole-network input and output evaluation (default 1,
        the authors' choice); a tuple gives (input windows, output windows).
    in_matter, out_matter : int, optional
        Average only over the first ``in_matter`` inputs (junction-1 backward and
        net backward) and the first ``out_matter`` outputs (junction-L forward
        and net forward), for padded layers.

    Returns
    -------
    ScatterResult

    Examples
    --------
    The worked example of Dey's slides, N = (6, 4, 2):

    >>> import numpy as np
    >>> from sparsenn.connectivity import scatter
    >>> b1 = np.array([[0, 1, 1, 0, 1, 0], [0, 0, 1, 0, 1, 1],
    ...                [1, 0, 0, 1, 0, 1], [1, 1, 0, 1, 0, 0]])
    >>> b2 = np.array([[0, 0, 1, 1], [1, 1, 0, 0]])
    >>> res = scatter([b1.T, b2.T])  # transpose: rows = inputs
    >>> np.round(res.values, 2).tolist(), res.scalar
    ([0.83, 0.67, 0.5, 1.0, 0.67, 0.67], 0.5)
    """
    if isinstance(patterns, (np.ndarray,)) or sp.issparse(patterns):
        patterns = [patterns]
    if isinstance(patterns, str) or not np.iterable(patterns):
        raise TypeError(
            "patterns must be a sparse matrix, a 2-D array or a sequence of them; "
            f"got {type(patterns).__name__}"
        )
    mats = [_as_pattern(p, i) for i, p in enumerate(patterns)]
    if not mats:
        raise ValueError("patterns must hold at least one junction")
    for i in range(1, len(mats)):
        if mats[i].shape[0] != mats[i - 1].shape[1]:
            raise ValueError(
                f"patterns[{i}] has {mats[i].shape[0]} inputs but patterns[{i - 1}] "
                f"has {mats[i - 1].shape[1]} outputs"
            )
    sizes = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    dens = [m.nnz / (m.shape[0] * m.shape[1]) for m in mats]
    win = _layer_windows(windows, sizes, dens)
    n_in_matter = _matter(in_matter, sizes[0], "in_matter")
    n_out_matter = _matter(out_matter, sizes[-1], "out_matter")
    n_jn = len(mats)
    fwd, bwd = np.empty(n_jn), np.empty(n_jn)
    for i, p in enumerate(mats):
        n_l, n_r = p.shape
        fwd[i] = _directional(
            p.T.tocsr(),
            win[i],
            n_l,
            dens[i],
            n_out_matter if i == n_jn - 1 else n_r,
            f"windows[{i}]",
        )
        bwd[i] = _directional(
            p,
            win[i + 1],
            n_r,
            dens[i],
            n_in_matter if i == 0 else n_l,
            f"windows[{i + 1}]",
        )
    net = mats[0]
    for p in mats[1:]:
        net = (net @ p).tocsr()
    if isinstance(net_windows, tuple):
        net_in, net_out = net_windows
    else:
        net_in = net_out = net_windows
    mean_out = np.prod([m.nnz / m.shape[0] for m in mats])
    mean_in = np.prod([m.nnz / m.shape[1] for m in mats])
    net_f = _directional(
        net.T.tocsr(),
        net_in,
        sizes[0],
        mean_out / sizes[-1],
        n_out_matter,
        "net_windows",
    )
    net_b = _directional(
        net, net_out, sizes[-1], mean_in / sizes[0], n_in_matter, "net_windows"
    )
    values = np.empty(2 * n_jn + 2)
    values[0:-2:2], values[1:-2:2] = fwd, bwd
    values[-2:] = net_f, net_b
    return ScatterResult(values, fwd, bwd, net_f, net_b, float(values.min()))
