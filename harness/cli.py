"""The ``harness`` command line: one subcommand per module in :mod:`harness.commands`.

Each subcommand module exposes ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``main(args) -> int`` (the exit code). Exit codes follow Jepsen's CLI: 0 valid,
1 invalid, 2 unknown, 254 bad arguments, 255 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNKNOWN = 2
EXIT_BAD_ARGS = 254
EXIT_INTERNAL = 255

SUBCOMMANDS = ("run", "check", "analyze", "cleanup", "report", "serve")
"""Subcommand module names under harness.commands, in the order --help lists them."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors exit 254 (Jepsen's 'bad arguments')."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_ARGS, f"{self.prog}: error: {message}\n")


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"harness.commands.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="harness",
        description="Jepsen-style correctness and benchmarking harness for Redis Cluster.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        module = _load(name)
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_main=module.main)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_ARGS
    code: int = args._main(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
