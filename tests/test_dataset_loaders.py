"""Tests of the Morse registry and cache (``load_morse``) and ``load_fashion_mnist``."""

import gzip
import hashlib
import json
import os
import re
import shutil
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils import Bunch

from sparsenn.datasets import (
    CODEBOOK_ORDER,
    CODEWORDS,
    SYMBOLS,
    _cache,
    _fashion_mnist,
    _registry,
    codebook,
    generate_variant,
    get_data_home,
    list_morse_variants,
    load_fashion_mnist,
    load_morse,
    make_morse,
    morse_checksum,
    morse_variant,
)

TOP_LEVEL_REGISTRY = Path(__file__).resolve().parents[1] / "datasets" / "registry.json"
SMALL = "baseline-small"


# ---------------------------------------------------------------- registry


def test_registry_has_paper_variants_and_graded_families():
    variants = list_morse_variants()
    assert {"baseline", "difficult", SMALL, "difficult-small"} <= set(variants)
    families = {}
    for name in variants:
        entry = morse_variant(name)
        families.setdefault(entry["family"], []).append(entry)
    for family in ("noise", "jitter", "confusion", "dilation", "size", "flips"):
        grades = [e["grade"] for e in families[family]]
        assert len(grades) >= 2 and grades == sorted(grades), family
    full = morse_variant("baseline")["n_samples_per_class"]
    assert 64 * sum(full.values()) == 448_000
    difficult = morse_variant("difficult")["params"]
    assert difficult["noise_std"] == 4.0 and difficult["leading_space"] == 1.0
    assert difficult["dash_length"] == [3, 9]


def test_registry_entries_are_valid_and_complete():
    for name in list_morse_variants():
        entry = morse_variant(name)
        make_morse(1, **entry["params"], random_state=0)  # parameters accepted
        for subset in ("train", "val", "test"):
            assert entry["n_samples_per_class"][subset] >= 1
            assert re.fullmatch("[0-9a-f]{64}", entry["sha256"][subset]), name


def test_graded_families_increase_the_knob():
    def knob(family, params):
        return {
            "noise": params["noise_std"],
            "jitter": params["leading_space"],
            "confusion": params["dot_length"][1] - params["dash_length"][0],
            "dilation": params["dilation"],
            "flips": params["max_flips"],
        }[family]

    for family in ("noise", "jitter", "confusion", "dilation", "flips"):
        entries = [
            morse_variant(n)
            for n in list_morse_variants()
            if morse_variant(n)["family"] == family
        ]
        values = [knob(family, e["params"]) for e in entries]
        assert values == sorted(values) and len(set(values)) == len(values), family
    sizes = [
        morse_variant(f"size-{g}")["n_samples_per_class"]["train"] for g in range(1, 5)
    ]
    assert sizes == sorted(sizes, reverse=True)


def test_packaged_registry_is_the_top_level_one():
    if not TOP_LEVEL_REGISTRY.is_file():
        pytest.skip("not run from a source checkout")
    packaged = json.loads(
        Path(_registry.__file__).with_name("registry.json").read_text("utf-8")
    )
    assert packaged == json.loads(TOP_LEVEL_REGISTRY.read_text("utf-8"))


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in list_morse_variants()
        if 64 * sum(morse_variant(n)["n_samples_per_class"].values()) <= 30_000
    ],
)
def test_small_variants_reproduce_their_checksums(name):
    # the guard against generator or NumPy changes; the full-size variants are
    # checked by `python datasets/registry.py`
    entry = morse_variant(name)
    for subset in ("train", "val", "test"):
        X, y = generate_variant(name, subset)
        assert morse_checksum(X, y) == entry["sha256"][subset], (name, subset)


def test_codebook_order_regenerates_the_0_1_0_registry_arrays():
    # sparsenn 0.1.0's checksum of baseline-small/test (codebook class order)
    old = "95df3b230244aa77a5c4c4f26e6366c916c948d523ca0dd3ba3ed41194a0684e"
    X, y = generate_variant(SMALL, "test", class_order="codebook")
    assert morse_checksum(X, y) == old
    assert morse_variant(SMALL)["sha256"]["test"] != old
    with pytest.raises(ValueError, match="class_order='x'"):
        generate_variant(SMALL, "test", class_order="x")


