"""The ``sparsenn`` console command."""

import pytest

from sparsenn.cli import COMMANDS, build_parser, main


def test_every_command_is_wired():
    parser = build_parser()
    for name in COMMANDS:
        assert parser.parse_args([name]).command == name


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "sparsenn" in capsys.readouterr().out


def test_morse_lists_variants(capsys):
    assert main(["morse"]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "difficult" in out


def test_demo_prints_one_row_per_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SPARSENN_DATA", str(tmp_path))
    assert main(["demo", "--epochs", "1", "--hidden", "32", "--densities", "0.5"]) == 0
    out = capsys.readouterr().out
    for name in (
        "MLPClassifier",
        "SparseMLPClassifier density=0.5",
        "HMatrixMLPClassifier",
        "PseudoInverseSparseClassifier",
        "fixed<12,4>",
    ):
        assert name in out, name
    table = out.split("-----\n", 1)[1].strip().splitlines()
    assert len(table) == 7  # sklearn, one density, clash-free, H, pinv, float+fixed
    assert all(0 <= float(line.split()[-1]) <= 1 for line in table)


def test_unknown_command_exits_with_usage():
    with pytest.raises(SystemExit) as exc:
        main(["bogus"])
    assert exc.value.code == 2
