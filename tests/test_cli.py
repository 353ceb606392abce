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


def _one_line_error(capsys):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert lines[0].startswith("sparsenn morse: error: ")
    return lines[0]


def test_morse_unwritable_output_is_one_line_and_status_2(tmp_path, capsys):
    argv = ["morse", "baseline-small", "--data-home", str(tmp_path)]
    assert main([*argv, "-o", "/nonexistent/x.npz"]) == 2
    assert "'/nonexistent' does not exist" in _one_line_error(capsys)
    assert main([*argv, "-o", str(tmp_path)]) == 2  # a folder
    assert "is a folder" in _one_line_error(capsys)
    assert not list((tmp_path).glob("*.tmp"))


def test_morse_unknown_name_and_bad_data_home_are_one_line(tmp_path, capsys):
    assert main(["morse", "nope", "-o", str(tmp_path / "x.npz")]) == 2
    assert "name='nope'" in _one_line_error(capsys)
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    argv = ["morse", "baseline-small", "-o", str(tmp_path / "x.npz")]
    assert main([*argv, "--data-home", str(a_file)]) == 2
    assert "is a file, not a folder" in _one_line_error(capsys)
    assert not (tmp_path / "x.npz").exists()


def test_morse_help_describes_the_command_and_shows_defaults(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["morse", "--help"])
    assert exc.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "xtr, ytr (train), xva, yva (validation), xte, yte (test)" in out
    assert "--one-hot" in out and "one-hot float64 labels" in out
    assert "(default: all, the three subsets)" in out
    assert "(default: NAME.npz in this folder)" in out
    assert "(default: float32 frames, int64 labels)" in out
    assert "load_morse_npz" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-o", "y.npz"], "-o/--output needs a variant NAME to write"),
        (["--one-hot"], "--one-hot needs a variant NAME"),
        (["--subset", "test"], "--subset needs a variant NAME"),
        (["--list", "-o", "z.npz"], "-o/--output cannot be combined with --list"),
    ],
)
def test_morse_write_options_without_name_are_usage_errors(
    argv, message, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["morse", *argv])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing listed
    assert "usage: sparsenn morse" in captured.err
    assert f"sparsenn morse: error: {message}" in captured.err
    assert not list(tmp_path.iterdir())


def test_morse_list_name_lists_only_that_variant(capsys):
    assert main(["morse", "--list", "baseline-small"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("baseline-small ")
    assert main(["morse", "--list", "nope"]) == 2
    assert "name='nope'" in _one_line_error(capsys)


def test_morse_write_failure_names_the_users_path(tmp_path, capsys, monkeypatch):
    import os

    argv = ["morse", "baseline-small", "--subset", "test", "--data-home", str(tmp_path)]
    real_open = open

    def failing_open(file, *args, **kwargs):
        if str(file).endswith(".tmp"):
            raise FileNotFoundError(2, "No such file or directory", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    target = str(tmp_path / "x.npz")
    assert main([*argv, "-o", target]) == 2
    line = _one_line_error(capsys)
    assert f"cannot write {target!r}: No such file or directory" in line
    assert ".tmp" not in line
    assert not any(name.endswith(".tmp") for name in os.listdir(tmp_path))


def test_morse_output_without_npz_suffix_gets_it_with_a_warning(tmp_path, capsys):
    from sparsenn.datasets import load_morse_npz

    argv = ["morse", "baseline-small", "--subset", "test", "--data-home", str(tmp_path)]
    assert main([*argv, "-o", str(tmp_path / "x.txt")]) == 0
    captured = capsys.readouterr()
    assert "warning: " in captured.err and "x.txt.npz" in captured.err
    assert f"wrote {tmp_path / 'x.txt.npz'}" in captured.out
    assert not (tmp_path / "x.txt").exists()
    data = load_morse_npz(tmp_path / "x.txt.npz", subset="test")
    assert data.data.shape == (3200, 64)
