"""`harness analyze`: Re-check a stored run folder without re-running it."""

from __future__ import annotations

import argparse
import sys

NAME = "analyze"
HELP = "Re-check a stored run folder without re-running it."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""


def main(args: argparse.Namespace) -> int:
    print(f"harness {NAME}: not implemented yet", file=sys.stderr)
    return 255
