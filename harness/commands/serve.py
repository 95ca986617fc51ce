"""`harness serve`: Browse the run store over HTTP on localhost."""

from __future__ import annotations

import argparse
import sys

NAME = "serve"
HELP = "Browse the run store over HTTP on localhost."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""


def main(args: argparse.Namespace) -> int:
    print(f"harness {NAME}: not implemented yet", file=sys.stderr)
    return 255
