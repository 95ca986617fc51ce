"""Redis 7.0's own cluster test suite against splitbrain-server (and, if asked, redis-server).

    .venv/bin/python -m benchmarks.redis_cluster_suite REDIS_TREE [--reference]
        [--only 00-base,04-resharding] [--repeat 2] [--deadline 900] [--logs DIR]

``REDIS_TREE`` is a scratch folder outside this repository holding redis 7.0.15's
``tests/`` and ``runtest-cluster`` (``git archive 7.0.15 tests runtest runtest-cluster``
of a fetched redis/redis). None of its files is ever copied into our repository.

The suite starts ``src/redis-server`` from the tree (``../../../src/redis-server`` seen
from ``tests/cluster/tmp``) and calls ``src/redis-cli``. For each server under test, this
links the server (ours: the ``splitbrain-server`` beside this interpreter; the reference:
Debian's ``/usr/bin/redis-server``) and Debian's redis-cli, redis-benchmark,
redis-check-aof and redis-check-rdb into ``src/``. It refuses to replace a ``src/`` file
that is not such a link.

Each test file runs on its own (``runtest-cluster --single FILE``) in a process group of
its own, with a deadline; at the deadline the whole group (tclsh and every instance it
started) is killed by its pid. The suite uses fixed ports (30000-30019 and their bus ports
40000-40019), so runs are sequential. Printed per file: pass / fail / timeout, the ``OK``
count, the failures and the time; then the totals, side by side for both servers with
``--reference``. Exit 0 when every file passed on splitbrain-server, 1 otherwise, 254 for
bad arguments.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from base.exits import EXIT_BAD_ARGS
from benchmarks.process_group import run_in_group

OURS = "splitbrain"
REFERENCE = "redis"
TOOLS = ("redis-cli", "redis-benchmark", "redis-check-aof", "redis-check-rdb")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_OK = re.compile(r"^\d\d:\d\d:\d\d> .*: OK$")
_FAILED = re.compile(
    r"^\d\d:\d\d:\d\d> .*: FAILED|^FAILED: |^\[err\]|Caught an error|WARNING \d+ test"
)
_INSTANCE_DIR = re.compile(r"^(redis|sentinel)_\d+$")


class SuiteError(Exception):
    """The tree or the machine cannot run the suite (said in one line)."""


@dataclass(frozen=True, slots=True)
class FileResult:
    """One run of one test file."""

    name: str
    status: str
    """``pass``, ``fail`` or ``timeout``."""
    ok: int
    failures: tuple[str, ...]
    seconds: float
    log: Path


def server_binary(kind: str) -> Path:
    """The server executable linked in as ``src/redis-server`` for ``kind``."""
    if kind == OURS:
        ours = Path(sys.executable).parent / "splitbrain-server"
        if not ours.exists():
            raise SuiteError(f"{ours} missing: run make setup")
        return ours
    found = shutil.which("redis-server")
    if found is None:
        raise SuiteError("redis-server missing: run make setup (Debian package redis-server)")
    return Path(found)


def test_files(tree: Path, only: Sequence[str]) -> list[str]:
    """The suite's test files (stems, sorted as the suite runs them), limited to ``only``."""
    folder = tree / "tests" / "cluster" / "tests"
    if not (tree / "runtest-cluster").exists() or not folder.is_dir():
        raise SuiteError(
            f"{tree} is not a redis source tree: need runtest-cluster and tests/cluster/tests/"
        )
    stems = sorted(p.stem for p in folder.glob("*.tcl"))
    if not only:
        return stems
    unknown = [name for name in only if name not in stems]
    if unknown:
        raise SuiteError(f"no such test file: {', '.join(unknown)} (have {', '.join(stems)})")
    return [s for s in stems if s in only]


def link_binaries(tree: Path, server: Path) -> None:
    """Point ``tree/src/redis-server`` at ``server`` and the tools at Debian's, replacing
    only symbolic links (a real file there is the user's, and is left alone)."""
    src = tree / "src"
    src.mkdir(exist_ok=True)
    targets = {"redis-server": server}
    for tool in TOOLS:
        found = shutil.which(tool)
        if found is not None:
            targets[tool] = Path(found)
    for name, target in targets.items():
        link = src / name
        if link.exists() and not link.is_symlink():
            raise SuiteError(f"{link} is a real file, not a link this script made: move it away")
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target)


def count_results(output: str) -> tuple[int, tuple[str, ...]]:
    """The number of passed tests and the failure lines in a suite's output."""
    ok = 0
    failures: list[str] = []
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).rstrip()
        if _OK.match(line):
            ok += 1
        elif _FAILED.search(line):
            failures.append(line)
    return ok, tuple(failures)


