"""`harness compare RUN_A RUN_B`: two runs side by side (e.g. redis and splitbrain with
the same seed, or last night and tonight).

Prints the table (:mod:`reports.compare`) and writes it as Markdown to ``compare.md`` in
RUN_B's folder (or ``--output``). Each run is a folder or a name in the store
(:mod:`harness.run_names`) and must hold a results.json; its history.jsonl, when
present, gives the latency quantiles through the report's own reading
(:func:`reports.load_run`, :func:`reports.perf.latency_table`). Exits 0 when the table
was written, whatever it shows; 254 for a run that is missing or unreadable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import reports
from base.exits import EXIT_BAD_ARGS, EXIT_INTERNAL, EXIT_VALID
from harness.run_names import RunNotFound, display_name, resolve_run
from harness.store import DEFAULT_STORE
from reports.compare import ComparedRun, compare, render_markdown
from reports.perf import latency_table

OUTPUT = "compare.md"


class _Unreadable(Exception):
    """A run folder that cannot be compared (the message says why)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""
    for name in ("run_a", "run_b"):
        parser.add_argument(
            name,
            metavar=name.upper(),
            help="a run folder, or a run in the store: latest, TEST, TEST/STAMP, TEST/latest",
        )
    parser.add_argument(
        "--store",
        type=Path,
        default=DEFAULT_STORE,
        metavar="DIR",
        help="the store run names are looked up in (default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"where to write the Markdown table (default: RUN_B/{OUTPUT})",
    )


def main(args: argparse.Namespace) -> int:
    store: Path = args.store
    try:
        dirs = [resolve_run(word, store) for word in (args.run_a, args.run_b)]
        runs = [_load(d, display_name(d, store)) for d in dirs]
    except (RunNotFound, _Unreadable) as e:
        print(f"harness compare: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    text = render_markdown(compare(*runs), f"compare: {runs[0].label} vs {runs[1].label}")
    print(text, end="")
    output: Path = args.output if args.output is not None else dirs[1] / OUTPUT
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        print(f"harness compare: cannot write {output}: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    print(f"harness compare: wrote {output}", file=sys.stderr)
    return EXIT_VALID


def _load(run_dir: Path, label: str) -> ComparedRun:
    results_path = run_dir / "results.json"
    if not results_path.is_file():
        raise _Unreadable(f"{run_dir}: no results.json (not a run folder, or not checked yet)")
    results = _json(results_path)
    test_path = run_dir / "test.json"
    test = _json(test_path) if test_path.is_file() else {}
    latency = None
    if (run_dir / "history.jsonl").is_file():
        latency = latency_table(reports.load_run(run_dir).operations)
    try:
        return ComparedRun.from_json(label, test, results, latency)
    except ValueError as e:
        raise _Unreadable(f"{results_path}: {e}") from e


def _json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Unreadable(f"{path}: cannot be read: {e}") from e
    if not isinstance(data, dict):
        raise _Unreadable(f"{path}: not a JSON object")
    return data
