"""`harness check`: check history files with a model."""

from __future__ import annotations

import argparse
import sys

NAME = "check"
HELP = "Check history files with a model; prints PATH<TAB>true|false|unknown per file."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""


def main(args: argparse.Namespace) -> int:
    print(f"harness {NAME}: not implemented yet", file=sys.stderr)
    return 255
