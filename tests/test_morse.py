"""Tests of the Morse codebook, the frame generator and the ``sparsenn morse`` CLI."""

import argparse

import numpy as np
import pytest

from sparsenn.cli import _morse as _cli
from sparsenn.datasets import (
    ASCII_NAMES,
    CLASS_ORDERS,
    CODEBOOK,
    CODEBOOK_ORDER,
    CODEWORDS,
    SYMBOLS,
    _morse,
    codebook,
    decode,
    encode,
    frame_lengths,
    make_morse,
    morse_checksum,
    morse_difficulty,
    relabel_morse,
)

# The label order of the authors' published datasets, by ASCII name, and the
# mapping to the pickle order of Codebook.npy, as given in issue 18 (measured by
# running the original generator under Python 2.7.18).
PUBLISHED_NAMES = (
    "J^ H^ B N~ U.. ! \" ' C, ) ( + - , / . 1 0 3 2 5 4 7 6 9 8 ; : = ? A @ C CH E D "
    "G F I G^ K J M L O N Q P S R U T W V Y X Z _ D- O.. S^ A.. E` H"
).split()
PERM = [
    0, 1, 33, 2, 56, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
    22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 3, 34, 35, 36, 37, 38, 4, 40, 41, 42,
    43, 44, 45, 46, 60, 47, 63, 48, 49, 50, 51, 52, 53, 54, 55, 57, 58, 59, 61, 62, 39,
]  # fmt: skip
# International Morse (and its extensions), typed independently of the package
MORSE = {
    "A": ".-", "B": "-...", "C": "-.-.", "D": "-..", "E": ".", "F": "..-.",
    "G": "--.", "H": "....", "I": "..", "J": ".---", "K": "-.-", "L": ".-..",
    "M": "--", "N": "-.", "O": "---", "P": ".--.", "Q": "--.-", "R": ".-.",
    "S": "...", "T": "-", "U": "..-", "V": "...-", "W": ".--", "X": "-..-",
    "Y": "-.--", "Z": "--..", "0": "-----", "1": ".----", "2": "..---",
    "3": "...--", "4": "....-", "5": ".....", "6": "-....", "7": "--...",
    "8": "---..", "9": "----.", ".": ".-.-.-", ",": "--..--", "?": "..--..",
    "'": ".----.", "!": "-.-.--", "/": "-..-.", "(": "-.--.", ")": "-.--.-",
    ":": "---...", ";": "-.-.-.", "=": "-...-", "+": ".-.-.", "-": "-....-",
    "_": "..--.-", '"': ".-..-.", "@": ".--.-.", "A..": ".-.-", "C,": "-.-..",
    "CH": "----", "D-": "..--.", "E`": "..-..", "G^": "--.-.", "H^": "-.--.",
    "J^": ".---.", "N~": "--.--", "O..": "---.", "S^": "...-.", "U..": "..--",
}  # fmt: skip


def _runs(frame):
    """(value, start, length) of the runs of on (>0) and off (0) positions."""
    on = (np.asarray(frame) > 0).astype(np.int8)
    change = np.flatnonzero(np.diff(on)) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [on.shape[0]]]))
    return [(int(on[s]), int(s), int(n)) for s, n in zip(starts, lengths, strict=True)]


def _marks_and_gaps(frame):
    """Lengths of the marks and of the spaces between marks of one frame."""
    runs = _runs(frame)
    marks = [n for v, _, n in runs if v == 1]
    first = next(i for i, r in enumerate(runs) if r[0] == 1)
    last = max(i for i, r in enumerate(runs) if r[0] == 1)
    gaps = [n for v, _, n in runs[first:last] if v == 0]
    return marks, gaps


# ---------------------------------------------------------------- codebook


def test_codebook_has_64_classes_and_one_shared_codeword():
    assert len(CODEBOOK) == len(SYMBOLS) == len(CODEWORDS) == 64
    assert len(set(SYMBOLS)) == 64 and len(set(ASCII_NAMES)) == 64
    assert len(set(CODEWORDS)) == 63
    shared = [i for i, c in enumerate(CODEWORDS) if CODEWORDS.count(c) > 1]
    assert shared == [1, 10] and SYMBOLS[1] == "Ĥ" and SYMBOLS[10] == "("
    assert all(set(c) <= {".", "-"} and 1 <= len(c) <= 6 for c in CODEWORDS)
    letters = [s for s in SYMBOLS if len(s) == 1 and "A" <= s <= "Z"]
    digits = [s for s in SYMBOLS if s.isdigit()]
    assert len(letters) == 26 and len(digits) == 10


