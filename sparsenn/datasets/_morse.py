"""The Morse-code frame generator (``make_morse``)."""

import numbers

import numpy as np

from .._memory import check_allocation
from .._validation import check_bool
from ._codebook import CLASS_ORDERS, CODEWORDS, check_class_order, codebook
from ._random import Stream, as_seed_sequence, normal_from_words, to_uniform

__all__ = ["make_morse", "frame_lengths"]

N_CLASSES = len(CODEWORDS)
MAX_ELEMENTS = max(len(code) for code in CODEWORDS)


def _element_table(codewords):
    """(n_classes, MAX_ELEMENTS) int8: 0 = dot, 1 = dash, -1 = no element."""
    table = np.full((len(codewords), MAX_ELEMENTS), -1, dtype=np.int8)
    for m, code in enumerate(codewords):
        table[m, : len(code)] = [".-".index(ch) for ch in code]
    return table


# class order -> element table; rows are generated in label order, so
# class_order="codebook" reproduces sparsenn 0.1.0's arrays bit for bit
_TABLES = {
    order: _element_table([entry[1] for entry in codebook(order)])
    for order in CLASS_ORDERS
}
_ELEMENTS = _TABLES["published"]
_N_ELEMENTS = (_ELEMENTS >= 0).sum(axis=1)

# Independent sub-streams of one seed (spawn keys), so that changing one knob
# leaves the random numbers of the others untouched (common random numbers).
_LAYOUT, _INTENSITY, _NOISE, _FLIPS, _SHUFFLE = range(5)
_ROWS_PER_CHUNK_WORDS = 1 << 18  # ~2 MB of float64 per temporary


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}={value!r} must be an int >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name}={value!r} must be an int >= {minimum}")
    return int(value)


def _check_real(name, value, minimum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}={value!r} must be a real number")
    if not np.isfinite(value) or (minimum is not None and value < minimum):
        bound = "" if minimum is None else f" >= {minimum}"
        raise ValueError(f"{name}={value!r} must be a finite number{bound}")
    return float(value)


def _check_range(name, value, minimum):
    try:
        low, high = value
    except (TypeError, ValueError):
        raise TypeError(f"{name}={value!r} must be a pair (min, max) of ints") from None
    low = _check_int(f"{name}[0]", low, minimum)
    high = _check_int(f"{name}[1]", high, minimum)
    if high < low:
        raise ValueError(f"{name}={value!r}: the maximum must be >= the minimum")
    return low, high


def frame_lengths(dot_length=(1, 3), dash_length=(4, 9), space_length=(1, 3)):
    """Longest frame that each class's codeword can occupy.

    Parameters
    ----------
    dot_length, dash_length, space_length : (int, int)
        Inclusive run-length ranges (already multiplied by any dilation), as
        for :func:`make_morse`: pairs ``(min, max)`` of ints, ``min >= 1`` for
        the marks and ``>= 0`` for the spaces.

    Returns
    -------
    lengths : ndarray of shape (64,), int
        Worst-case number of positions of each class's codeword.

    Examples
    --------
    >>> from sparsenn.datasets import frame_lengths
    >>> int(frame_lengths().max())  # the default frame of 64 always fits
    57
    """
    dot_length = _check_range("dot_length", dot_length, 1)
    dash_length = _check_range("dash_length", dash_length, 1)
    space_length = _check_range("space_length", space_length, 0)
    is_dash = _ELEMENTS == 1
    longest = np.where(is_dash, dash_length[1], dot_length[1]) * (_ELEMENTS >= 0)
    return longest.sum(axis=1) + (_N_ELEMENTS - 1) * space_length[1]


