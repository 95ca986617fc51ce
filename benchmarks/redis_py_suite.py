"""redis-py's own test suite against splitbrain-server (and, if asked, redis-server).

    .venv/bin/python -m benchmarks.redis_py_suite TREE [--reference]
        [--only test_cluster,test_commands] [--deadline 900] [--logs DIR]

``TREE`` is a scratch folder outside this repository holding redis-py's ``tests/`` for
the installed redis-py (``git archive v7.4.1 tests`` of a fetched redis/redis-py). None of
its files is ever copied into our repository.

For each server kind (ours, then redis-server 7.0 with ``--reference``) this starts, on
free ports, a cluster of 3 primaries with one replica each (``redis-cli --cluster
create``) and one standalone server. ``test_cluster*`` files run against the cluster
(``--redis-url`` of its first node), every other file against the standalone server; both
with the markers redis-py's CI uses for that mode, and without the module tests
(``redismod``: JSON, search, bloom, timeseries) and TLS tests on either side. Each file
runs in a pytest process group of its own with a deadline (killed by its pid at the
deadline) and writes junit xml into the logs folder. Printed: pass / fail / error / skip
per file and kind, side by side, then the tests that pass on redis-server and not on
ours. Exit 0 when no file timed out or failed to run, 1 otherwise, 254 for bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import redis

from base.exits import EXIT_BAD_ARGS
from benchmarks.process_group import run_in_group
from tests.support.servers import ServerProcess, free_port, redis_server, splitbrain_server

OURS = "splitbrain"
REFERENCE = "redis"
DEFAULT_FILES = ("test_cluster", "test_commands")
CLUSTER_MARKERS = "not onlynoncluster and not redismod and not ssl"
STANDALONE_MARKERS = "not onlycluster and not redismod and not ssl"
_INI = """\
[pytest]
markers =
    redismod: module tests
    pipeline: pipeline tests
    onlycluster: cluster mode only
    onlynoncluster: standalone only
    ssl: ssl tests
    asyncio: async tests
    replica: replica tests
    experimental: experimental tests
    cp_integration: credential provider tests
    no_mock_connections: no mocked health checks
timeout = 30
"""
OUTCOMES = ("passed", "failed", "error", "skipped")


class SuiteError(Exception):
    """The tree or the machine cannot run the suite (said in one line)."""


@dataclass(frozen=True, slots=True)
class FileResult:
    """One pytest run of one redis-py test file against one server kind."""

    kind: str
    name: str
    outcomes: dict[str, str]
    """Test id (``classname::name``) -> one of :data:`OUTCOMES`."""
    timed_out: bool
    returncode: int
    seconds: float

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


def test_files(tree: Path, only: Sequence[str]) -> list[str]:
    """The requested test file stems, each checked to exist in ``tree/tests``."""
    folder = tree / "tests"
    if not (folder / "conftest.py").exists():
        raise SuiteError(f"{tree} is not a redis-py tree: need tests/conftest.py")
    names = list(only) or list(DEFAULT_FILES)
    unknown = [name for name in names if not (folder / f"{name}.py").exists()]
    if unknown:
        raise SuiteError(f"no such test file: {', '.join(unknown)}")
    return names


def is_cluster_file(name: str) -> bool:
    """Whether ``name`` runs against the cluster (else against the standalone server)."""
    return name.startswith("test_cluster")


def read_junit(path: Path) -> dict[str, str]:
    """Test id -> outcome from a pytest junit xml file (empty when it is missing or cut)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return {}
    outcomes: dict[str, str] = {}
    for case in root.iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        tags = {child.tag for child in case}
        if "failure" in tags:
            outcome = "failed"
        elif "error" in tags:
            outcome = "error"
        elif "skipped" in tags:
            outcome = "skipped"
        else:
            outcome = "passed"
        # A test failing in teardown appears twice; the worse outcome wins.
        if outcomes.get(test_id) not in ("failed", "error"):
            outcomes[test_id] = outcome
    return outcomes


def pytest_argv(tree: Path, name: str, url: str, ini: Path, xml: Path) -> list[str]:
    """The pytest command line for one file against the server at ``url``."""
    markers = CLUSTER_MARKERS if is_cluster_file(name) else STANDALONE_MARKERS
    return [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(ini),
        "--rootdir",
        str(tree),
        f"tests/{name}.py",
        "-m",
        markers,
        "--redis-url",
        url,
        "--redis-mod-url",
        url,
        "--junitxml",
        str(xml),
        "-q",
        "-p",
        "no:cacheprovider",
    ]


def run_file(
    tree: Path, kind: str, name: str, *, url: str, deadline_s: float, logs: Path
) -> FileResult:
    """Run one file with a deadline; kill its process group if it overruns."""
    ini = logs / "pytest.ini"
    if not ini.exists():
        ini.write_text(_INI)
    xml = logs / f"{kind}-{name}.xml"
    xml.unlink(missing_ok=True)
    run = run_in_group(
        pytest_argv(tree, name, url, ini, xml),
        cwd=tree,
        log=logs / f"{kind}-{name}.log",
        deadline_s=deadline_s,
    )
    return FileResult(kind, name, read_junit(xml), run.timed_out, run.returncode, run.seconds)


def _cmd(conn: redis.Redis, *args: str | int) -> object:
    return conn.execute_command(*args)  # type: ignore[no-untyped-call]


def _start(kind: str, workdir: Path, args: Sequence[str], used: set[int]) -> ServerProcess:
    port = free_port(with_bus=True)
    while port in used or port + 10000 in used:
        port = free_port(with_bus=True)
    used.update((port, port + 10000))
    factory = splitbrain_server if kind == OURS else redis_server
    return factory(workdir, port=port, args=["--enable-debug-command", "yes", *args]).start(30)


