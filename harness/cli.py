"""The ``harness`` command line: one subcommand per module in :mod:`harness.commands`.

:data:`SUBCOMMANDS` is the one table of their names and one-line help; each module
exposes ``add_arguments(parser)`` and ``main(args) -> int`` (the exit code, from
:mod:`base.exits`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from base.exits import EXIT_BAD_ARGS

SUBCOMMANDS: dict[str, str] = {
    "run": "Run a test: start a cluster, drive workloads, inject faults, heal, check.",
    "check": "Check history files with a model; prints PATH<TAB>true|false|unknown per file.",
    "analyze": "Re-check a stored run folder without re-running it.",
    "cleanup": "Remove what a killed run left behind (namespaces, nftables tables, processes).",
    "report": "Render report.html, results.xml and summary.md for a run folder.",
    "compare": "Two runs side by side (verdicts, lost writes, loss windows, latency); compare.md.",
    "serve": "Browse the run store over HTTP on localhost (127.0.0.1 only).",
    "lab": "SSH hosts on this machine (namespaces running sshd) to try --ssh-hosts: up/down.",
    "test-all": "Run a matrix of tests (dbs x workloads x fault sets x WAIT levels); one report.",
}
"""Subcommand names (their module under harness.commands, ``-`` read as ``_``) -> one-line
help, in --help order.

Only the chosen subcommand's module is imported: ``harness check`` must start fast and
must not pay for ``run``'s network and client imports."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors exit 254 (Jepsen's 'bad arguments')."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_ARGS, f"{self.prog}: error: {message}\n")


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"harness.commands.{name.replace('-', '_')}")


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the first non-option word), if any."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in SUBCOMMANDS else None
    return None


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``chosen`` (when given) gets its options, and only its module is
    imported. ``chosen=None`` builds every subcommand (for documentation and tests)."""
    parser = _Parser(
        prog="harness",
        description="Jepsen-style correctness and benchmarking harness for Redis Cluster.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if chosen is None or name == chosen:
            module = _load(name)
            module.add_arguments(p)
            p.set_defaults(_main=module.main)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_chosen(words) or "")
    args = parser.parse_args(words)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_ARGS
    code: int = args._main(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
