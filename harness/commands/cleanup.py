"""`harness cleanup`: remove what a killed run left behind."""

from __future__ import annotations

import argparse
import sys

NAME = "cleanup"
HELP = "Remove what a killed run left behind (namespaces, nftables tables, processes)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""


def main(args: argparse.Namespace) -> int:
    print(f"harness {NAME}: not implemented yet", file=sys.stderr)
    return 255
