"""`harness cleanup`: remove what a killed run left behind."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from base.exits import EXIT_BAD_ARGS, EXIT_INTERNAL, EXIT_VALID
from harness.leftovers import CleanupReport, clean_prefix, clean_run, unfinished_runs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""
    parser.add_argument(
        "runs",
        nargs="*",
        metavar="RUN_DIR",
        help="run folders to clean (default: every unfinished run in the store)",
    )
    parser.add_argument(
        "--store", default="store", metavar="DIR", help="run store (default ./store)"
    )
    parser.add_argument(
        "--prefix",
        action="append",
        metavar="PREFIX",
        help="also remove namespaces / nft tables named with this prefix (e.g. sb4f2a1); "
        "careful: 'sb' matches every run on the host",
    )
    parser.add_argument(
        "--force", action="store_true", help="clean runs even if their harness still runs"
    )


def main(args: argparse.Namespace) -> int:
    report = CleanupReport()
    runs = [Path(r) for r in args.runs] or unfinished_runs(Path(args.store))
    for run_dir in runs:
        if not run_dir.is_dir():
            print(f"harness cleanup: {run_dir}: not a folder", file=sys.stderr)
            return EXIT_BAD_ARGS
        clean_run(run_dir, report, force=args.force)
    for prefix in args.prefix or []:
        if not prefix.startswith("sb") or len(prefix) < 2:
            print(f"harness cleanup: --prefix {prefix!r}: must start with 'sb'", file=sys.stderr)
            return EXIT_BAD_ARGS
        clean_prefix(prefix, report)
    for line in report.removed:
        print(f"removed {line}")
    for line in report.skipped:
        print(f"skipped {line}")
    for line in report.errors:
        print(f"error: {line}", file=sys.stderr)
    if not (report.removed or report.skipped or report.errors):
        print("nothing to clean")
    return EXIT_INTERNAL if report.errors else EXIT_VALID
