"""`harness run`: Run a test: start a cluster, drive workloads, inject faults, heal, check."""

from __future__ import annotations

import argparse
import sys

NAME = "run"
HELP = "Run a test: start a cluster, drive workloads, inject faults, heal, check."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""


def main(args: argparse.Namespace) -> int:
    print(f"harness {NAME}: not implemented yet", file=sys.stderr)
    return 255