def test_codebook_spot_checks_and_encode_decode_round_trip():
    assert (SYMBOLS[0], CODEWORDS[0]) == ("Ĵ", ".---.")
    assert (SYMBOLS[34], CODEWORDS[34]) == ("E", ".")
    assert (SYMBOLS[63], CODEWORDS[63]) == ("H", "....")  # published order
    assert (SYMBOLS[49], CODEWORDS[49]) == ("R", ".-.")
    assert encode("SOS"[0]) == "..." and encode("U..") == "..--"
    for index, (symbol, code, ascii_name) in enumerate(CODEBOOK):
        assert encode(symbol) == encode(ascii_name) == code
        assert index in decode(code)
    assert decode("........") == []
    with pytest.raises(ValueError, match="symbol='§'"):
        encode("§")


def test_default_class_order_is_the_published_one_symbol_by_symbol():
    assert len(PUBLISHED_NAMES) == 64
    for index, name in enumerate(PUBLISHED_NAMES):
        assert ASCII_NAMES[index] == name, index
        assert CODEWORDS[index] == MORSE[name], (index, name)
        assert CODEBOOK[index] == (SYMBOLS[index], MORSE[name], name)
    assert codebook() == CODEBOOK == codebook("published")


def test_perm_maps_published_labels_to_the_codebook_order():
    assert list(CODEBOOK_ORDER) == PERM
    assert [i for i in range(64) if PERM[i] != i] == [
        2,
        3,
        4,
        33,
        39,
        *range(47, 61),
        63,
    ]
    old = codebook("codebook")
    for i in range(64):  # published label i is codebook label perm[i]
        assert CODEBOOK[i] == old[PERM[i]]
    # the codebook order is the table of the spec (Codebook.npy's pickle order)
    assert [e[2] for e in old[:6]] == ["J^", "H^", "N~", "CH", "G^", "!"]
    assert [e[0] for e in old[47:]] == list("SUTWVYXZ_ÜĐÖŜPÄÈR")
    y = np.arange(64)
    np.testing.assert_array_equal(
        relabel_morse(y, source="published", target="codebook"), PERM
    )
    np.testing.assert_array_equal(relabel_morse(np.array(PERM)), y)
    np.testing.assert_array_equal(
        relabel_morse(y, source="codebook", target="codebook"), y
    )
    for i in range(64):
        assert decode(CODEWORDS[i]) == decode(old[PERM[i]][1], class_order="published")
        assert PERM[i] in decode(CODEWORDS[i], class_order="codebook")


def test_class_order_codebook_reproduces_sparsenn_0_1_0_bit_for_bit():
    # checksums of sparsenn 0.1.0's registry (baseline-small, difficult-small val)
    old = {
        (100, 1, "baseline"): "f0a9bbdbed1bdd14d2244ba2ea5e4ebf"
        "f3330230ad4dc52a2b17dcd01c32b374",
        (100, 1, "difficult"): "89268310c31af2d7d9b6a8b3e70a7373"
        "a009f35ce7d3bf2a96d541a8302834ac",
    }
    difficult = dict(noise_std=4.0, leading_space=1.0, dash_length=(3, 9))
    for (seed, k, kind), digest in old.items():
        kwargs = difficult if kind == "difficult" else {}
        random_state = np.random.SeedSequence(seed, spawn_key=(k,))
        X, y = make_morse(
            50, **kwargs, class_order="codebook", random_state=random_state
        )
        assert morse_checksum(X, y) == digest
        Xp, yp = make_morse(50, **kwargs, random_state=random_state)
        assert morse_checksum(Xp, yp) != digest


def test_each_order_draws_its_classes_codewords():
    for order in CLASS_ORDERS:
        X, y = make_morse(2, shuffle=False, class_order=order, random_state=0)
        entries = codebook(order)
        for frame, label in zip(X, y, strict=True):
            marks, _ = _marks_and_gaps(frame)
            code = "".join("." if n <= 3 else "-" for n in marks)
            assert code == entries[label][1]