def run_file(tree: Path, name: str, deadline_s: float, log: Path) -> FileResult:
    """Run one test file with a deadline; kill its process group if it overruns."""
    tclsh = shutil.which("tclsh8.6") or shutil.which("tclsh")
    if tclsh is None:
        raise SuiteError("tclsh missing: apt-get install tcl")
    run = run_in_group(
        [tclsh, "tests/cluster/run.tcl", "--single", f"{name}.tcl"],
        cwd=tree,
        log=log,
        deadline_s=deadline_s,
    )
    if run.timed_out:
        _remove_instance_dirs(tree)
    output = log.read_text(errors="replace")
    ok, failures = count_results(output)
    if run.timed_out:
        status = "timeout"
    elif run.returncode == 0 and "GOOD! No errors." in output and not failures:
        status = "pass"
    else:
        status = "fail"
    return FileResult(name, status, ok, failures, run.seconds, log)


def _remove_instance_dirs(tree: Path) -> None:
    """Remove the instance folders (``redis_N``, ``sentinel_N``) a killed suite left in
    ``tests/cluster/tmp``; the suite removes them itself when it ends normally."""
    tmp = tree / "tests" / "cluster" / "tmp"
    for entry in tmp.glob("*_*"):
        if _INSTANCE_DIR.match(entry.name) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def run_suite(
    tree: Path, kind: str, *, files: Sequence[str], repeat: int, deadline_s: float, logs: Path
) -> list[FileResult]:
    """Every file ``repeat`` times in a row against ``kind``'s server, printing as it goes."""
    link_binaries(tree, server_binary(kind))
    results: list[FileResult] = []
    for name in files:
        for attempt in range(1, repeat + 1):
            log = logs / f"{kind}-{name}-{attempt}.log"
            result = run_file(tree, name, deadline_s, log)
            results.append(result)
            print(
                f"{kind:<10} {name:<28} run {attempt}: {result.status:<7} "
                f"{result.ok:>3} OK {len(result.failures):>2} failed {result.seconds:7.1f} s",
                flush=True,
            )
            for line in result.failures[:3]:
                print(f"{'':<12}{line[:150]}", flush=True)
    return results


def summary(kind: str, results: Sequence[FileResult]) -> str:
    passed = {r.name for r in results if r.status == "pass"}
    failed = sorted({r.name for r in results} - passed)
    files = len({r.name for r in results})
    all_pass = sum(1 for name in {r.name for r in results} if _every_run_passed(results, name))
    ok = sum(r.ok for r in results)
    seconds = sum(r.seconds for r in results)
    line = f"{kind}: {all_pass}/{files} files passed every run, {ok} OK, {seconds:.0f} s"
    if failed:
        line += f"; not passing every run: {', '.join(failed)}"
    return line


def _every_run_passed(results: Sequence[FileResult], name: str) -> bool:
    return all(r.status == "pass" for r in results if r.name == name)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.redis_cluster_suite", description=__doc__.split("\n")[0]
    )
    parser.add_argument("tree", type=Path, help="folder with redis 7.0.15's tests/")
    parser.add_argument("--reference", action="store_true", help="run redis-server too")
    parser.add_argument("--only", default="", help="comma list of test files (stems)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each file in a row")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds per file run")
    parser.add_argument("--logs", type=Path, default=None, help="folder for the runs' output")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.repeat < 1 or args.deadline <= 0:
        print("redis_cluster_suite: --repeat and --deadline must be positive", file=sys.stderr)
        return EXIT_BAD_ARGS
    tree = args.tree.resolve()
    logs = args.logs or Path(tempfile.mkdtemp(prefix="redis-cluster-suite-"))
    logs.mkdir(parents=True, exist_ok=True)
    try:
        files = test_files(tree, [s for s in args.only.split(",") if s])
        print(f"logs in {logs}", flush=True)
        ours = run_suite(
            tree, OURS, files=files, repeat=args.repeat, deadline_s=args.deadline, logs=logs
        )
        reference = (
            run_suite(
                tree,
                REFERENCE,
                files=files,
                repeat=args.repeat,
                deadline_s=args.deadline,
                logs=logs,
            )
            if args.reference
            else []
        )
    except SuiteError as e:
        print(f"redis_cluster_suite: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    print(summary(OURS, ours))
    if reference:
        print(summary(REFERENCE, reference))
    return 0 if all(r.status == "pass" for r in ours) else 1


if __name__ == "__main__":
    sys.exit(main())
