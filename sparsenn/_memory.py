"""Fail fast on allocations that cannot fit in memory.

:func:`check_allocation` compares an estimate of the bytes an operation needs with
the memory available to this process and raises a ``ValueError`` naming what was
asked for before anything is allocated. :func:`available_memory` reads the
available memory portably: the smaller of the operating system's figure
(``MemAvailable`` of ``/proc/meminfo`` on Linux, ``os.sysconf`` elsewhere on POSIX,
``GlobalMemoryStatusEx`` on Windows), a cgroup limit (containers) and the room left
under the process's own limits on address space and data (``ulimit -v`` / ``-d``,
``RLIMIT_AS`` / ``RLIMIT_DATA``, as batch schedulers set them), or ``None`` when
none can be read (then nothing is checked).
"""

import ctypes
import os
import sys
from pathlib import Path

__all__ = ["available_memory", "check_allocation", "format_bytes"]

_CGROUP_FILES = (  # (limit, usage): cgroup v2, then v1
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    (
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
        "/sys/fs/cgroup/memory/memory.usage_in_bytes",
    ),
)
_UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def format_bytes(n_bytes):
    """Format a byte count for messages, in binary units.

    Parameters
    ----------
    n_bytes : int or float
        A number of bytes.

    Returns
    -------
    text : str
        For example ``"1.5 GiB"``.

    Examples
    --------
    >>> from sparsenn._memory import format_bytes
    >>> format_bytes(3 * 2**29)
    '1.5 GiB'
    """
    value = float(n_bytes)
    for unit in _UNITS[:-1]:
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} {_UNITS[-1]}"


def _read_int(path):
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _meminfo_available(path="/proc/meminfo"):
    try:
        lines = Path(path).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        key, _, rest = line.partition(":")
        fields = rest.split()
        if key == "MemAvailable" and fields and fields[0].isdigit():
            return int(fields[0]) * 1024  # the kernel reports kB
    return None


def _sysconf_available():
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _windows_available():
    if sys.platform != "win32":
        return None

    class _MemoryStatus(ctypes.Structure):
        _fields_ = [
            ("dwLength", ctypes.c_ulong),
            ("dwMemoryLoad", ctypes.c_ulong),
            ("ullTotalPhys", ctypes.c_ulonglong),
            ("ullAvailPhys", ctypes.c_ulonglong),
            ("ullTotalPageFile", ctypes.c_ulonglong),
            ("ullAvailPageFile", ctypes.c_ulonglong),
            ("ullTotalVirtual", ctypes.c_ulonglong),
            ("ullAvailVirtual", ctypes.c_ulonglong),
            ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
        ]

    status = _MemoryStatus()
    status.dwLength = ctypes.sizeof(_MemoryStatus)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        return None
    return int(status.ullAvailPhys)


#: (resource limit name, field of /proc/self/statm holding the pages it counts)
_RLIMITS = (("RLIMIT_AS", 0), ("RLIMIT_DATA", 5))


def _rlimit_available(statm="/proc/self/statm"):
    """Room left under ``RLIMIT_AS`` / ``RLIMIT_DATA``, or None if unlimited."""
    try:
        import resource
    except ImportError:  # not POSIX
        return None
    limits = [
        (soft, field)
        for name, field in _RLIMITS
        if hasattr(resource, name)
        for soft, _ in [resource.getrlimit(getattr(resource, name))]
        if soft != resource.RLIM_INFINITY and soft >= 0
    ]
    if not limits:
        return None
    try:  # what the process already uses, in pages
        pages = [int(f) for f in Path(statm).read_text(encoding="ascii").split()]
    except (OSError, UnicodeDecodeError, ValueError):
        pages = []
    page = resource.getpagesize()
    used = [pages[field] * page if field < len(pages) else 0 for _, field in limits]
    return min(max(soft - u, 0) for (soft, _), u in zip(limits, used, strict=True))


def _cgroup_available():
    for limit_file, usage_file in _CGROUP_FILES:
        limit = _read_int(limit_file)  # None for "max" (no limit)
        usage = _read_int(usage_file)
        if limit is not None and usage is not None and limit < 2**60:
            return max(limit - usage, 0)
    return None


def available_memory():
    """Return the bytes of memory this process can still allocate, if known.

    Returns
    -------
    n_bytes : int or None
        The smallest of the system's available memory (Linux ``MemAvailable``,
        POSIX ``os.sysconf``, Windows ``GlobalMemoryStatusEx``), the room left
        under a cgroup memory limit and the room left under the process's
        ``RLIMIT_AS`` / ``RLIMIT_DATA``; ``None`` if none of these can be read.

    Examples
    --------
    >>> from sparsenn._memory import available_memory
    >>> n = available_memory()
    >>> n is None or n >= 0
    True
    """
    system = _meminfo_available() or _sysconf_available() or _windows_available()
    limits = (system, _cgroup_available(), _rlimit_available())
    figures = [n for n in limits if n is not None]
    return min(figures) if figures else None


def check_allocation(n_bytes, what):
    """Raise if an allocation of about ``n_bytes`` cannot fit in memory.

    Call it before allocating, with an estimate of the peak bytes an operation
    needs (arrays and their large temporaries) and a description of the request
    that names the parameter and its value.

    Parameters
    ----------
    n_bytes : int
        Estimated peak bytes (a Python int, so huge requests do not overflow).
    what : str
        The request, naming the parameter and the size, for example
        ``"n_samples_per_class=10000000000 (640000000000 frames of 64 values)"``.

    Returns
    -------
    n_bytes : int
        The estimate, unchanged, when it fits (or when the available memory is
        unknown: then nothing is checked).

    Raises
    ------
    ValueError
        If ``n_bytes`` exceeds :func:`available_memory`; the message gives
        ``what``, the estimate and the available memory.

    Examples
    --------
    >>> from sparsenn._memory import check_allocation
    >>> check_allocation(1024, "n=16 (a 16 x 16 float32 matrix)")
    1024
    >>> check_allocation(2**62, "n=2**30")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: n=2**30 needs about 4.0 EiB of memory, but only ... available...
    """
    n_bytes = int(n_bytes)
    available = available_memory()
    if available is not None and n_bytes > available:
        raise ValueError(
            f"{what} needs about {format_bytes(n_bytes)} of memory, but only "
            f"{format_bytes(available)} is available; ask for less"
        )
    return n_bytes