@pytest.mark.parametrize("bad", ["Published", "pickle", None, 0])
def test_bad_class_order_names_the_parameter(bad):
    with pytest.raises(ValueError, match=r"class_order=.*'published', 'codebook'"):
        make_morse(2, class_order=bad)
    with pytest.raises(ValueError, match="class_order="):
        decode(".-", class_order=bad)
    with pytest.raises(ValueError, match="target="):
        relabel_morse([0], target=bad)


def test_relabel_rejects_labels_outside_the_codebook():
    with pytest.raises(ValueError, match="y holds label 64"):
        relabel_morse([1, 64])
    with pytest.raises(ValueError, match="y holds label -1"):
        relabel_morse([-1])
    with pytest.raises(ValueError, match="y has dtype float64"):
        relabel_morse([1.0])


def test_frames_decode_back_to_their_class():
    # noise-free frames: marks <= 3 are dots, >= 4 dashes (default ranges)
    X, y = make_morse(3, shuffle=False, random_state=0)
    for frame, label in zip(X, y, strict=True):
        marks, _ = _marks_and_gaps(frame)
        code = "".join("." if n <= 3 else "-" for n in marks)
        assert label in decode(code)


def test_default_worst_case_codeword_length_is_57():
    lengths = frame_lengths()
    assert lengths.shape == (64,) and int(lengths.max()) == 57
    assert int(lengths[CODEWORDS.index("-.-.--")]) == 4 * 9 + 2 * 3 + 5 * 3


# ---------------------------------------------------------------- generator


@pytest.mark.parametrize(("dilation", "n_features"), [(1, 64), (2, 128), (4, 256)])
def test_shapes_dtypes_and_balance(dilation, n_features):
    X, y = make_morse(5, dilation=dilation, random_state=1)
    assert X.shape == (320, n_features) and X.dtype == np.float32
    assert y.shape == (320,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y, minlength=64), np.full(64, 5))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"noise_std": 8.0, "noise_mean": 4.0, "leading_space": True},
        {"noise_std": 3.0, "symbol_std": 6.0},
        {"style": "binary", "max_flips": 10},
    ],
)
def test_values_in_unit_interval_and_rounded(kwargs):
    X, _ = make_morse(20, random_state=2, **kwargs)
    assert X.min() >= 0.0 and X.max() <= 1.0
    scaled = X.astype(np.float64) * 1000
    np.testing.assert_allclose(scaled, np.round(scaled), atol=1e-3)


def test_noise_saturates_to_both_ends():
    X, _ = make_morse(5, noise_std=20.0, random_state=3)
    assert (X == 0).any() and (X == 1).any()


def test_mark_intensity_statistics():
    X, _ = make_morse(50, random_state=4)
    marks = X[X > 0].astype(np.float64)
    assert abs(marks.mean() - 12 / 16) < 0.005
    assert abs(marks.std() - 1.34 / 16) < 0.005


