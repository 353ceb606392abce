"""The ``sparsenn`` console command and its sub-commands."""

from ._main import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
