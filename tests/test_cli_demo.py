"""``sparsenn demo``: progress, one-line user errors, and the README's table."""

import re
from pathlib import Path

import pytest

from sparsenn.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
README_TOLERANCE = 0.025  # the README says so


@pytest.mark.parametrize(
    "argv, message",
    [
        (["demo", "--variant", "nope"], "not a registered Morse variant"),
        (["demo", "--densities", "0"], "not a density in (0, 1]"),
        (["demo", "--hidden", "0"], "must be >= 1"),
        (["demo", "--hidden", "2"], "must be >= 3"),
        (["demo", "--epochs", "x"], "is not an integer"),
    ],
)
def test_user_errors_are_one_line_with_status_2(
    argv, message, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("SPARSENN_DATA", str(tmp_path))  # nothing lands in ~
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    assert message in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("sparsenn demo: error:")


@pytest.mark.parametrize("command", [[], ["demo"], ["morse"]])
def test_help_describes_the_command_and_its_defaults(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "console command." not in out
    if command == ["demo"]:
        assert "(default: baseline-small)" in out and "(default: 512)" in out


def _table(text):
    """Model name -> test accuracy, from the demo's printed table."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^(\S.*?)\s{2,}(\S+)\s{2,}(\S+)\s{2,}(\d\.\d{4})\s*$", line)
        if match:
            rows[match.group(1).strip()] = match.group(4)
    return rows


def _readme_table():
    text = README.read_text(encoding="utf-8")
    block = text.split("`sparsenn demo` trains every model", 1)[1]
    block = block[block.index("```\n") + 4 :]
    return _table(block[: block.index("```")])


@pytest.mark.slow
@pytest.mark.filterwarnings("error::UserWarning")
def test_demo_prints_progress_first_and_the_readme_accuracies(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("SPARSENN_DATA", str(tmp_path))  # nothing lands in ~
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("sparsenn demo: loading")
    printed, documented = _table(out), _readme_table()
    assert len(documented) >= 8, "README table not found"
    assert printed.keys() == documented.keys()
    # The same machine prints the README's digits again; another CPU (vector width
    # of the compiled kernels) or BLAS build sums in another order, which moved them
    # by up to 0.012 between two machines.
    far = {
        name: (printed[name], documented[name])
        for name in documented
        if abs(float(printed[name]) - float(documented[name])) > README_TOLERANCE
    }
    assert not far, f"printed vs README accuracy differ by > {README_TOLERANCE}: {far}"


@pytest.mark.parametrize("seed", ["-1", str(2**32), "1.5"])
def test_seed_is_checked_at_parse_time(seed, capsys, monkeypatch):
    from sparsenn.cli import _demo

    monkeypatch.setattr(_demo, "run", lambda args: pytest.fail("ran"))
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--seed", seed])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --seed:" in err and "Traceback" not in err
    assert "random_state" not in err


def test_seed_accepts_the_full_range():
    from sparsenn.cli import build_parser

    assert (
        build_parser().parse_args(["demo", "--seed", str(2**32 - 1)]).seed == 2**32 - 1
    )


def test_warm_up_shows_no_warnings(monkeypatch):
    import warnings

    import numpy as np
    from sklearn.dummy import DummyClassifier

    from sparsenn.cli import _demo

    class Noisy(DummyClassifier):
        def fit(self, X, y):
            warnings.warn("sizes of the warm-up slice", UserWarning, stacklevel=1)
            return super().fit(X, y)

    monkeypatch.setattr(_demo, "_models", lambda args: iter([("noisy", Noisy())]))
    monkeypatch.setattr(_demo, "_progress", lambda text: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _demo._warm_up(None, np.zeros((4, 2)), np.arange(4) % 2)


def test_hidden_sets_the_pseudo_inverse_width_too():
    from sparsenn import PseudoInverseSparseClassifier
    from sparsenn.cli import _demo, build_parser

    args = build_parser().parse_args(["demo", "--hidden", "64"])
    models = dict(_demo._models(args))
    (pinv,) = [
        m for m in models.values() if isinstance(m, PseudoInverseSparseClassifier)
    ]
    assert pinv.n_hidden == 64
    for name, est in models.items():
        if name != "PseudoInverseSparseClassifier":
            assert est.get_params()["hidden_layer_sizes"] == (64,), name


def test_help_names_the_rows_that_ignore_densities(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "the clash-free row (density 0.1) and the fixed-point rows" in out
    assert "(density 0.125) do not use them" in out
    assert "the pseudo-inverse model's n_hidden too" in out


def test_warnings_name_the_command_not_the_entry_point_line(monkeypatch):
    import warnings

    from sparsenn.cli import _demo

    seen = []

    def run(args):
        # what Python prints for a warning attributed to the console-script shim
        seen.append(
            warnings.formatwarning(
                "some message", UserWarning, "/venv/bin/sparsenn", 6, "sys.exit(main())"
            )
        )
        return 0

    monkeypatch.setattr(_demo, "run", run)
    original = warnings.formatwarning
    assert main(["demo"]) == 0
    assert seen == ["sparsenn demo: warning: UserWarning: some message\n"]
    assert warnings.formatwarning is original