def test_subsets_are_different_draws():
    X_train, _ = generate_variant(SMALL, "train")
    X_test, _ = generate_variant(SMALL, "test")
    assert X_train.shape == (12800, 64) and X_test.shape == (3200, 64)
    assert not np.array_equal(X_train[:3200], X_test)


def test_checksum_depends_on_values_order_and_labels():
    X, y = make_morse(2, random_state=0)
    digest = morse_checksum(X, y)
    assert digest == morse_checksum(X.astype(np.float64), y.astype(np.int32))
    assert digest != morse_checksum(X[::-1], y[::-1])
    y2 = y.copy()
    y2[0] = (y2[0] + 1) % 64
    assert digest != morse_checksum(X, y2)


# ---------------------------------------------------------------- load_morse


def test_load_morse_bunch_and_cache(tmp_path, monkeypatch):
    data = load_morse(SMALL, subset="val", data_home=tmp_path)
    assert isinstance(data, Bunch)
    assert data.data.shape == (3200, 64) and data.data.dtype == np.float32
    assert data.target.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(data.target), np.full(64, 50))
    assert list(data.target_names) == list(SYMBOLS)
    assert list(data.codewords) == list(CODEWORDS)
    assert data.name == SMALL and data.subset == "val"
    assert data.params["n_samples_per_class"] == 50 and "seed" in data.params
    assert data.params["noise_std"] == 0.0 and SMALL in data.DESCR
    assert (tmp_path / "morse" / SMALL / "val.npz").is_file()

    def fail(*args, **kwargs):
        raise AssertionError("regenerated although the cache is valid")

    monkeypatch.setattr(_registry, "generate_variant", fail)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, y = load_morse(SMALL, subset="val", data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(X, data.data)
    np.testing.assert_array_equal(y, data.target)


def _corrupt_garbage(path):
    path.write_bytes(b"not an npz file")


def _corrupt_values(path):
    with np.load(path) as archive:
        X, y = archive["X"].copy(), archive["y"]
    X[0, 0] += 0.001
    with open(path, "wb") as fh:
        np.savez(fh, X=X, y=y)


def _corrupt_truncate(path):
    path.write_bytes(path.read_bytes()[:1000])


@pytest.mark.parametrize(
    "corrupt", [_corrupt_garbage, _corrupt_values, _corrupt_truncate]
)
def test_corrupted_cache_is_detected_and_repaired(tmp_path, corrupt):
    expected = load_morse(SMALL, subset="test", data_home=tmp_path)
    path = tmp_path / "morse" / SMALL / "test.npz"
    corrupt(path)
    with pytest.warns(UserWarning, match="corrupted"):
        repaired = load_morse(SMALL, subset="test", data_home=tmp_path)
    np.testing.assert_array_equal(repaired.data, expected.data)
    with np.load(path) as archive:  # the file on disk is repaired too
        assert morse_checksum(archive["X"], archive["y"]) == expected.sha256


def test_registry_mismatch_warns(tmp_path, monkeypatch):
    original = _registry.morse_variant

    def tampered(name):
        entry = original(name)
        entry["sha256"]["test"] = "0" * 64
        return entry

    monkeypatch.setattr(_registry, "morse_variant", tampered)
    with pytest.warns(RuntimeWarning, match="does not match its registry checksum"):
        load_morse(SMALL, subset="test", data_home=tmp_path)


def test_unknown_variant_lists_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="name='nope'.*baseline, difficult"):
        load_morse("nope", data_home=tmp_path)
    with pytest.raises(ValueError, match="name=3"):
        load_morse(3, data_home=tmp_path)


def test_bad_subset_and_flags(tmp_path):
    with pytest.raises(ValueError, match="subset='validation'"):
        load_morse(SMALL, subset="validation", data_home=tmp_path)
    with pytest.raises(TypeError, match="return_X_y='yes'"):
        load_morse(SMALL, data_home=tmp_path, return_X_y="yes")


