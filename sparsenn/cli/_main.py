"""The ``sparsenn`` console command.

Each sub-command lives in its own module exposing ``configure(parser)`` and
``run(args) -> int``; this file only wires them together.  A user error (a
``ValueError`` or ``OSError`` raised by a sub-command: an unknown variant, an
unwritable path) is reported in one line on stderr with exit status 2, as
argparse does for bad options; anything else is a bug and keeps its traceback.
Ctrl-C prints ``sparsenn: interrupted`` and exits with status 130, and output
to a pipe closed early (``sparsenn morse | head -1``) stops quietly with status
141, the statuses of a command stopped by SIGINT and SIGPIPE.
A warning is printed as ``sparsenn COMMAND: warning: Category: message``, without
Python's source line: run as a console command, that line would be the
entry-point shim's ``sys.exit(main())``.
"""

import argparse
import importlib
import os
import sys
import warnings

__all__ = ["main"]

# sub-command name -> (module implementing it, one-line help)
COMMANDS = {
    "demo": ("sparsenn.cli._demo", "train dense vs structured networks on Morse data"),
    "morse": ("sparsenn.cli._morse", "list the named Morse variants or write one"),
}

# the exit statuses a shell reports for a command stopped by SIGINT, SIGPIPE
STATUS_INTERRUPTED = 130
STATUS_BROKEN_PIPE = 141

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
        0 on success, 2 on a user error (reported in one line on stderr),
        130 if interrupted (Ctrl-C), 141 if the output pipe was closed.
    """
    try:
        try:
            return _run(build_parser().parse_args(argv))
        finally:
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        _discard_stdout()
        return STATUS_BROKEN_PIPE
    except KeyboardInterrupt:
        print("sparsenn: interrupted", file=sys.stderr, flush=True)
        return STATUS_INTERRUPTED


def _discard_stdout():
    """Point stdout at the null device, so the interpreter's last flush succeeds.

    The recipe of the Python documentation for ``BrokenPipeError``; a stdout
    without a file descriptor (captured by a test) is left alone.
    """
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _run(args):
    """Run the parsed sub-command; a user error is one line and status 2."""
    original = warnings.formatwarning
    warnings.formatwarning = _warning_formatter(args.command)
    try:
        return importlib.import_module(args._module).run(args)
    except BrokenPipeError:
        raise  # not a user error: main() stops quietly
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
