"""`harness run`: start a cluster, drive a workload, inject faults, heal, check."""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import shlex
import sys
from dataclasses import replace
from datetime import UTC, datetime

import uvloop

import nemesis
from base.exits import BY_VERDICT, EXIT_BAD_ARGS, EXIT_INTERNAL, EXIT_UNKNOWN, SUMMARY
from harness.analysis import write_results
from harness.faults import check_faults_possible
from harness.finish import check_run
from harness.options import BadArguments, RunOptions, add_run_arguments, from_args
from harness.runner import Execution, Runner
from harness.store import new_run_dir, test_name, write_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""
    add_run_arguments(parser)
    parser.epilog = (
        f"faults for --nemesis: {', '.join(nemesis.FAULTS)}. {SUMMARY} See docs/harness.md."
    )


def _event_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def reproduce_argv(argv: list[str], seed: int) -> list[str]:
    """The command line that repeats this run (with its seed)."""
    out = ["harness", "run", *argv]
    if "--seed" not in argv and not any(a.startswith("--seed=") for a in argv):
        out += ["--seed", str(seed)]
    return out


def main(args: argparse.Namespace) -> int:
    prefix = "sb" + secrets.token_hex(3)
    try:
        options = from_args(args)
        if options.net not in ("ssh", "external"):  # those hosts check their own
            check_faults_possible(options.faults, options.cluster.db, prefix)
    except BadArguments as e:
        print(f"harness run: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    except Exception as e:  # the preflight itself failed (e.g. no scratch namespace)
        print(f"harness run: checking the faults failed: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    if args.seed is None:
        options = replace(options, seed=random.SystemRandom().randrange(2**31))
    raw_argv = sys.argv[2:] if len(sys.argv) > 1 and sys.argv[1] == "run" else []
    return run(options, reproduce_argv(raw_argv, options.seed), prefix)


def run(options: RunOptions, argv: list[str], prefix: str | None = None) -> int:
    """Run a test with validated options; the exit code. ``prefix`` names what the run
    creates on the host (default: ``sb`` + 6 random hex digits)."""
    started = datetime.now(UTC)
    name = options.test_name or test_name(options.cluster.db, options.workload, options.nemesis)
    try:
        run_dir = new_run_dir(options.store, name, started)
    except OSError as e:
        print(f"harness run: cannot create the run folder in {options.store}: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    prefix = prefix or "sb" + secrets.token_hex(3)
    print(f"harness run: {name}  seed={options.seed}  run folder {run_dir}", file=sys.stderr)
    print(f"  reproduce: {shlex.join(argv)}", file=sys.stderr)
    for note in options.notes:
        print(f"  note: {note}", file=sys.stderr)
    test = {
        "name": name,
        "start_time": started.isoformat(),
        "seed": options.seed,
        "db": options.cluster.db,
        "workload": options.workload,
        "nemesis": options.nemesis,
        "options": options.to_json(),
        "argv": argv,
        "prefix": prefix,
    }
    write_json(run_dir / "test.json", test)
    runner = Runner(options, run_dir, prefix, sys.stderr)
    loop = _event_loop()
    try:
        execution = loop.run_until_complete(runner.execute())
    except BaseException as e:  # the runner keeps its own history; report and check it
        recorder = getattr(runner, "recorder", None)
        execution = Execution(ops=recorder.history() if recorder is not None else [])
        execution.error = f"{type(e).__name__}: {e}"
    finally:
        loop.close()
    test.update(
        {
            "versions": execution.versions,
            "hosts": execution.hosts,
            "shards": execution.shards,
            "interrupted": execution.interrupted,
            "error": execution.error,
            "teardown_errors": execution.teardown_errors,
        }
    )
    write_json(run_dir / "test.json", test)

    def log(message: str) -> None:
        print(message, file=sys.stderr)
        log_file = run_dir / "harness.log"
        with open(log_file, "a", encoding="utf-8") as f:
            f.write(f"{'':9} {message}\n")

    extra = {
        "interrupted": execution.interrupted,
        "error": execution.error,
        "teardown_errors": execution.teardown_errors,
        "seed": options.seed,
    }
    check_options = {"timeout_s": options.check_timeout_s}
    try:
        verdict = check_run(
            run_dir,
            workload=options.workload,
            ops=execution.ops,
            extra=extra,
            check_options=check_options,
            store_dir=options.store,
            log=log,
        )
    except KeyboardInterrupt:
        log(f"checking interrupted; the history is kept: harness analyze {run_dir}")
        write_results(
            run_dir, {"valid": "unknown", "checkers": {}, **extra, "check": "interrupted"}
        )
        return EXIT_UNKNOWN
    except Exception as e:
        log(f"checking failed: {type(e).__name__}: {e}")
        return EXIT_INTERNAL
    if execution.error is not None and not execution.ops:
        log(f"run failed before any operation: {execution.error}")
        return EXIT_INTERNAL
    return BY_VERDICT[verdict.value]
