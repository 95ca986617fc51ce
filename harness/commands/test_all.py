"""`harness test-all`: Jepsen's test-all for us. The cross product of ``--db``,
``--workload``, ``--nemesis`` (';'-separated fault sets) and ``--wait``, ``--test-count``
times, each test an ordinary ``harness run``; every other ``harness run`` option is
passed through to every test. See :mod:`harness.matrix` (the plan) and
:mod:`harness.test_all` (running it)."""

from __future__ import annotations

import argparse
import random
import secrets
import shlex
import sys
from datetime import UTC, datetime
from typing import NoReturn

from base.exits import EXIT_BAD_ARGS, EXIT_INTERNAL, SUMMARY
from harness.faults import check_faults_possible
from harness.matrix import (
    AXES,
    axis_bound,
    axis_dest,
    named,
    passthrough_argv,
    plan,
    planned_duration_s,
    split_axis,
)
from harness.options import BadArguments, RunOptions, add_run_arguments, from_args
from harness.test_all import (
    Matrix,
    matrix_exit_code,
    new_matrix_dir,
    refresh_index,
    write_matrix,
)
from reports.matrix import counts


class _RunParser(argparse.ArgumentParser):
    """``harness run``'s own parser, raising :class:`BadArguments` instead of exiting:
    each test's command line is checked by it before anything starts."""

    def error(self, message: str) -> NoReturn:
        raise BadArguments(message)


def _run_parser() -> _RunParser:
    parser = _RunParser(prog="harness run", add_help=False)
    add_run_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``harness run``'s options, the axes replacing their run options by lists."""
    parser.conflict_handler = "resolve"  # the axes replace the run's --db, --workload, ...
    add_run_arguments(parser)
    group = parser.add_argument_group("matrix")
    for axis in AXES:
        choices = axis_bound(axis).flag.choices
        text = axis.help + (f"; of {', '.join(choices)}" if choices else "")
        group.add_argument(axis.option, dest=axis_dest(axis), metavar="LIST", help=text)
    group.add_argument(
        "--test-count",
        type=int,
        default=1,
        metavar="N",
        help="run the whole matrix N times, repetition r with seed --seed + r (default 1)",
    )
    group.add_argument(
        "--time-budget",
        type=float,
        default=None,
        metavar="S",
        help="start no test that would end after S seconds of the matrix (default: none)",
    )
    parser.epilog = (
        "--seed is the first repetition's seed (default: random, printed); --test-name, "
        "if given, goes before each test's name. Results: <store>/test-all/latest/ "
        f"(results.xml, summary.md). {SUMMARY} See docs/harness.md."
    )


def _validated(args: argparse.Namespace) -> tuple[list[RunOptions], Matrix]:
    run_parser = _run_parser()
    defaults = run_parser.parse_args([])
    if args.time_budget is not None and args.time_budget <= 0:
        raise BadArguments(f"--time-budget {args.time_budget:g}: must be > 0")
    if args.seed is not None and not 0 <= args.seed < 2**63 - args.test_count:
        raise BadArguments(f"--seed {args.seed}: want 0 <= seed < 2**63 - --test-count")
    axes = [split_axis(axis, getattr(args, axis_dest(axis))) for axis in AXES]
    base_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    tests = plan(
        axes,
        test_count=args.test_count,
        base_seed=base_seed,
        passthrough=passthrough_argv(args, defaults),
    )
    options: list[RunOptions] = []
    for i, test in enumerate(tests):
        try:
            opts = from_args(run_parser.parse_args(list(test.argv)))
        except BadArguments as e:
            raise BadArguments(f"{test.label()} ({shlex.join(test.argv)}): {e}") from e
        tests[i] = named(test, opts, args.test_name)
        options.append(opts)
    prefix = "sb" + secrets.token_hex(3)
    checked: set[tuple[tuple[str, ...], str]] = set()
    for opts in options:
        key = (opts.faults, opts.cluster.db)
        if key not in checked and opts.net not in ("ssh", "external"):
            check_faults_possible(opts.faults, opts.cluster.db, prefix)
        checked.add(key)
    store = options[0].store
    matrix = Matrix(tests, [planned_duration_s(o) for o in options], store, args.time_budget)
    return options, matrix


def main(args: argparse.Namespace) -> int:
    started = datetime.now(UTC)
    try:
        _, matrix = _validated(args)
    except BadArguments as e:
        print(f"harness test-all: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    except Exception as e:  # the fault preflight itself failed
        print(
            f"harness test-all: checking the tests failed: {type(e).__name__}: {e}", file=sys.stderr
        )
        return EXIT_INTERNAL
    try:
        folder = new_matrix_dir(matrix.store, started)
    except OSError as e:
        print(f"harness test-all: cannot write to {matrix.store}: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    print(
        f"harness test-all: {len(matrix.tests)} tests, seed {matrix.tests[0].seed}, "
        f"store {matrix.store}, matrix folder {folder}",
        file=sys.stderr,
    )
    entries = matrix.run()
    argv = ["harness", "test-all", *sys.argv[2:]] if sys.argv[1:2] == ["test-all"] else []
    write_matrix(folder, entries, argv)
    refresh_index(matrix.store, sys.stderr)
    print((folder / "summary.md").read_text(encoding="utf-8"))
    tally = ", ".join(f"{n} {status}" for status, n in counts(entries).items() if n)
    print(f"harness test-all: {tally}; {folder / 'results.xml'}", file=sys.stderr)
    return matrix_exit_code(entries)
