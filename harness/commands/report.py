"""`harness report`: Render report.html for a run folder and refresh store/index.html."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import reports
from base.exits import EXIT_BAD_ARGS, EXIT_INTERNAL, EXIT_VALID


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""
    parser.add_argument(
        "run_dir",
        metavar="RUN_DIR",
        type=Path,
        help="a run folder (store/<test>/<time>, or store/latest)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        metavar="DIR",
        help="the store whose index.html to refresh (default: the store RUN_DIR is in)",
    )


def main(args: argparse.Namespace) -> int:
    run_dir: Path = args.run_dir.resolve()
    store: Path = args.store if args.store is not None else run_dir.parent.parent
    try:
        report = reports.render_run(run_dir)
    except reports.RunFolderError as e:
        print(f"harness report: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    except OSError as e:
        print(f"harness report: cannot write the report in {run_dir}: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    print(report)
    try:
        print(reports.update_index(store))
    except OSError as e:
        print(f"harness report: cannot write {store}/index.html: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_VALID
