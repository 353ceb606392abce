"""Memory-image text formats: ``$readmemh`` ``.mem`` and Xilinx ``.coe``."""

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


def write_mem(path, values, width, comment):
    """Write a ``$readmemh`` file: ``//`` comment lines, then one word per line."""
    lines = [f"// {line}" for line in comment.splitlines()]
    path.write_text("\n".join(lines + hex_words(values, width)) + "\n")


def write_coe(path, values, width, comment):
    """Write a Xilinx ``.coe`` file (radix 16, data vector last)."""
    lines = [f"; {line}" for line in comment.splitlines()]
    words = hex_words(values, width) or ["0"]
    body = ",\n".join(words)
    lines += [
        "memory_initialization_radix=16;",
        "memory_initialization_vector=",
        body + ";",
    ]
    path.write_text("\n".join(lines) + "\n")


def read_mem(path, width, signed=True):
    """Words (signed unless ``signed=False``) of a file written by :func:`write_mem`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sparsenn.fixedpoint._memfiles import read_mem, write_mem
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.mem"
    >>> write_mem(p, [-1, 5, -2048], 12, "demo")
    >>> read_mem(p, 12).tolist()
    [-1, 5, -2048]
    """
    words = [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("//")
    ]
    return _signed(words, width, signed)


def _signed(words, width, signed=True):
    raw = np.array([int(w, 16) for w in words], dtype=np.int64)
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
