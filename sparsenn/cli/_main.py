"""The ``sparsenn`` console command.

Each sub-command lives in its own module exposing ``configure(parser)`` and
``run(args) -> int``; this file only wires them together.
"""

import argparse
import importlib
import sys

__all__ = ["main"]

# sub-command name -> (module implementing it, one-line help)
COMMANDS = {
    "demo": ("sparsenn.cli._demo", "train dense vs structured networks on Morse data"),
    "morse": ("sparsenn.datasets._cli", "list the named Morse variants or write one"),
}


def build_parser():
    """Return the argument parser with every sub-command configured."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="sparsenn", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--version", action="version", version=f"sparsenn {__version__}"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module_name)
        importlib.import_module(module_name).configure(sub)
    return parser


def main(argv=None):
    """Entry point of the ``sparsenn`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    return importlib.import_module(args._module).run(args)


if __name__ == "__main__":
    sys.exit(main())
