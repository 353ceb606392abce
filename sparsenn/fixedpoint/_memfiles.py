"""Memory-image text formats: ``$readmemh`` ``.mem`` and Xilinx ``.coe``."""

import numpy as np

__all__ = ["write_mem", "write_coe", "read_mem", "hex_words"]


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


def read_mem(path, width):
    """Signed words of a file written by :func:`write_mem`.

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
    raw = np.array([int(w, 16) for w in words], dtype=np.int64)
    return np.where(raw >= 1 << (width - 1), raw - (1 << width), raw)
