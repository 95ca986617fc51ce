"""`harness analyze`: re-check a stored run folder without re-running it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from base.exits import BY_VERDICT, EXIT_BAD_ARGS, EXIT_INTERNAL
from harness.analysis import read_history
from harness.finish import check_run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run folder (e.g. store/latest)")
    parser.add_argument(
        "--check-timeout",
        type=float,
        default=None,
        metavar="S",
        help="deadline handed to the checkers (default: the run's own)",
    )
    parser.add_argument(
        "--workload", default=None, help="check as this workload (default: the run's own)"
    )


def main(args: argparse.Namespace) -> int:
    run_dir = Path(args.run_dir)
    try:
        test = json.loads((run_dir / "test.json").read_text())
        workload = args.workload or test["workload"]
        ops = read_history(run_dir / "history.jsonl")
    except (OSError, KeyError, ValueError) as e:
        print(f"harness analyze: {run_dir}: not a readable run folder ({e})", file=sys.stderr)
        return EXIT_BAD_ARGS
    options = test.get("options", {})
    timeout = args.check_timeout or options.get("check_timeout_s", 120.0)

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    extra = {
        "interrupted": test.get("interrupted", False),
        "error": test.get("error"),
        "teardown_errors": test.get("teardown_errors", []),
        "seed": test.get("seed"),
        "analyzed": True,
    }
    try:
        verdict = check_run(
            run_dir,
            workload=workload,
            ops=ops,
            extra=extra,
            check_options={"timeout_s": timeout},
            store_dir=run_dir.resolve().parent.parent,
            log=log,
            write_edn=not (run_dir / "history.edn").exists(),
        )
    except Exception as e:
        print(f"harness analyze: checking failed: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    return BY_VERDICT[verdict.value]