def _validate(n_samples_per_class, style, frame_length, dilation, ranges, knobs):
    _check_int("n_samples_per_class", n_samples_per_class, 1)
    if not isinstance(style, str) or style not in _RENDERERS:
        raise ValueError(f"style={style!r} is not one of {sorted(_RENDERERS)}")
    n_features = _check_int("frame_length", frame_length, 1)
    n_features *= _check_int("dilation", dilation, 1)
    scaled = {}
    for name, (value, minimum) in ranges.items():
        low, high = _check_range(name, value, minimum)
        scaled[name] = (low * dilation, high * dilation)
    lead = knobs["leading_space"]
    lead = float(lead) if isinstance(lead, bool) else _check_real("leading_space", lead)
    if not 0.0 <= lead <= 1.0:
        raise ValueError(f"leading_space={lead!r} must be in [0, 1] (or a bool)")
    longest = int(frame_lengths(**scaled).max())
    if longest > n_features:
        raise ValueError(
            f"the longest codeword needs up to {longest} positions with "
            f"dot_length={ranges['dot_length'][0]}, dash_length="
            f"{ranges['dash_length'][0]}, space_length={ranges['space_length'][0]} "
            f"and dilation={dilation}, but frame_length * dilation = {n_features}; "
            "shorten the ranges or enlarge the frame"
        )
    return n_features, scaled, lead


