"""The ``sparsenn`` console command.

Each sub-command lives in its own module exposing ``configure(parser)`` and
``run(args) -> int``; this file only wires them together.  A user error (a
``ValueError`` or ``OSError`` raised by a sub-command: an unknown variant, an
unwritable path) is reported in one line on stderr with exit status 2, as
argparse does for bad options; anything else is a bug and keeps its traceback.
A warning is printed as ``sparsenn COMMAND: warning: Category: message``, without
Python's source line: run as a console command, that line would be the
entry-point shim's ``sys.exit(main())``.
"""

import argparse
import importlib
import sys
import warnings

__all__ = ["main"]

# sub-command name -> (module implementing it, one-line help)
COMMANDS = {
    "demo": ("sparsenn.cli._demo", "train dense vs structured networks on Morse data"),
    "morse": ("sparsenn.cli._morse", "list the named Morse variants or write one"),
}


DESCRIPTION = """\
sparsenn: neural networks whose weight matrices are cheap by structure
(pre-defined sparsity, H-matrices, offset-tridiagonal pseudo-inverse training,
12-bit fixed-point export), as scikit-learn estimators.

Run `sparsenn COMMAND --help` for the options of a command and their defaults."""


def build_parser():
    """Return the argument parser with every sub-command configured."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="sparsenn",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"sparsenn {__version__}"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(
            name,
            help=help_text,
            description=help_text,
            formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        )
        sub.set_defaults(_module=module_name)
        importlib.import_module(module_name).configure(sub)
    return parser


def main(argv=None):
    """Run the ``sparsenn`` command; return the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 on a user error (reported in one line on stderr).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    original = warnings.formatwarning
    warnings.formatwarning = _warning_formatter(args.command)
    try:
        return importlib.import_module(args._module).run(args)
    except (ValueError, OSError) as exc:
        print(f"sparsenn {args.command}: error: {exc}", file=sys.stderr, flush=True)
        return 2
    finally:
        warnings.formatwarning = original


def _warning_formatter(command):
    """Return a ``warnings.formatwarning`` that names the command, not a line.

    The package attributes its warnings to the caller's line; under the console
    command the caller is the entry-point shim, whose line says nothing.
    """

    def formatwarning(message, category, filename, lineno, line=None):
        return f"sparsenn {command}: warning: {category.__name__}: {message}\n"

    return formatwarning


if __name__ == "__main__":
    sys.exit(main())