def test_deterministic_for_same_seed_and_different_otherwise():
    a = make_morse(4, noise_std=2.0, leading_space=1.0, random_state=7)
    b = make_morse(4, noise_std=2.0, leading_space=1.0, random_state=7)
    c = make_morse(4, noise_std=2.0, leading_space=1.0, random_state=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_random_state_kinds():
    seq = np.random.SeedSequence(5)
    np.testing.assert_array_equal(
        make_morse(2, random_state=seq)[0], make_morse(2, random_state=seq)[0]
    )
    rng = np.random.default_rng(0)
    first, second = (
        make_morse(2, random_state=rng)[0],
        make_morse(2, random_state=rng)[0],
    )
    assert not np.array_equal(first, second)  # a Generator is advanced
    X, _ = make_morse(2, random_state=np.random.RandomState(0))
    assert X.shape == (128, 64)


def test_chunking_does_not_change_the_output(monkeypatch):
    kwargs = dict(noise_std=2.0, leading_space=0.5, random_state=11)
    X, y = make_morse(7, **kwargs)
    Xb, yb = make_morse(7, style="binary", max_flips=5, random_state=11)
    monkeypatch.setattr(_morse, "_ROWS_PER_CHUNK_WORDS", 64 * 3)  # 3 rows a chunk
    np.testing.assert_array_equal(make_morse(7, **kwargs)[0], X)
    np.testing.assert_array_equal(make_morse(7, **kwargs)[1], y)
    Xc, yc = make_morse(7, style="binary", max_flips=5, random_state=11)
    np.testing.assert_array_equal(Xc, Xb)


def test_shuffle_permutes_the_unshuffled_set():
    X, y = make_morse(3, noise_std=1.0, random_state=5)
    Xo, yo = make_morse(3, noise_std=1.0, shuffle=False, random_state=5)
    np.testing.assert_array_equal(yo, np.repeat(np.arange(64), 3))
    assert not np.array_equal(y, yo)
    key = np.lexsort(np.column_stack([X, y]).T)
    key_o = np.lexsort(np.column_stack([Xo, yo]).T)
    np.testing.assert_array_equal(X[key], Xo[key_o])
    np.testing.assert_array_equal(y[key], yo[key_o])


def test_binary_marks_match_gray_marks_and_flips_are_bounded():
    gray, _ = make_morse(10, shuffle=False, random_state=9)
    binary, _ = make_morse(10, style="binary", shuffle=False, random_state=9)
    assert set(np.unique(binary)) <= {0.0, 1.0}
    np.testing.assert_array_equal(binary, (gray > 0).astype(np.float32))
    flipped, _ = make_morse(
        10, style="binary", max_flips=6, shuffle=False, random_state=9
    )
    n_flips = (flipped != binary).sum(axis=1)
    assert n_flips.max() == 6 and n_flips.min() == 0
    assert abs(n_flips.mean() - 3.0) < 0.5  # uniform on 0..6


def test_common_random_numbers_across_noise_levels():
    clean, _ = make_morse(5, shuffle=False, random_state=3)
    noisy, _ = make_morse(5, noise_std=1.0, shuffle=False, random_state=3)
    assert not np.array_equal(clean, noisy)
    assert np.abs(noisy - clean).mean() < 0.1  # same layouts, small perturbation


# ---------------------------------------------------------------- knobs


def test_noise_raises_v_lower():
    values = []
    for noise in (0.0, 2.0, 4.0, 6.0):
        X, y = make_morse(60, noise_std=noise, random_state=0)
        values.append(morse_difficulty(X, y)["V_lower"])
    assert np.all(np.diff(values) > 0), values


def test_leading_space_moves_the_first_mark():
    X0, _ = make_morse(20, random_state=1)
    first0 = (X0 > 0).argmax(axis=1)
    assert np.all(first0 == 0)
    for fraction in (0.5, 1.0):
        X, _ = make_morse(20, leading_space=fraction, random_state=1)
        on = X > 0
        first = on.argmax(axis=1)
        trailing = on[:, ::-1].argmax(axis=1)
        free = first + trailing
        assert np.all(first <= np.floor(fraction * free))
        assert first.max() > 10 and first.min() == 0
    X1, _ = make_morse(20, leading_space=1.0, random_state=1)
    assert (X1 > 0)[:, -1].any()  # with all the room, some codewords end the frame


@pytest.mark.parametrize("dilation", [1, 2, 4])
def test_dilation_scales_run_lengths(dilation):
    X, _ = make_morse(20, dilation=dilation, random_state=2)
    marks, gaps = set(), set()
    for frame in X:
        m, g = _marks_and_gaps(frame)
        marks.update(m)
        gaps.update(g)
    d = dilation
    assert marks == set(range(d, 3 * d + 1)) | set(range(4 * d, 9 * d + 1))
    assert gaps == set(range(d, 3 * d + 1))


def test_length_ranges_are_respected():
    X, y = make_morse(
        30,
        dot_length=(2, 2),
        dash_length=(5, 7),
        space_length=(2, 4),
        shuffle=False,
        random_state=3,
    )
    marks, gaps = set(), set()
    for frame in X:
        m, g = _marks_and_gaps(frame)
        marks.update(m)
        gaps.update(g)
    assert marks == {2, 5, 6, 7} and gaps == {2, 3, 4}


def test_dash_dot_confusion_makes_overlapping_lengths():
    X, y = make_morse(30, dash_length=(3, 9), shuffle=False, random_state=4)
    t_marks = {_marks_and_gaps(f)[0][0] for f in X[y == SYMBOLS.index("T")]}
    e_marks = {_marks_and_gaps(f)[0][0] for f in X[y == SYMBOLS.index("E")]}
    assert t_marks == set(range(3, 10)) and e_marks == {1, 2, 3}


def test_zero_space_lets_marks_merge():
    X, _ = make_morse(2, space_length=(0, 0), random_state=0)
    runs = [sum(v for v, _, _ in _runs(f)) for f in X]
    assert max(runs) == 1  # every codeword is one contiguous mark


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_samples_per_class": 0}, ValueError, "n_samples_per_class=0"),
        ({"n_samples_per_class": -3}, ValueError, "n_samples_per_class=-3"),
        ({"n_samples_per_class": 2.5}, TypeError, "n_samples_per_class=2.5"),
        ({"n_samples_per_class": True}, TypeError, "n_samples_per_class=True"),
        ({"style": "color"}, ValueError, "style='color'"),
        ({"frame_length": 0}, ValueError, "frame_length=0"),
        ({"dilation": 0}, ValueError, "dilation=0"),
        ({"dot_length": (0, 3)}, ValueError, r"dot_length\[0\]=0"),
        ({"dash_length": (9, 4)}, ValueError, "dash_length=.*maximum"),
        ({"space_length": (-1, 2)}, ValueError, r"space_length\[0\]=-1"),
        ({"space_length": 3}, TypeError, "space_length=3"),
        ({"dash_length": (4, 12)}, ValueError, "needs up to 72 positions.*= 64"),
        ({"frame_length": 32}, ValueError, "needs up to 57 positions.*= 32"),
        ({"leading_space": 1.5}, ValueError, "leading_space=1.5"),
        ({"noise_std": -1.0}, ValueError, "noise_std=-1.0"),
        ({"noise_std": float("nan")}, ValueError, "noise_std=nan"),
        ({"levels": 0}, ValueError, "levels=0"),
        ({"max_flips": 65, "style": "binary"}, ValueError, "max_flips=65"),
        ({"max_flips": 3}, ValueError, "max_flips=3 applies to style='binary'"),
        ({"style": "binary", "noise_std": 1.0}, ValueError, "style='gray' only"),
        ({"random_state": -1}, ValueError, "random_state=-1"),
        ({"random_state": "seed"}, TypeError, "random_state='seed'"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, error, match):
    kwargs = {"n_samples_per_class": 2, **kwargs}
    with pytest.raises(error, match=match):
        make_morse(**kwargs)


def test_long_codewords_fit_when_the_frame_is_dilated_consistently():
    X, _ = make_morse(1, frame_length=57, random_state=0)  # worst case exactly fits
    assert X.shape == (64, 57)


# ---------------------------------------------------------------- command line


def _parse(argv):
    parser = argparse.ArgumentParser()
    _cli.configure(parser)
    return parser.parse_args(argv)


def test_cli_lists_variants(capsys):
    assert _cli.run(_parse([])) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "difficult" in out and "noise-3" in out
    assert _cli.run(_parse(["--list"])) == 0
    assert capsys.readouterr().out == out


def test_cli_unknown_variant_lists_known_ones(capsys):
    assert _cli.run(_parse(["nope"])) == 2
    err = capsys.readouterr().err
    assert "name='nope'" in err and "baseline-small" in err


def test_cli_writes_npz(tmp_path, capsys):
    out = tmp_path / "small.npz"
    argv = ["baseline-small", "-o", str(out), "--data-home", str(tmp_path)]
    assert _cli.run(_parse(argv)) == 0
    with np.load(out) as archive:
        assert sorted(archive) == sorted(["xtr", "ytr", "xva", "yva", "xte", "yte"])
        assert archive["xtr"].shape == (12800, 64) and archive["yte"].shape == (3200,)
    argv = ["noise-1", "--subset", "test", "-o", str(out), "--data-home", str(tmp_path)]
    assert _cli.run(_parse(argv)) == 0
    with np.load(out) as archive:
        assert sorted(archive) == ["xte", "yte"]
    assert "wrote" in capsys.readouterr().out
