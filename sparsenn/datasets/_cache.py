r"""Cache files of the Morse variants, each guarded by the SHA-256 of its bytes.

``<subset>.npz`` holds ``X`` and ``y``; beside it ``<subset>.npz.sha256`` holds
``"<hex digest>  <subset>.npz\n"`` (the ``sha256sum`` format, so ``sha256sum -c``
checks it too). A file is parsed only after its bytes match the digest, so a
changed byte can never reach the ``.npy`` header parser (which can otherwise fail
in many ways, or ask for terabytes). An archive holding anything but the two
arrays ``X`` and ``y`` is rejected; their dtypes and shapes are checked by the
caller (``_registry._load_arrays``), which knows the registered ones.
"""

import hashlib
import io
import os
import threading
from pathlib import Path

import numpy as np

__all__ = ["digest_path", "read_cache", "write_cache"]

DIGEST_SUFFIX = ".sha256"


def digest_path(path):
    """Return the path of the digest file beside cache file ``path``."""
    path = Path(path)
    return path.with_name(path.name + DIGEST_SUFFIX)


def _digest_line(path, payload):
    return f"{hashlib.sha256(payload).hexdigest()}  {Path(path).name}\n"


def _parse(payload):
    # after the byte check this only fails on a file written with a matching
    # digest by something else; any failure then means "regenerate"
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            if sorted(archive.files) != ["X", "y"]:
                return f"holds the arrays {sorted(archive.files)}, not exactly X and y"
            return archive["X"], archive["y"]
    except Exception as exc:  # noqa: BLE001
        return f"cannot be parsed ({type(exc).__name__}: {exc})"


def read_cache(path):
    """Read a cache file after checking its bytes against its digest file.

    Parameters
    ----------
    path : path-like
        The ``.npz`` cache file.

    Returns
    -------
    arrays : (X, y) or None
        The arrays, or None if the file is absent or fails a check.
    problem : str or None
        Why the file was rejected (None if it is absent or accepted).
    """
    path = Path(path)
    if not path.exists():
        return None, None
    try:
        payload = path.read_bytes()
        recorded = digest_path(path).read_bytes()
    except FileNotFoundError:
        return None, "has no checksum file (written by an older sparsenn?)"
    except OSError as exc:
        return None, f"is unreadable ({exc})"
    if recorded != _digest_line(path, payload).encode("ascii"):
        return None, "does not match its SHA-256 (the file or its checksum changed)"
    arrays = _parse(payload)
    return (arrays, None) if isinstance(arrays, tuple) else (None, arrays)


def write_cache(path, X, y):
    """Write ``X`` and ``y`` and their digest file atomically (each file).

    The digest file is put in place first, so a reader never finds the cache
    file without it; the bytes depend only on the arrays, so concurrent writers
    of the same arrays leave a matching pair in any order. The temporary files
    are removed on any failure, an interrupt (Ctrl-C) included.

    Parameters
    ----------
    path : path-like
        The ``.npz`` cache file.
    X, y : ndarray
        The arrays.

    Returns
    -------
    problem : str or None
        The error that prevented caching, or None on success.
    """
    path = Path(path)
    buffer = io.BytesIO()
    np.savez(buffer, X=X, y=y)
    payload = buffer.getvalue()
    suffix = f".{os.getpid()}.{threading.get_ident()}.tmp"  # unique per writer
    digest = _digest_line(path, payload).encode("ascii")
    targets = {digest_path(path): digest, path: payload}  # the digest first
    written = []
    problem = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for target, content in targets.items():
            tmp = target.with_name(target.name + suffix)
            written.append(tmp)
            tmp.write_bytes(content)
        for target, tmp in zip(targets, written, strict=True):
            os.replace(tmp, target)
    except OSError as exc:
        problem = str(exc)
    finally:
        for tmp in written:  # left only by a failure or an interrupt
            tmp.unlink(missing_ok=True)
    return problem
