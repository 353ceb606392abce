"""Tests of the authors' ``.npz`` format: ``load_morse_npz`` and ``--one-hot``."""

import argparse
import re

import numpy as np
import pytest

from sparsenn.cli import _morse as _cli
from sparsenn.datasets import (
    SYMBOLS,
    codebook,
    load_morse,
    load_morse_npz,
    make_morse,
    morse_variant,
)

SMALL = "baseline-small"
SUBSET_KEYS = {"train": ("xtr", "ytr"), "val": ("xva", "yva"), "test": ("xte", "yte")}


def _parse(argv):
    parser = argparse.ArgumentParser()
    _cli.configure(parser)
    return parser.parse_args(argv)


def _authors_file(path, long_keys=False, n=2, seed=0):
    """A small file as the reference generator writes it: float64, one-hot."""
    arrays = {}
    for k, subset in enumerate(("train", "val", "test")):
        X, y = make_morse(n, random_state=seed + k)
        x_key, y_key = SUBSET_KEYS[subset]
        if long_keys:
            x_key, y_key = f"x{subset}", f"y{subset}"
        arrays[x_key] = np.round(X.astype(np.float64), 3)
        arrays[y_key] = np.eye(64)[y]
    np.savez_compressed(path, **arrays)
    return arrays


@pytest.mark.parametrize("long_keys", [False, True])
def test_reads_one_hot_files_of_the_authors(tmp_path, long_keys):
    path = tmp_path / "authors.npz"
    arrays = _authors_file(path, long_keys=long_keys)
    for subset in ("train", "val", "test"):
        data = load_morse_npz(path, subset=subset)
        y_key = f"y{subset}" if long_keys else SUBSET_KEYS[subset][1]
        x_key = f"x{subset}" if long_keys else SUBSET_KEYS[subset][0]
        assert data.data.dtype == np.float32 and data.target.dtype == np.int64
        np.testing.assert_array_equal(data.target, arrays[y_key].argmax(axis=1))
        np.testing.assert_allclose(data.data, arrays[x_key], atol=1e-7)
        assert data.subset == subset and data.name == "authors.npz"
        assert f"'{y_key}'" in data.DESCR and "one-hot" in data.DESCR
    assert list(data.target_names) == list(SYMBOLS)
    assert data.params is None and data.class_order == "published"


def test_bunch_has_the_fields_of_load_morse(tmp_path):
    path = tmp_path / "authors.npz"
    _authors_file(path)
    reference = load_morse(SMALL, subset="test", data_home=tmp_path)
    data = load_morse_npz(path, subset="test")
    assert set(data) == set(reference)
    X, y = load_morse_npz(path, subset="test", return_X_y=True)
    np.testing.assert_array_equal(X, data.data)
    np.testing.assert_array_equal(y, data.target)


def test_codebook_order_files_get_codebook_names(tmp_path):
    path = tmp_path / "old.npz"
    X, y = make_morse(1, class_order="codebook", random_state=0)
    np.savez(path, xte=X, yte=y)  # as sparsenn 0.1.0's `sparsenn morse` wrote
    data = load_morse_npz(path, subset="test", class_order="codebook")
    np.testing.assert_array_equal(data.target, y)
    assert list(data.codewords) == [e[1] for e in codebook("codebook")]
    with pytest.raises(ValueError, match="class_order='old'"):
        load_morse_npz(path, subset="test", class_order="old")


@pytest.mark.parametrize("one_hot", [False, True])
def test_cli_output_round_trips_to_the_registry_arrays(tmp_path, capsys, one_hot):
    out = tmp_path / "small.npz"
    argv = [SMALL, "-o", str(out), "--data-home", str(tmp_path)]
    assert _cli.run(_parse(argv + (["--one-hot"] if one_hot else []))) == 0
    assert ("one-hot" if one_hot else "integer") in capsys.readouterr().out
    entry = morse_variant(SMALL)
    for subset in ("train", "val", "test"):
        data = load_morse_npz(out, subset=subset)
        assert data.sha256 == entry["sha256"][subset]  # the very arrays, bit for bit
        assert ("one-hot" in data.DESCR) == one_hot