def test_data_home_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARSENN_DATA", str(tmp_path / "from_env"))
    assert get_data_home() == str(tmp_path / "from_env")
    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert (tmp_path / "from_env").is_dir() and (tmp_path / "arg").is_dir()
    monkeypatch.delenv("SPARSENN_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == str(tmp_path / "home" / "sparsenn_data")
    monkeypatch.setenv("SPARSENN_DATA", str(tmp_path / "env2"))
    load_morse(SMALL, subset="test")
    assert (tmp_path / "env2" / "morse" / SMALL / "test.npz").is_file()


def test_load_morse_class_order(tmp_path):
    published = load_morse(SMALL, subset="test", data_home=tmp_path)
    old = load_morse(SMALL, subset="test", data_home=tmp_path, class_order="codebook")
    np.testing.assert_array_equal(old.data, published.data)  # same frames
    np.testing.assert_array_equal(
        old.target, np.asarray(CODEBOOK_ORDER)[published.target]
    )
    entries = codebook("codebook")
    assert list(old.target_names) == [e[0] for e in entries]
    assert list(old.codewords) == [e[1] for e in entries]
    for i in (0, 2, 49, 63):  # every sample keeps its symbol and codeword
        j = int(np.flatnonzero(published.target == i)[0])
        assert old.target_names[old.target[j]] == published.target_names[i]
        assert old.codewords[old.target[j]] == published.codewords[i]
    assert old.class_order == "codebook" and "class_order='codebook'" in old.DESCR
    assert published.class_order == "published"
    with pytest.raises(ValueError, match="class_order='pickle'"):
        load_morse(SMALL, data_home=tmp_path, class_order="pickle")


def test_data_home_that_is_a_file_is_a_clear_error(tmp_path, monkeypatch):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    with pytest.raises(
        ValueError, match=r"data_home=.*a_file.* is a file, not a folder"
    ):
        load_morse(SMALL, data_home=a_file)
    with pytest.raises(ValueError, match=r"data_home=.*cannot be created"):
        get_data_home(a_file / "below")
    monkeypatch.setenv("SPARSENN_DATA", str(a_file))
    with pytest.raises(ValueError, match="SPARSENN_DATA environment variable"):
        load_morse(SMALL)
    with pytest.raises(TypeError, match="data_home=3 must be a folder path"):
        load_morse(SMALL, data_home=3)


def test_cache_warnings_point_at_the_callers_line(tmp_path):
    load_morse(SMALL, subset="test", data_home=tmp_path)
    path = tmp_path / "morse" / SMALL / "test.npz"
    _corrupt_values(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_morse(SMALL, subset="test", data_home=tmp_path)
    assert len(caught) == 1 and "corrupted" in str(caught[0].message)
    assert caught[0].filename == __file__


def test_cache_without_digest_file_is_regenerated(tmp_path):
    expected = load_morse(SMALL, subset="test", data_home=tmp_path)
    path = tmp_path / "morse" / SMALL / "test.npz"
    _cache.digest_path(path).unlink()  # as left by sparsenn 0.1.0
    with pytest.warns(UserWarning, match="no checksum file"):
        again = load_morse(SMALL, subset="test", data_home=tmp_path)
    np.testing.assert_array_equal(again.target, expected.target)
    assert _cache.digest_path(path).is_file()


def test_stale_cache_with_a_valid_digest_is_regenerated(tmp_path):
    # a consistent file (bytes match the digest) whose arrays are not the
    # registry's, e.g. cached by a version with another class order
    expected = load_morse(SMALL, subset="test", data_home=tmp_path)
    path = tmp_path / "morse" / SMALL / "test.npz"
    assert _cache.write_cache(path, expected.data, (expected.target + 1) % 64) is None
    with pytest.warns(UserWarning, match="do not match the registry"):
        again = load_morse(SMALL, subset="test", data_home=tmp_path)
    np.testing.assert_array_equal(again.target, expected.target)


def _retyped(X, y):
    return {"X": X.astype(np.float64), "y": y}


def _reshaped(X, y):
    return {"X": X.reshape(-1, 32), "y": y}


def _float_labels(X, y):
    return {"X": X, "y": y.astype(np.float64)}


def _int32_labels(X, y):
    return {"X": X, "y": y.astype(np.int32)}


def _column_labels(X, y):
    return {"X": X, "y": y[:, None]}


def _extra_member(X, y):
    return {"X": X, "y": y, "extra": np.zeros(3)}


@pytest.mark.parametrize(
    "alter",
    [_retyped, _reshaped, _float_labels, _int32_labels, _column_labels, _extra_member],
)
def test_cache_with_the_registered_values_in_another_layout_is_regenerated(
    tmp_path, alter
):
    # same values (so the same morse_checksum) and a valid digest file, but not
    # the registered arrays: X float32 (3200, 64), y int64 (3200,), nothing else
    expected = load_morse(SMALL, subset="test", data_home=tmp_path)
    path = tmp_path / "morse" / SMALL / "test.npz"
    arrays = alter(expected.data, expected.target)
    assert morse_checksum(arrays["X"], arrays["y"]) == expected.sha256
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    _cache.digest_path(path).write_text(_cache._digest_line(path, path.read_bytes()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, y = load_morse(SMALL, subset="test", data_home=tmp_path, return_X_y=True)
    messages = [str(w.message) for w in caught]
    assert len(caught) == 1 and "corrupted or stale" in messages[0], messages
    assert re.search(r"holds (X of dtype|the arrays)", messages[0]), messages
    assert caught[0].filename == __file__
    assert (X.dtype, X.shape, y.dtype, y.shape) == (
        np.float32,
        (3200, 64),
        np.int64,
        (3200,),
    )
    np.testing.assert_array_equal(X, expected.data)
    np.testing.assert_array_equal(y, expected.target)
    with np.load(path) as archive:  # the file on disk is repaired too
        assert sorted(archive.files) == ["X", "y"]
        assert archive["X"].dtype == np.float32 and archive["y"].dtype == np.int64
        assert archive["X"].shape == (3200, 64)


def test_cache_layout_follows_the_registered_frame_length(tmp_path, tiny_variant):
    # the tiny variant has frames of 10 positions: its own cache is accepted
    # silently, and a (64, 64)-shaped file with a matching digest is not
    expected = load_morse(tiny_variant, subset="test", data_home=tmp_path)
    assert expected.data.shape == (64, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_morse(tiny_variant, subset="test", data_home=tmp_path)
    path = tmp_path / "morse" / tiny_variant / "test.npz"
    assert (
        _cache.write_cache(path, expected.data.reshape(-1, 5), expected.target) is None
    )
    with pytest.warns(UserWarning, match=r"shape \(128, 5\).*X float32 \(64, 10\)"):
        X, _ = load_morse(
            tiny_variant, subset="test", data_home=tmp_path, return_X_y=True
        )
    assert X.shape == (64, 10)


def test_unwritable_cache_warns_at_the_callers_line(tmp_path, monkeypatch):
    monkeypatch.setattr(_registry, "write_cache", lambda *args: "disk full")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, _ = load_morse(SMALL, subset="test", data_home=tmp_path, return_X_y=True)
    assert X.shape == (3200, 64)
    assert len(caught) == 1 and "could not cache" in str(caught[0].message)
    assert caught[0].filename == __file__


@pytest.fixture
def tiny_variant(monkeypatch):
    """Register a 64-sample variant of 10 positions (a cache file of ~4 kB)."""
    registry = json.loads(json.dumps(_registry._registry()))
    params = dict(registry["variants"][SMALL]["params"])
    params.update(
        frame_length=10, dot_length=[1, 1], dash_length=[2, 2], space_length=[0, 0]
    )
    entry = {
        "description": "tiny",
        "family": "test",
        "grade": 0,
        "params": params,
        "seed": 7,
        "n_samples_per_class": {"train": 1, "val": 1, "test": 1},
    }
    entry["sha256"] = {
        subset: morse_checksum(*generate_variant(entry, subset))
        for subset in ("train", "val", "test")
    }
    registry["variants"]["tiny"] = entry
    monkeypatch.setattr(_registry, "_registry", lambda: registry)
    return "tiny"


def test_every_single_byte_change_of_the_cache_is_caught(tmp_path, tiny_variant):
    expected = load_morse(tiny_variant, subset="test", data_home=tmp_path)
    path = tmp_path / "morse" / tiny_variant / "test.npz"
    files = [path, _cache.digest_path(path)]
    n_checked = 0
    for target in files:
        for position in range(len(target.read_bytes())):
            payload = bytearray(target.read_bytes())
            payload[position] ^= 0xFF
            target.write_bytes(bytes(payload))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                X, y = load_morse(
                    tiny_variant, subset="test", data_home=tmp_path, return_X_y=True
                )
            assert [str(w.message) for w in caught if "corrupted" in str(w.message)]
            assert all(w.filename == __file__ for w in caught)
            np.testing.assert_array_equal(X, expected.data)
            np.testing.assert_array_equal(y, expected.target)
            n_checked += 1
    assert n_checked > 3000  # the whole file and its digest were covered
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # repaired: the next load is silent
        load_morse(tiny_variant, subset="test", data_home=tmp_path)


# ---------------------------------------------------------------- Fashion-MNIST


def _fashion_folder():
    folders = _fashion_mnist._candidates(None)
    for folder in folders:
        if all(
            (folder / f"{stem}.gz").is_file() or (folder / stem).is_file()
            for stem in _fashion_mnist._FILES
        ):
            return folder
    return None


FASHION = _fashion_folder()
needs_fashion = pytest.mark.skipif(
    FASHION is None, reason="Fashion-MNIST not installed (dataset-fashion-mnist)"
)


@needs_fashion
def test_fashion_mnist_train_and_test():
    train = load_fashion_mnist()
    assert train.data.shape == (60000, 784) and train.data.dtype == np.float32
    assert train.images.shape == (60000, 28, 28)
    assert train.data.min() == 0.0 and train.data.max() == 1.0
    np.testing.assert_array_equal(np.bincount(train.target), np.full(10, 6000))
    assert len(train.target_names) == 10 and train.subset == "train"
    X, y = load_fashion_mnist(subset="test", return_X_y=True, dtype=np.uint8)
    assert X.shape == (10000, 784) and X.dtype == np.uint8 and X.max() == 255
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 1000))
    np.testing.assert_array_equal(
        X / 255.0, load_fashion_mnist(subset="test", dtype=np.float64).data
    )


@needs_fashion
def test_fashion_mnist_all_and_env_var(tmp_path, monkeypatch):
    for name in os.listdir(FASHION):
        if name.startswith("t10k"):
            shutil.copy(FASHION / name, tmp_path / name)
    # an uncompressed copy works too
    with gzip.open(FASHION / "train-labels-idx1-ubyte.gz") as fh:
        (tmp_path / "train-labels-idx1-ubyte").write_bytes(fh.read())
    shutil.copy(FASHION / "train-images-idx3-ubyte.gz", tmp_path)
    monkeypatch.setenv("SPARSENN_FASHION_MNIST", str(tmp_path))
    X, y = load_fashion_mnist(subset="all", return_X_y=True)
    assert X.shape == (70000, 784) and y.shape == (70000,)


@needs_fashion
def test_fashion_mnist_content_is_verified(tmp_path):
    for name in os.listdir(FASHION):
        shutil.copy(FASHION / name, tmp_path / name)
    with gzip.open(FASHION / "t10k-labels-idx1-ubyte.gz") as fh:
        payload = bytearray(fh.read())
    payload[-1] = (payload[-1] + 1) % 10  # one label changed
    with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz", "wb") as fh:
        fh.write(bytes(payload))
    with pytest.raises(ValueError, match="content differs"):
        load_fashion_mnist(subset="test", data_home=tmp_path)
    payload[7] = 9  # header: count 10000 (0x2710) -> 9993
    with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz", "wb") as fh:
        fh.write(bytes(payload))
    with pytest.raises(ValueError, match="IDX header"):
        load_fashion_mnist(subset="test", data_home=tmp_path)


def test_fashion_mnist_missing_files_name_the_package(tmp_path):
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        load_fashion_mnist(data_home=tmp_path)


def test_fashion_mnist_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="subset='validation'"):
        load_fashion_mnist(subset="validation", data_home=tmp_path)
    with pytest.raises(ValueError, match="dtype=.*int16"):
        load_fashion_mnist(dtype=np.int16, data_home=tmp_path)


def _gzip_variants():
    good = gzip.compress(b"\x00\x00\x08\x03" + bytes(100))
    crc = bytearray(good)
    crc[-6] ^= 0xFF  # the CRC-32 trailer
    stream = bytearray(good)
    stream[12] ^= 0xFF  # inside the deflate stream
    return {
        "truncated": (good[:-10], "EOFError"),
        "bad CRC": (bytes(crc), "CRC check failed"),
        "not gzip": (b"no, not gzip at all", "Not a gzipped file"),
        "bad stream": (bytes(stream), "(zlib.)?error|BadGzipFile|EOFError"),
    }


@pytest.mark.parametrize("case", sorted(_gzip_variants()))
def test_fashion_mnist_corrupt_gzip_names_the_file(tmp_path, case):
    payload, what = _gzip_variants()[case]
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(payload)
    with pytest.raises(ValueError) as info:
        load_fashion_mnist(subset="test", data_home=tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path} is not a valid gzip file")
    assert re.search(what, message), message


def _tiny_fashion(monkeypatch, n=2):
    """Register ``n``-image t10k files; return their exact (decompressed) bytes."""
    rng = np.random.default_rng(0)
    files = {}
    for stem, magic, shape in [
        ("t10k-images-idx3-ubyte", 2051, (n, 28, 28)),
        ("t10k-labels-idx1-ubyte", 2049, (n,)),
    ]:
        data = rng.integers(0, 10 if magic == 2049 else 256, shape, dtype=np.uint8)
        payload = np.array([magic, *shape], dtype=">u4").tobytes() + data.tobytes()
        digest = hashlib.sha256(payload).hexdigest()
        monkeypatch.setitem(_fashion_mnist._FILES, stem, (magic, shape, digest))
        files[stem] = payload
    return files


def _write_fashion(folder, files, compressed):
    for stem, payload in files.items():
        if compressed:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(payload))
        else:
            (folder / stem).write_bytes(payload)


@pytest.mark.parametrize("compressed", [True, False])
@pytest.mark.parametrize("change", ["one byte more", "one byte less", "header only"])
def test_fashion_mnist_file_of_the_wrong_size_names_the_file(
    tmp_path, monkeypatch, compressed, change
):
    files = _tiny_fashion(monkeypatch)
    _write_fashion(tmp_path, files, compressed)
    X, y = load_fashion_mnist(subset="test", data_home=tmp_path, return_X_y=True)
    assert X.shape == (2, 784) and y.shape == (2,)  # the exact files load
    stem = "t10k-labels-idx1-ubyte"
    payload = files[stem]
    files[stem] = {
        "one byte more": payload + b"\x00",
        "one byte less": payload[:-1],
        "header only": payload[:8],
    }[change]
    _write_fashion(tmp_path, files, compressed)
    path = tmp_path / (f"{stem}.gz" if compressed else stem)
    with pytest.raises(ValueError) as info:
        load_fashion_mnist(subset="test", data_home=tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path} does not have the size"), message
    held = {"one byte more": "more than 10", "one byte less": "9 of its 10"}
    assert f"holds {held.get(change, '8 of its 10')} " in message, message
    assert ("decompressed bytes" in message) == compressed


def test_fashion_mnist_gz_is_not_decompressed_beyond_its_expected_size(
    tmp_path, monkeypatch
):
    files = _tiny_fashion(monkeypatch)
    _write_fashion(tmp_path, files, True)
    stem = "t10k-images-idx3-ubyte"
    with gzip.open(tmp_path / f"{stem}.gz", "wb") as fh:  # 32 MiB of zeros
        fh.write(files[stem])
        for _ in range(32):
            fh.write(bytes(2**20))
    assert (tmp_path / f"{stem}.gz").stat().st_size < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"holds more than 1584 decompressed"):
            load_fashion_mnist(subset="test", data_home=tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, peak


def test_fashion_mnist_argument_messages(tmp_path):
    with pytest.raises(ValueError, match=r"dtype='bogus' must be float32"):
        load_fashion_mnist(dtype="bogus", data_home=tmp_path)
    with pytest.raises(TypeError, match=r"data_home=5 must be a folder path"):
        load_fashion_mnist(data_home=5)
    with pytest.raises(TypeError, match=r"return_X_y='no' must be a bool"):
        load_fashion_mnist(return_X_y="no", data_home=tmp_path)
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    with pytest.raises(ValueError, match=r"a_file' is a file, not a folder"):
        load_fashion_mnist(data_home=a_file)


def test_fashion_mnist_env_var_naming_a_missing_folder_warns(tmp_path, monkeypatch):
    from sparsenn.datasets import _fashion_mnist

    missing = tmp_path / "typo"
    monkeypatch.setenv("SPARSENN_FASHION_MNIST", str(missing))
    with pytest.warns(UserWarning, match=r"SPARSENN_FASHION_MNIST .*typo.* not a"):
        folders = _fashion_mnist._candidates(None)
    assert folders == [Path(_fashion_mnist.DEBIAN_FOLDER)]
    monkeypatch.setenv("SPARSENN_FASHION_MNIST", "")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # empty: unset, silently
        assert _fashion_mnist._candidates(None) == [Path(_fashion_mnist.DEBIAN_FOLDER)]


def test_empty_sparsenn_data_counts_as_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SPARSENN_DATA", "")
    assert get_data_home() == str(tmp_path / "home" / "sparsenn_data")