def _cluster_ready(ports: Sequence[int]) -> bool:
    for port in ports:
        conn = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
        try:
            info = _cmd(conn, "CLUSTER", "INFO")
            if isinstance(info, bytes):
                info = dict(
                    line.split(":", 1) for line in info.decode().split("\r\n") if ":" in line
                )
            assert isinstance(info, dict)
            if info.get("cluster_state") != "ok" or str(info.get("cluster_known_nodes")) != "6":
                return False
        except redis.RedisError:
            return False
        finally:
            conn.close()
    return True


@contextlib.contextmanager
def servers(kind: str, root: Path) -> Iterator[tuple[str, str]]:
    """A 3+3 cluster and a standalone server of ``kind``: yields their redis:// urls."""
    started: list[ServerProcess] = []
    used: set[int] = set()
    try:
        for i in range(6):
            started.append(
                _start(kind, root / f"{kind}-node{i}", ["--cluster-enabled", "yes"], used)
            )
        standalone = _start(kind, root / f"{kind}-standalone", [], used)
        started.append(standalone)
        addrs = [f"127.0.0.1:{s.port}" for s in started[:6]]
        cli = shutil.which("redis-cli")
        if cli is None:
            raise SuiteError("redis-cli missing: run make setup (Debian package redis-tools)")
        created = subprocess.run(
            [cli, "--cluster", "create", *addrs, "--cluster-replicas", "1", "--cluster-yes"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if created.returncode != 0:
            raise SuiteError(f"{kind}: redis-cli --cluster create failed: {created.stdout}")
        deadline = time.monotonic() + 60
        ports = [s.port for s in started[:6]]
        while not _cluster_ready(ports):
            if time.monotonic() > deadline:
                raise SuiteError(f"{kind}: cluster not ok after 60 s")
            time.sleep(0.2)
        yield f"redis://127.0.0.1:{ports[0]}/0", f"redis://127.0.0.1:{standalone.port}/0"
    finally:
        for server in started:
            server.stop()


def run_suite(
    tree: Path, kind: str, *, files: Sequence[str], deadline_s: float, logs: Path
) -> list[FileResult]:
    """Every file against ``kind``'s servers, printing as it goes."""
    root = Path(tempfile.mkdtemp(prefix=f"redis-py-suite-{kind}-"))
    results: list[FileResult] = []
    try:
        with servers(kind, root) as (cluster_url, standalone_url):
            for name in files:
                url = cluster_url if is_cluster_file(name) else standalone_url
                result = run_file(tree, kind, name, url=url, deadline_s=deadline_s, logs=logs)
                results.append(result)
                print(row(result), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return results


def row(result: FileResult) -> str:
    """One line of the table: kind, file, the outcome counts and the time."""
    counts = " ".join(f"{result.count(o):>5} {o}" for o in OUTCOMES)
    note = " TIMEOUT" if result.timed_out else ""
    return f"{result.kind:<10} {result.name:<24} {counts} {result.seconds:7.1f} s{note}"


def regressions(ours: Sequence[FileResult], reference: Sequence[FileResult]) -> list[str]:
    """Test ids that passed on the reference and did not pass on ours, sorted."""
    passed_ref = {t for r in reference for t, o in r.outcomes.items() if o == "passed"}
    passed_ours = {t for r in ours for t, o in r.outcomes.items() if o == "passed"}
    return sorted(passed_ref - passed_ours)


def summary(ours: Sequence[FileResult], reference: Sequence[FileResult]) -> str:
    """The totals per kind and the list of tests passing on redis only."""
    lines = []
    for kind, results in ((OURS, ours), (REFERENCE, reference)):
        if results:
            totals = " ".join(f"{sum(r.count(o) for r in results):>5} {o}" for o in OUTCOMES)
            lines.append(f"{kind:<10} {'total':<24} {totals}")
    if reference:
        missing = regressions(ours, reference)
        lines.append(f"{len(missing)} tests pass on {REFERENCE} and not on {OURS}:")
        lines.extend(f"  {test_id}" for test_id in missing)
    return "\n".join(lines)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.redis_py_suite", description=__doc__.split("\n")[0]
    )
    parser.add_argument("tree", type=Path, help="folder with redis-py's tests/")
    parser.add_argument("--reference", action="store_true", help="run redis-server too")
    parser.add_argument("--only", default="", help="comma list of test files (stems)")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds per file run")
    parser.add_argument("--logs", type=Path, default=None, help="folder for junit xml and logs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.deadline <= 0:
        print("redis_py_suite: --deadline must be positive", file=sys.stderr)
        return EXIT_BAD_ARGS
    tree = args.tree.resolve()
    try:
        files = test_files(tree, [s for s in args.only.split(",") if s])
        logs = (args.logs or Path(tempfile.mkdtemp(prefix="redis-py-suite-"))).resolve()
        logs.mkdir(parents=True, exist_ok=True)
        print(f"logs in {logs}", flush=True)
        ours = run_suite(tree, OURS, files=files, deadline_s=args.deadline, logs=logs)
        reference = (
            run_suite(tree, REFERENCE, files=files, deadline_s=args.deadline, logs=logs)
            if args.reference
            else []
        )
    except SuiteError as e:
        print(f"redis_py_suite: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    print(summary(ours, reference))
    broken = [r for r in [*ours, *reference] if r.timed_out or not r.outcomes]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
