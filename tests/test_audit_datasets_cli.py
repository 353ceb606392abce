"""Audit of ``sparsenn.datasets`` and the ``sparsenn`` command: regressions.

Concurrent and interrupted cache writes, labels ``morse_difficulty`` cannot
use, ``data_home`` as bytes, and the command under Ctrl-C and a closed pipe.
"""

import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from sparsenn.datasets import (
    _cache,
    _registry,
    get_data_home,
    load_morse,
    morse_checksum,
    morse_difficulty,
    morse_variant,
)

SMALL = "baseline-small"
# what the console-script shim runs
SHIM = "import sys; from sparsenn.cli import main; sys.exit(main())"


def _cache_file(home, subset="test"):
    return home / "morse" / SMALL / f"{subset}.npz"


def _load_digests(home):
    """Load SMALL's test subset; return its registry checksum and its bytes' hash."""
    X, y = load_morse(SMALL, subset="test", data_home=home, return_X_y=True)
    return morse_checksum(X, y), hashlib.sha256(X.tobytes() + y.tobytes()).digest()


def test_cache_reader_never_sees_the_file_without_its_digest(tmp_path, monkeypatch):
    # a concurrent reader between the two renames used to find the new cache
    # file without its digest: "has no checksum file (written by an older
    # sparsenn?)", a spurious warning and a regeneration
    X, y = _registry.generate_variant(SMALL, "test")
    path = _cache_file(tmp_path)
    seen, replace = [], os.replace

    def replace_then_read(src, dst):
        replace(src, dst)
        seen.append(_cache.read_cache(path))

    monkeypatch.setattr(_cache.os, "replace", replace_then_read)
    assert _cache.write_cache(path, X, y) is None
    assert len(seen) == 2
    assert [problem for _, problem in seen] == [None, None]  # absent, or accepted
    np.testing.assert_array_equal(seen[-1][0][0], X)


def test_cache_bytes_depend_only_on_the_arrays(tmp_path, monkeypatch):
    # so writers finishing at different times cannot leave a mismatched pair
    X, y = _registry.generate_variant(SMALL, "test")
    first, second = tmp_path / "a" / "test.npz", tmp_path / "b" / "test.npz"
    assert _cache.write_cache(first, X, y) is None
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 86400 * 400)
    assert _cache.write_cache(second, X, y) is None
    assert first.read_bytes() == second.read_bytes()
    digests = (_cache.digest_path(p).read_bytes() for p in (first, second))
    assert len(set(digests)) == 1


def test_interrupted_cache_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    X, y = _registry.generate_variant(SMALL, "test")
    path = _cache_file(tmp_path)

    def interrupt(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(_cache.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        _cache.write_cache(path, X, y)
    assert list(path.parent.iterdir()) == []  # the temporaries used to stay


def test_a_writer_killed_mid_write_leaves_nothing_a_load_accepts(tmp_path):
    load_morse(SMALL, subset="test", data_home=tmp_path)
    path = _cache_file(tmp_path)
    payload = path.read_bytes()
    suffix = ".4242.4242.tmp"  # a dead writer's temporaries, as write_cache names them
    path.with_name(path.name + suffix).write_bytes(payload[: len(payload) // 2])
    digest = _cache.digest_path(path)
    digest.with_name(digest.name + suffix).write_bytes(b"0" * 64 + b"  test.npz\n")
    path.unlink()  # killed after the digest was renamed, before the file
    messages = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_registry, "warn", lambda *args, **kwargs: messages.append(args))
        X, y = load_morse(SMALL, subset="test", data_home=tmp_path, return_X_y=True)
    assert messages == []
    assert morse_checksum(X, y) == morse_variant(SMALL)["sha256"]["test"]


def test_concurrent_loads_in_threads_agree_without_warnings(tmp_path, monkeypatch):
    messages, results, n = [], [], 4
    monkeypatch.setattr(
        _registry, "warn", lambda *args, **kwargs: messages.append(args)
    )
    barrier = threading.Barrier(n)

    def work():
        barrier.wait()
        results.append(_load_digests(tmp_path))

    threads = [threading.Thread(target=work) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert messages == [] and len(results) == n and len(set(results)) == 1
    assert results[0][0] == morse_variant(SMALL)["sha256"]["test"]


def _process_load(home, barrier, queue):
    messages = []
    _registry.warn = lambda *args, **kwargs: messages.append(str(args[0]))
    barrier.wait()
    try:
        queue.put((_load_digests(home), messages))
    except Exception as exc:  # noqa: BLE001 -- reported to the parent
        queue.put((repr(exc), messages))


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"
)
def test_concurrent_loads_in_processes_agree_without_warnings(tmp_path):
    context, n = multiprocessing.get_context("fork"), 3
    barrier, queue = context.Barrier(n), context.Queue()
    processes = [
        context.Process(target=_process_load, args=(tmp_path, barrier, queue))
        for _ in range(n)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [messages for _, messages in results] == [[]] * n
    assert len({result for result, _ in results}) == 1
    assert results[0][0][0] == morse_variant(SMALL)["sha256"]["test"]
    assert _load_digests(tmp_path) == results[0][0]  # a later load agrees


@pytest.mark.parametrize("y", [[0.0, np.nan, np.nan], [0.0, 1.0, np.inf]])
def test_difficulty_refuses_nan_labels_instead_of_counting_a_nan_class(y):
    with pytest.raises(ValueError, match="Input y contains"):
        morse_difficulty([[0.0], [1.0], [2.0]], y)


def test_difficulty_names_mixed_label_types():
    with pytest.raises(TypeError, match=r"y mixes label types \['NoneType', 'int'\]"):
        morse_difficulty([[0.0], [1.0], [2.0]], [None, 1, 1])


def test_data_home_as_bytes_is_a_path(tmp_path):
    home = os.fsencode(tmp_path / "bytes_home")
    assert get_data_home(home) == str(tmp_path / "bytes_home")
    X, _ = load_morse(SMALL, subset="test", data_home=home, return_X_y=True)
    assert X.shape == (3200, 64) and _cache_file(tmp_path / "bytes_home").is_file()


def test_closed_output_pipe_stops_quietly_with_status_141(tmp_path):
    # used to print "sparsenn morse: error: [Errno 32] Broken pipe", status 2
    process = subprocess.Popen(
        [sys.executable, "-c", SHIM, "morse"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "SPARSENN_DATA": str(tmp_path)},
    )
    process.stdout.close()  # like `| head` exiting before the listing
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (141, b"")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_is_one_line_and_status_130(tmp_path):
    # used to end in a KeyboardInterrupt traceback
    script = (
        "import sys, time\n"
        "import sparsenn.cli._morse as morse\n"
        "def slow(names=None):\n"
        "    print('ready', file=sys.stderr, flush=True)\n"
        "    time.sleep(60)\n"
        "morse._list = slow\n"
        "from sparsenn.cli import main\n"
        "sys.exit(main(['morse']))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPARSENN_DATA": str(tmp_path)},
    )
    assert process.stderr.readline() == "ready\n"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (130, "", "sparsenn: interrupted\n")
