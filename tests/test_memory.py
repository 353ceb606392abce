"""Tests of the fail-fast memory check (``sparsenn._memory``) and its use in
``make_morse``."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sparsenn import _memory
from sparsenn._memory import available_memory, check_allocation, format_bytes
from sparsenn.datasets import _morse, make_morse


def test_format_bytes_uses_binary_units():
    assert format_bytes(512) == "512 bytes"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(3 * 2**29) == "1.5 GiB"
    assert format_bytes(2**62) == "4.0 EiB"


def test_available_memory_is_a_plausible_figure():
    n = available_memory()
    assert n is None or 0 <= n < 2**60


def test_available_memory_takes_the_smaller_of_system_and_cgroup(monkeypatch):
    monkeypatch.setattr(_memory, "_rlimit_available", lambda: None)
    monkeypatch.setattr(_memory, "_meminfo_available", lambda: 8 * 2**30)
    monkeypatch.setattr(_memory, "_cgroup_available", lambda: 2**30)
    assert available_memory() == 2**30
    monkeypatch.setattr(_memory, "_cgroup_available", lambda: None)
    assert available_memory() == 8 * 2**30


def test_available_memory_falls_back_to_sysconf_then_unknown(monkeypatch):
    monkeypatch.setattr(_memory, "_rlimit_available", lambda: None)
    monkeypatch.setattr(_memory, "_meminfo_available", lambda: None)
    monkeypatch.setattr(_memory, "_cgroup_available", lambda: None)
    monkeypatch.setattr(_memory, "_sysconf_available", lambda: 12345)
    assert available_memory() == 12345
    monkeypatch.setattr(_memory, "_sysconf_available", lambda: None)
    monkeypatch.setattr(_memory, "_windows_available", lambda: None)
    assert available_memory() is None
    assert check_allocation(2**70, "n=huge") == 2**70  # unknown: not checked


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc")
def test_a_process_address_space_limit_is_the_room_left(tmp_path):
    # ulimit -v (RLIMIT_AS), as batch schedulers set it: the estimate is refused
    # with the ValueError naming the parameter, not numpy's MemoryError later
    code = textwrap.dedent(
        """
        import resource, warnings
        from pathlib import Path
        from sparsenn import StructuredMLPClassifier
        from sparsenn._memory import available_memory
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        used = pages * resource.getpagesize()
        limit = (used + 2**30, resource.RLIM_INFINITY)
        resource.setrlimit(resource.RLIMIT_AS, limit)
        assert available_memory() <= 2**30, available_memory()
        X, y = [[0.0, 1.0], [1.0, 0.0]] * 5, [0, 1] * 5
        try:
            StructuredMLPClassifier((20000, 20000), max_iter=1).fit(X, y)
        except ValueError as exc:
            assert "hidden_layer_sizes" in str(exc), exc
            print("refused")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "refused"


def test_meminfo_parser(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 100 kB\nMemAvailable:   2048 kB\n", "ascii")
    assert _memory._meminfo_available(meminfo) == 2048 * 1024
    meminfo.write_text("MemTotal: 100 kB\n", "ascii")
    assert _memory._meminfo_available(meminfo) is None
    assert _memory._meminfo_available(tmp_path / "absent") is None


def test_check_allocation_names_the_request_and_both_sizes(monkeypatch):
    monkeypatch.setattr(_memory, "available_memory", lambda: 2**30)
    assert check_allocation(2**29, "n=1") == 2**29
    with pytest.raises(ValueError, match=r"n=7 \(big\) needs about 2\.0 GiB.*1\.0 GiB"):
        check_allocation(2**31, "n=7 (big)")


def test_make_morse_refuses_impossible_sizes_before_allocating():
    with pytest.raises(ValueError, match=r"n_samples_per_class=1000000000000 .*PiB"):
        make_morse(10**12)


def test_make_morse_estimate_is_checked_against_available_memory(monkeypatch):
    X, _ = make_morse(10, random_state=0)
    need = _morse._peak_bytes(640, 64, True)
    assert need >= 2 * X.nbytes  # the shuffled copy is counted
    assert _morse._peak_bytes(640, 64, False) < need
    monkeypatch.setattr(_memory, "available_memory", lambda: need - 1)
    with pytest.raises(ValueError, match=r"n_samples_per_class=10 \(640 frames of 64"):
        make_morse(10, random_state=0)
    X2, _ = make_morse(10, shuffle=False, random_state=0)  # fits without the copy
    assert X2.shape == X.shape
    monkeypatch.setattr(_memory, "available_memory", lambda: need)
    np.testing.assert_array_equal(make_morse(10, random_state=0)[0], X)
