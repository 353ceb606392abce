"""Memory-image text formats: ``$readmemh`` ``.mem`` and Xilinx ``.coe``."""

import re

import numpy as np

__all__ = ["write_mem", "write_coe", "read_mem", "read_coe", "hex_words"]


def hex_words(values, width):
    """Two's-complement hex words of ``width`` bits, zero-padded.

    Examples
    --------
    >>> from sparsenn.fixedpoint._memfiles import hex_words
    >>> hex_words([-1, 5, -2048, 2047], 12)
    ['fff', '005', '800', '7ff']
    """
    digits = -(-width // 4)
    mask = (1 << width) - 1
    return [f"{int(v) & mask:0{digits}x}" for v in np.asarray(values).ravel()]


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_HEX_VALUES = np.full(256, 255, dtype=np.uint8)
for _k, _c in enumerate(b"0123456789abcdef"):
    _HEX_VALUES[_c] = _k
for _k, _c in enumerate(b"ABCDEF"):
    _HEX_VALUES[_c] = 10 + _k
_COMMENT = re.compile(r"//[^\n]*")


def _hex_text(values, width, sep):
    """Hex words of ``width`` bits, each followed by ``sep`` (vectorised)."""
    digits = -(-width // 4)
    v = np.asarray(values, dtype=np.int64).ravel() & ((1 << width) - 1)
    shifts = 4 * np.arange(digits - 1, -1, -1, dtype=np.int64)
    chars = np.empty((v.size, digits + len(sep)), dtype=np.uint8)
    chars[:, :digits] = _HEX_DIGITS[(v[:, None] >> shifts) & 0xF]
    chars[:, digits:] = np.frombuffer(sep.encode(), dtype=np.uint8)
    return chars.tobytes().decode("ascii")


def write_mem(path, values, width, comment):
    """Write a ``$readmemh`` file: ``//`` comment lines, then one word per line."""
    header = "".join(f"// {line}\n" for line in comment.splitlines())
    path.write_text(header + _hex_text(values, width, "\n"))


def write_coe(path, values, width, comment):
    """Write a Xilinx ``.coe`` file (radix 16, data vector last)."""
    header = "".join(f"; {line}\n" for line in comment.splitlines())
    body = _hex_text(values, width, ",\n")[:-2] or "0"
    path.write_text(
        header
        + "memory_initialization_radix=16;\nmemory_initialization_vector=\n"
        + body
        + ";\n"
    )


def _parse_hex(words):
    """Integers of hex words (vectorised when all have the same length)."""
    n = len(words)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    size = len(words[0])
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=n)
    if size > 15 or np.any(lengths != size) or not words[0].isascii():
        return np.array([int(w, 16) for w in words], dtype=np.int64)
    try:
        raw = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as exc:
        raise ValueError("a word is not hexadecimal") from exc
    digits = _HEX_VALUES[raw.reshape(n, size)]
    if np.any(digits == 255):
        bad = words[int(np.flatnonzero((digits == 255).any(axis=1))[0])]
        raise ValueError(f"invalid hex word {bad!r}")
    out = np.zeros(n, dtype=np.int64)
    for k in range(size):
        out = out * 16 + digits[:, k]
    return out


def read_mem(path, width, signed=True):
    """Words (signed unless ``signed=False``) of a file written by :func:`write_mem`.

    ``//`` comments are skipped wherever they are, as ``$readmemh`` does.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sparsenn.fixedpoint._memfiles import read_mem, write_mem
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.mem"
    >>> write_mem(p, [-1, 5, -2048], 12, "demo")
    >>> read_mem(p, 12).tolist()
    [-1, 5, -2048]
    """
    words = _COMMENT.sub("", path.read_text()).split()
    return _signed(words, width, signed)


def _signed(words, width, signed=True):
    raw = _parse_hex(words)
    if raw.size and (raw.min() < 0 or raw.max() >= 1 << width):
        raise ValueError(f"a word does not fit in {width} bits")
    if not signed:
        return raw
    return np.where(raw >= 1 << (width - 1), raw - (1 << width), raw)


def read_coe(path, width):
    """Signed words of a file written by :func:`write_coe`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sparsenn.fixedpoint._memfiles import read_coe, write_coe
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.coe"
    >>> write_coe(p, [-1, 5, -2048], 12, "demo")
    >>> read_coe(p, 12).tolist()
    [-1, 5, -2048]
    """
    text = "\n".join(
        line for line in path.read_text().splitlines() if not line.startswith(";")
    )
    if "memory_initialization_vector=" not in text:
        raise ValueError("no memory_initialization_vector")
    body = text.split("memory_initialization_vector=", 1)[1].strip().rstrip(";")
    return _signed(body.replace(",", " ").split(), width)
