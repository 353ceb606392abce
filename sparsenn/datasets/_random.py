"""Version-stable random streams for the dataset generators.

NumPy only promises stream stability for its bit generators and ``SeedSequence``,
not for ``Generator`` methods. The registry's checksums must survive NumPy upgrades,
so every variate here is derived from raw PCG64 output with plain IEEE arithmetic:

- uniform in [0, 1): the top 53 bits of a raw 64-bit word times 2**-53;
- integers in [lo, hi]: ``lo + floor(u * (hi - lo + 1))``;
- standard normals: Box-Muller from two uniforms, keeping only the cosine branch,
  so every normal consumes exactly two raw words (chunk-size independent);
  the cosine is computed from ``tan`` (see ``Stream.normal``);
- permutations: a stable argsort of raw words.

Transcendentals (log, tan) can differ by an ulp between platforms; the generators
round their output to 3 decimals, which absorbs that in all but ~1e-13 of values.
"""

import numbers
import operator

import numpy as np

__all__ = ["as_seed_sequence", "normal_from_words", "to_uniform", "Stream"]

_TWO_M53 = 2.0**-53


def to_uniform(words):
    """Map raw 64-bit words to floats in [0, 1) (their top 53 bits)."""
    return (words >> np.uint64(11)).astype(np.float64) * _TWO_M53


def as_seed_sequence(random_state):
    """Turn a scikit-learn style ``random_state`` into a ``SeedSequence``.

    Parameters
    ----------
    random_state : None, int, array-like of int, numpy.random.SeedSequence,
        numpy.random.Generator or numpy.random.RandomState
        ``None`` draws fresh OS entropy. A ``Generator``/``RandomState`` is
        advanced (four words are drawn from it).

    Returns
    -------
    seed_sequence : numpy.random.SeedSequence
    """
    if random_state is None or isinstance(random_state, numbers.Integral):
        if random_state is not None and random_state < 0:
            raise ValueError(f"random_state={random_state!r} must be non-negative")
        return np.random.SeedSequence(random_state)
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, np.random.Generator):
        words = random_state.bit_generator.random_raw(4)
        return np.random.SeedSequence([int(w) for w in words])
    if isinstance(random_state, np.random.RandomState):
        words = random_state.randint(0, 2**32, size=4, dtype=np.uint64)
        return np.random.SeedSequence([int(w) for w in words])
    try:
        entropy = None if isinstance(random_state, str) else list(random_state)
        entropy = None if entropy is None else [operator.index(v) for v in entropy]
    except TypeError:
        entropy = None
    if entropy is None or any(v < 0 for v in entropy) or not entropy:
        raise TypeError(
            f"random_state={random_state!r} must be None, a non-negative int, a "
            "sequence of them, a SeedSequence, a Generator or a RandomState"
        )
    return np.random.SeedSequence(entropy)


def _as_shape(shape):
    return (int(shape),) if isinstance(shape, numbers.Integral) else tuple(shape)


def normal_from_words(words):
    """Return standard normals from raw word pairs, shape ``words.shape[:-1]``.

    Parameters
    ----------
    words : ndarray of shape (..., 2), uint64
        Raw PCG64 output; pair ``(a, b)`` gives ``sqrt(-2 log u_a) cos(2 pi u_b)``.
    """
    uniform = (words >> np.uint64(11)).astype(np.float64)
    radius = np.sqrt(-2.0 * np.log((uniform[..., 0] + 1.0) * _TWO_M53))
    t2 = np.tan(np.pi * _TWO_M53 * uniform[..., 1]) ** 2
    return radius * ((1.0 - t2) / (1.0 + t2))


class Stream:
    """One PCG64 stream with version-stable variate transforms.

    Parameters
    ----------
    seed_sequence : numpy.random.SeedSequence
    """

    def __init__(self, seed_sequence):
        self._bits = np.random.PCG64(seed_sequence)

    def raw(self, shape):
        """Raw 64-bit words, ``uint64`` array of ``shape``."""
        shape = _as_shape(shape)
        size = int(np.prod(shape, dtype=np.int64))
        return self._bits.random_raw(size).reshape(shape)

    def uniform(self, shape):
        """Uniform floats in [0, 1), float64 array of ``shape``."""
        return to_uniform(self.raw(shape))

    def integers(self, low, high, shape):
        """Integers uniform on the inclusive range [low, high] (arrays broadcast)."""
        span = np.asarray(high, dtype=np.int64) - np.asarray(low, dtype=np.int64) + 1
        draws = np.floor(self.uniform(shape) * span).astype(np.int64)
        return np.asarray(low, dtype=np.int64) + draws

    def normal(self, shape):
        """Draw standard normals (Box-Muller, cosine branch), float64 of ``shape``.

        Element ``i`` (C order) uses raw words ``2 i`` and ``2 i + 1``, so drawing
        in row chunks gives the same values as one large draw. ``cos(2 pi u)`` is
        evaluated as ``(1 - t**2) / (1 + t**2)`` with ``t = tan(pi u)``: NumPy's
        float64 ``tan`` is vectorised where its ``cos`` can be 10-50x slower.
        """
        return normal_from_words(self.raw((*_as_shape(shape), 2)))

    def permutation(self, n):
        """Return a uniformly random permutation of ``range(n)``."""
        return np.argsort(self.raw((n,)), kind="stable")
