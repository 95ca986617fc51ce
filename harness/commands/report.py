"""`harness report`: Render report.html for a run folder and refresh store/index.html."""

from __future__ import annotations

import argparse
import sys

NAME = "report"
HELP = "Render report.html for a run folder and refresh store/index.html."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""


def main(args: argparse.Namespace) -> int:
    print(f"harness {NAME}: not implemented yet", file=sys.stderr)
    return 255