def _peak_bytes(n_samples, n_features, shuffle):
    """Estimated peak bytes of ``make_morse``: outputs, shuffle copies, chunks."""
    outputs = n_samples * (4 * n_features + 8)  # X float32, y int64
    rows = min(n_samples, max(1, _ROWS_PER_CHUNK_WORDS // n_features))
    # ~16 float64/int64 temporaries of a chunk's shape (layout, words, frame)
    chunk_temporaries = 16 * 8 * rows * max(n_features + 1, 2 * MAX_ELEMENTS)
    if shuffle:  # raw words, argsort and its buffer, then X[order] and y[order]
        return 2 * outputs + 3 * 8 * n_samples + chunk_temporaries
    return outputs + chunk_temporaries


def _check_memory(n_samples_per_class, n_features, shuffle):
    n_samples = N_CLASSES * n_samples_per_class
    check_allocation(
        _peak_bytes(n_samples, n_features, shuffle),
        f"n_samples_per_class={n_samples_per_class} "
        f"({n_samples} frames of {n_features} values)",
    )


def _layout(elements, scaled, lead_fraction, n_features, stream):
    """Mark indicator (n, n_features) of bool for one chunk of element rows."""
    n = elements.shape[0]
    u = stream.uniform((n, 2 * MAX_ELEMENTS))  # lengths, gaps, lead
    n_elements = (elements >= 0).sum(axis=1)
    low = np.where(elements == 1, scaled["dash_length"][0], scaled["dot_length"][0])
    high = np.where(elements == 1, scaled["dash_length"][1], scaled["dot_length"][1])
    marks = low + np.floor(u[:, :MAX_ELEMENTS] * (high - low + 1)).astype(np.int64)
    marks *= elements >= 0
    s_low, s_high = scaled["space_length"]
    gaps = s_low + np.floor(u[:, MAX_ELEMENTS:-1] * (s_high - s_low + 1))
    gaps = gaps.astype(np.int64) * (np.arange(1, MAX_ELEMENTS) < n_elements[:, None])
    free = n_features - marks.sum(axis=1) - gaps.sum(axis=1)
    room = np.floor(lead_fraction * free)
    lead = np.floor(u[:, -1] * (room + 1)).astype(np.int64)
    steps = marks[:, :-1] + gaps
    starts = lead[:, None] + np.concatenate(
        [np.zeros((n, 1), np.int64), np.cumsum(steps, axis=1)], axis=1
    )
    valid = elements >= 0
    offsets = np.arange(n)[:, None] * (n_features + 1)
    size = n * (n_features + 1)
    edges = np.bincount((offsets + starts)[valid], minlength=size)
    edges -= np.bincount((offsets + starts + marks)[valid], minlength=size)
    inside = np.cumsum(edges.reshape(n, n_features + 1), axis=1)[:, :n_features]
    return inside > 0


def _render_gray(inside, streams, knobs):
    # one word pair per position is drawn (chunk invariance); only marks use theirs
    words = streams[_INTENSITY].raw((*inside.shape, 2))
    frame = np.zeros(inside.shape)
    symbols = normal_from_words(words[inside])
    frame[inside] = knobs["symbol_mean"] + knobs["symbol_std"] * symbols
    if knobs["noise_std"]:
        frame += knobs["noise_std"] * streams[_NOISE].normal(inside.shape)
    frame += knobs["noise_mean"]
    np.clip(frame, 0.0, knobs["levels"], out=frame)
    frame /= knobs["levels"]
    return np.round(frame, 3, out=frame)


def _render_binary(inside, streams, knobs):
    frame = inside.astype(np.float64)
    if knobs["max_flips"]:
        n, n_features = inside.shape
        words = streams[_FLIPS].raw((n, n_features + 1))  # count, then sort keys
        n_flips = np.floor(to_uniform(words[:, 0]) * (knobs["max_flips"] + 1))
        n_flips = n_flips.astype(np.int64)
        keys = words[:, 1:]
        ordered = np.sort(keys, axis=1)
        ordered = np.concatenate(
            [ordered, np.full((n, 1), np.iinfo(np.uint64).max, np.uint64)], axis=1
        )
        threshold = ordered[np.arange(n), n_flips]
        flip = keys < threshold[:, None]
        frame[flip] = 1.0 - frame[flip]
    return frame


_RENDERERS = {"gray": _render_gray, "binary": _render_binary}


def _check_style_knobs(style, n_features, knobs):
    for name in ("noise_std", "symbol_std"):
        _check_real(name, knobs[name], 0.0)
    for name in ("noise_mean", "symbol_mean"):
        _check_real(name, knobs[name])
    if _check_real("levels", knobs["levels"]) <= 0:
        raise ValueError(f"levels={knobs['levels']!r} must be > 0")
    flips = _check_int("max_flips", knobs["max_flips"], 0)
    if flips > n_features:
        raise ValueError(
            f"max_flips={flips} exceeds the {n_features} positions of the frame"
        )
    if style == "binary" and (knobs["noise_std"] or knobs["noise_mean"]):
        raise ValueError(
            "noise_std/noise_mean apply to style='gray' only; binary frames are "
            "corrupted with max_flips"
        )
    if style == "gray" and flips:
        raise ValueError(f"max_flips={flips} applies to style='binary' only")


def make_morse(
    n_samples_per_class=100,
    *,
    style="gray",
    frame_length=64,
    dilation=1,
    dot_length=(1, 3),
    dash_length=(4, 9),
    space_length=(1, 3),
    leading_space=0.0,
    noise_std=0.0,
    noise_mean=0.0,
    max_flips=0,
    levels=16,
    symbol_mean=12.0,
    symbol_std=1.34,
    shuffle=True,
    class_order="published",
    random_state=None,
):
    """Generate Morse-code frames of the 64 codebook classes.

    Each sample is one codeword drawn as runs of "on" positions (dots and dashes)
    separated by "off" runs (intra-character spaces) inside a frame of
    ``frame_length * dilation`` positions.

    Parameters
    ----------
    n_samples_per_class : int, default=100
        Samples per class; the output has ``64 * n_samples_per_class`` rows.
    style : {"gray", "binary"}, default="gray"
        ``"gray"``: intensities ``N(symbol_mean, symbol_std**2)`` on marks, 0 on
        spaces, plus Gaussian noise everywhere, clipped to ``[0, levels]``, divided
        by ``levels`` and rounded to 3 decimals. ``"binary"``: 1 on marks, 0
        elsewhere, then up to ``max_flips`` distinct positions flipped.
    frame_length : int, default=64
        Frame length before dilation.
    dilation : int, default=1
        Multiplies ``frame_length`` and the six run-length bounds (2 gives
        frames of 128, 4 gives 256).
    dot_length, dash_length, space_length : (int, int), defaults (1, 3), (4, 9), (1, 3)
        Inclusive ranges of the run lengths before dilation, drawn uniformly per
        element. Marks need a minimum >= 1; spaces may be 0 (marks then merge).
        ``dash_length[0] <= dot_length[1]`` makes dashes and dots confusable.
    leading_space : float in [0, 1] or bool, default=0.0
        Position jitter. With ``free`` = frame positions the codeword leaves, the
        codeword starts at a uniform position in ``0 .. floor(leading_space *
        free)``. 0 puts it at the start of the frame; 1 (or True) uses all free
        room, as the reference generator's ``leadingsp_rand=1``.
    noise_std, noise_mean : float, default=0.0
        Gaussian noise added to every position (gray style), in intensity levels
        (``noise_std=4`` with ``levels=16`` is 0.25 after scaling).
    max_flips : int, default=0
        Binary style: each frame flips a uniform number in ``0 .. max_flips`` of
        distinct random positions.
    levels : float, default=16
        Intensity full scale (gray style).
    symbol_mean, symbol_std : float, defaults 12.0 and 1.34
        Mark intensities in levels (gray style).
    shuffle : bool, default=True
        Shuffle the samples; otherwise they are grouped by class, class 0 first.
    class_order : {"published", "codebook"}, default="published"
        Which class gets which label. ``"published"``: the label order of the
        authors' published ``baseline.npz`` / ``difficult.npz``
        (:data:`~sparsenn.datasets.CODEBOOK`). ``"codebook"``: the insertion
        order of their ``Codebook.npy`` pickle, the order of sparsenn 0.1.0;
        with it the output is sparsenn 0.1.0's, bit for bit. Labels convert
        with :func:`~sparsenn.datasets.relabel_morse`.
    random_state : int, SeedSequence, Generator, RandomState or None, default=None
        Seed. The same int always gives the same arrays, whatever the NumPy
        version (variates come from raw PCG64 words, see Notes).

    Returns
    -------
    X : ndarray of shape (64 * n_samples_per_class, frame_length * dilation), float32
        Frames with values in [0, 1].
    y : ndarray of shape (64 * n_samples_per_class,), int64
        Class indices 0..63 into :data:`sparsenn.datasets.CODEBOOK` (or into
        ``codebook("codebook")`` with ``class_order="codebook"``).

    Raises
    ------
    ValueError
        If a size is < 1, a range is empty or negative, ``leading_space`` is
        outside [0, 1], a style-specific knob is used with the other style, the
        longest codeword cannot fit the frame (the message gives both lengths), or
        the arrays would not fit in the available memory (checked before
        allocating; the message gives ``n_samples_per_class`` and the estimate).

    Notes
    -----
    The frame model follows the reference generator of Dey et al.: per element
    a run length, between elements a space length, all uniform on their ranges;
    the frame is zero-padded after the codeword. Classes 1 (``Ĥ``) and 10
    (``(``) share the codeword ``-.--.`` and are kept, so the Bayes accuracy is at
    most about 98.4 %.

    Every knob draws from its own sub-stream of ``random_state`` (layout, mark
    intensities, noise, flips, shuffle), so changing, say, ``noise_std`` keeps
    the same codeword layouts. Variates are computed from raw PCG64 output with
    plain float64 arithmetic (see ``sparsenn.datasets._random``), which keeps the
    registry checksums valid across NumPy versions.

    Examples
    --------
    >>> from sparsenn.datasets import make_morse
    >>> X, y = make_morse(10, noise_std=2.0, random_state=0)
    >>> X.shape, X.dtype, y.shape
    ((640, 64), dtype('float32'), (640,))
    >>> bool(X.min() >= 0.0 and X.max() <= 1.0)
    True
    """
    ranges = {
        "dot_length": (dot_length, 1),
        "dash_length": (dash_length, 1),
        "space_length": (space_length, 0),
    }
    knobs = dict(
        leading_space=leading_space,
        noise_std=noise_std,
        noise_mean=noise_mean,
        max_flips=max_flips,
        levels=levels,
        symbol_mean=symbol_mean,
        symbol_std=symbol_std,
    )
    n_features, scaled, lead = _validate(
        n_samples_per_class, style, frame_length, dilation, ranges, knobs
    )
    _check_style_knobs(style, n_features, knobs)
    check_class_order(class_order)
    shuffle = check_bool(shuffle, "shuffle")
    _check_memory(n_samples_per_class, n_features, shuffle)
    seed = as_seed_sequence(random_state)
    streams = [
        Stream(np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, k)))
        for k in range(5)
    ]
    y = np.repeat(np.arange(N_CLASSES, dtype=np.int64), n_samples_per_class)
    X = np.empty((y.shape[0], n_features), dtype=np.float32)
    chunk = max(1, _ROWS_PER_CHUNK_WORDS // n_features)
    render = _RENDERERS[style]
    table = _TABLES[class_order]
    for start in range(0, y.shape[0], chunk):
        elements = table[y[start : start + chunk]]
        inside = _layout(elements, scaled, lead, n_features, streams[_LAYOUT])
        X[start : start + chunk] = render(inside, streams, knobs)
    if shuffle:
        order = streams[_SHUFFLE].permutation(y.shape[0])
        X, y = X[order], y[order]
    return X, y