def test_one_hot_output_is_what_the_authors_tools_read(tmp_path):
    out = tmp_path / "small.npz"
    argv = [SMALL, "-o", str(out), "--one-hot", "--data-home", str(tmp_path)]
    assert _cli.run(_parse(argv)) == 0
    test = load_morse(SMALL, subset="test", data_home=tmp_path)
    with np.load(out) as archive:
        assert sorted(archive) == sorted(["xtr", "ytr", "xva", "yva", "xte", "yte"])
        xte, yte = archive["xte"], archive["yte"]
        assert archive["ytr"].shape == (12800, 64) and archive["xtr"].shape == (
            12800,
            64,
        )
    assert xte.dtype == yte.dtype == np.float64
    assert yte.shape[1] == 64  # dataset_metrics.py: numlabels = ydata.shape[1]
    assert set(np.unique(yte)) == {0.0, 1.0} and np.all(yte.sum(axis=1) == 1)
    labels = np.array([np.flatnonzero(row)[0] for row in yte])  # as their loop does
    np.testing.assert_array_equal(labels, test.target)
    np.testing.assert_array_equal(xte, np.round(xte, 3))  # 3 decimals, as theirs
    np.testing.assert_array_equal(xte.astype(np.float32), test.data)


# ---------------------------------------------------------------- bad input


def _write(path, **arrays):
    np.savez(path, **arrays)
    return path


def _X(n=4):
    return np.zeros((n, 64))


def _onehot(rows):
    y = np.eye(64)[np.zeros(len(rows), dtype=int)]
    for i, row in enumerate(rows):
        if row is not None:
            y[i] = row
    return y


BAD = {
    "neither format": (dict(X=_X(), y=np.zeros(4, int)), None, "neither the six-key"),
    "unpaired key": (dict(xtr=_X()), "xtr", "has no 'ytr' to pair"),
    "label 64": (
        dict(xtr=_X(), ytr=np.array([0, 1, 64, 2])),
        "ytr",
        "label 64 at row 2",
    ),
    "label -1": (
        dict(xtr=_X(), ytr=np.array([0, -1, 3, 2])),
        "ytr",
        "label -1 at row 1",
    ),
    "non-integer label": (
        dict(xtr=_X(), ytr=np.array([0.0, 1.0, 2.5, 2.0])),
        "ytr",
        "label 2.5 at row 2 is not an integer",
    ),
    "row sums to 2": (
        dict(xtr=_X(), ytr=_onehot([None, None, None, np.r_[1, 1, np.zeros(62)]])),
        "ytr",
        "one-hot row 3 sums to 2",
    ),
    "row sums to 0": (
        dict(xtr=_X(), ytr=_onehot([None, np.zeros(64), None, None])),
        "ytr",
        "one-hot row 1 sums to 0",
    ),
    "soft labels": (
        dict(xtr=_X(), ytr=_onehot([np.r_[0.5, 0.5, np.zeros(62)], None, None, None])),
        "ytr",
        "one-hot row 0 sums to 1 with values",
    ),
    "10 columns": (dict(xtr=_X(), ytr=np.eye(10)[:4]), "ytr", "10 columns"),
    "3-d labels": (
        dict(xtr=_X(), ytr=np.zeros((4, 8, 8))),
        "ytr",
        r"shape \(4, 8, 8\)",
    ),
    "row count": (dict(xtr=_X(3), ytr=np.arange(4)), "xtr", "3 frames but 4 labels"),
    "nan frames": (
        dict(xtr=np.full((4, 64), np.nan), ytr=np.arange(4)),
        "xtr",
        "NaN or infinite",
    ),
    "string labels": (dict(xtr=_X(), ytr=np.array(list("abcd"))), "ytr", "dtype <U1"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_name_the_file_and_the_key(tmp_path, case):
    arrays, key, message = BAD[case]
    path = _write(tmp_path / "bad.npz", **arrays)
    where = re.escape(str(path)) + (f", key '{key}'" if key else "")
    with pytest.raises(ValueError, match=f"^{where}: .*{message}"):
        load_morse_npz(path)


def test_missing_subset_says_what_the_file_holds(tmp_path):
    path = _write(tmp_path / "test_only.npz", xte=_X(), yte=np.arange(4))
    with pytest.raises(
        ValueError, match=r"test_only.npz: has no 'train' subset.*\['test'\]"
    ):
        load_morse_npz(path)
    assert load_morse_npz(path, subset="test").data.shape == (4, 64)


def test_files_that_are_not_npz_archives(tmp_path):
    npy = tmp_path / "array.npy"
    np.save(npy, np.zeros(3))
    with pytest.raises(ValueError, match=re.escape(str(npy)) + ": holds a single .npy"):
        load_morse_npz(npy)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04 not really a zip file")
    with pytest.raises(
        ValueError, match=re.escape(str(garbage)) + ": is not a readable"
    ):
        load_morse_npz(garbage)
    with pytest.raises(FileNotFoundError, match="absent.npz"):
        load_morse_npz(tmp_path / "absent.npz")


def test_bad_arguments(tmp_path):
    path = tmp_path / "authors.npz"
    _authors_file(path, n=1)
    with pytest.raises(ValueError, match="subset='validation'"):
        load_morse_npz(path, subset="validation")
    with pytest.raises(TypeError, match="return_X_y=1"):
        load_morse_npz(path, return_X_y=1)
