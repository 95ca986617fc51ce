"""`harness test-all` end to end as a subprocess on splitbrain-server: a 2 workloads x 2
fault sets matrix gives four run folders, a combined JUnit file with four suites and
the worst verdict as exit code; SIGINT in the middle stops the current run cleanly and
starts no other; bad matrices and an exhausted time budget start nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from base.exits import EXIT_BAD_ARGS, EXIT_INTERNAL, EXIT_UNKNOWN
from harness.leftovers import processes_in
from harness.netns import find_leftovers
from harness.options import netns_available
from tests.support.servers import wait_until

ROOT = Path(__file__).resolve().parents[2]
needs_netns = pytest.mark.skipif(not netns_available(), reason="needs root for namespaces")
SMALL = ["--db", "splitbrain", "--nodes", "3", "--replicas", "0", "--rate", "300"]


def run_test_all(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "test-all", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_folders(store: Path) -> list[Path]:
    return sorted(
        p.parent
        for p in store.glob("*/*/test.json")
        if not p.parent.is_symlink() and p.parts[-3] != "test-all"
    )


def matrix_folder(store: Path) -> Path:
    return (store / "test-all" / "latest").resolve()


def assert_nothing_left(store: Path, prefixes: list[str]) -> None:
    """No process runs in (or names) the store; no namespace, link or nft table has a
    run's prefix."""
    assert processes_in(store) == {}, "node processes left behind"
    mine = processes_of(store)
    assert mine == [], f"processes of the matrix left: {mine}"
    tables = subprocess.run(
        ["nft", "list", "tables"], capture_output=True, text=True, check=False
    ).stdout
    for prefix in prefixes:
        assert find_leftovers(prefix).empty, f"network leftovers for {prefix}"
        assert prefix not in tables, tables


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def prefixes(folders: list[Path]) -> list[str]:
    return [str(json.loads((f / "test.json").read_text())["prefix"]) for f in folders]


@needs_netns
@pytest.mark.netns
@pytest.mark.slow
def test_two_workloads_by_two_fault_sets(tmp_path: Path, seed: int) -> None:
    store = tmp_path / "store"
    done = run_test_all(
        *SMALL, "--workload", "set,register", "--nemesis", "partition-minority;kill",
        "--time-limit", "5", "--nemesis-interval", "2", "--recovery-time", "1",
        "--store", str(store), "--seed", str(seed), timeout=400,
    )  # fmt: skip
    assert done.returncode in (0, 1, 2), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    folders = run_folders(store)
    names = sorted(f.parent.name for f in folders)
    assert names == [
        "splitbrain-register-kill",
        "splitbrain-register-partition-minority",
        "splitbrain-set-kill",
        "splitbrain-set-partition-minority",
    ]
    statuses = []
    for f in folders:
        results = json.loads((f / "results.json").read_text())
        test = json.loads((f / "test.json").read_text())
        assert test["seed"] == seed and test["interrupted"] is False
        statuses.append({True: "valid", False: "invalid"}.get(results["valid"], "unknown"))
    expected = 1 if "invalid" in statuses else 2 if "unknown" in statuses else 0
    assert done.returncode == expected, (statuses, done.stderr[-2000:])

    matrix = matrix_folder(store)
    root = ET.parse(matrix / "results.xml").getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert sorted(s.get("name") or "" for s in suites) == sorted(
        f.relative_to(store).as_posix() for f in folders
    )
    for suite in suites:
        assert len(suite.findall("testcase")) == int(suite.get("tests") or 0) >= 1
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["seed"] == str(seed)
    summary = (matrix / "summary.md").read_text()
    rows = [line for line in summary.splitlines() if re.match(r"\| \d+ \| splitbrain-", line)]
    assert len(rows) == 4 and all(f"--seed {seed}" in row for row in rows)
    assert "4 tests:" in summary and "Not run" not in summary
    index = (store / "index.html").read_text()
    assert all(f.relative_to(store).as_posix() in index for f in folders)
    tests = json.loads((matrix / "matrix.json").read_text())["tests"]
    assert [t["status"] for t in sorted(tests, key=lambda t: t["run"])] == statuses
    assert_nothing_left(store, prefixes(folders))


@needs_netns
@pytest.mark.netns
@pytest.mark.slow
def test_sigint_stops_the_current_run_cleanly_then_the_matrix(tmp_path: Path) -> None:
    store = tmp_path / "store"
    argv = [
        sys.executable, "-m", "harness.cli", "test-all", *SMALL, "--workload", "set,register",
        "--nemesis", "partition-minority", "--nemesis-interval", "1", "--time-limit", "120",
        "--store", str(store),
    ]  # fmt: skip
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def recording() -> bool:
            history = store / "latest" / "history.jsonl"
            return history.exists() and history.read_bytes().count(b"\n") >= 200

        wait_until(recording, 90, "the first test's workload", interval=0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, 1, 2), err[-3000:]
    assert "SIGINT" in err and "Traceback" not in err
    folders = run_folders(store)
    assert len(folders) == 1  # the second test never started
    test = json.loads((folders[0] / "test.json").read_text())
    assert test["interrupted"] is True and test["workload"] == "set"
    assert json.loads((folders[0] / "results.json").read_text())["interrupted"] is True
    matrix = matrix_folder(store)
    summary = (matrix / "summary.md").read_text()
    assert "## Not run" in summary and "the matrix was interrupted (SIGINT)" in summary
    assert "splitbrain-register-partition-minority" in summary
    suites = ET.parse(matrix / "results.xml").getroot().findall("testsuite")
    assert len(suites) == 2 and suites[1].find("testcase/skipped") is not None
    assert "| 1 | splitbrain-set-partition-minority | " in out  # the summary, on stdout
    assert_nothing_left(store, prefixes(folders))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workload", "set,bogus"], "invalid choice: 'bogus'"),
        (["--nemesis", "none;bogus"], "unknown nemesis fault"),
        (["--wait", "0,x"], "invalid int value: 'x'"),
        (["--nemesis", "kill;;none"], "empty item"),
        (["--test-count", "0"], "--test-count 0"),
        (["--time-budget", "0"], "--time-budget 0"),
    ],
)
def test_a_bad_matrix_exits_254_and_starts_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    store = tmp_path / "store"
    done = run_test_all("--net", "loopback", "--nemesis", "none", *args, "--store", str(store))
    assert done.returncode == EXIT_BAD_ARGS, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not store.exists()


def test_an_exhausted_time_budget_runs_nothing_and_says_so(tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = run_test_all(
        *SMALL, "--net", "loopback", "--nemesis", "none", "--workload", "set,counter",
        "--time-limit", "30", "--time-budget", "10", "--store", str(store),
    )  # fmt: skip
    assert done.returncode == EXIT_UNKNOWN, done.stderr
    assert run_folders(store) == []
    assert done.stderr.count("not run: time budget") == 2
    summary = (matrix_folder(store) / "summary.md").read_text()
    assert "2 tests: 2 not run." in summary and summary.count("time budget") == 2
    suites = ET.parse(matrix_folder(store) / "results.xml").getroot().findall("testsuite")
    assert [s.find("testcase/skipped") is not None for s in suites] == [True, True]


@pytest.mark.redis
def test_a_crashed_run_never_stops_the_matrix(tmp_path: Path) -> None:
    """redis-server refuses an unknown config option: every run fails in setup (exit
    255), each is still a run folder, the next test still runs, the matrix exits 255."""
    store = tmp_path / "store"
    done = run_test_all(
        "--db", "redis", "--net", "loopback", "--nemesis", "none", "--workload", "set,counter",
        "--nodes", "3", "--replicas", "0", "--time-limit", "2", "--ready-timeout", "5",
        "--node-option", "no-such-option=1", "--store", str(store),
    )  # fmt: skip
    assert done.returncode == EXIT_INTERNAL, done.stderr[-2000:]
    assert len(run_folders(store)) == 2 and "Traceback" not in done.stderr
    assert done.stderr.count(": crashed (exit 255: ") == 2
    suites = ET.parse(matrix_folder(store) / "results.xml").getroot().findall("testsuite")
    errors = [s.find("testcase/error") for s in suites]
    assert len(errors) == 2 and all(
        e is not None and "exit 255" in (e.get("message") or "") for e in errors
    )
    assert "2 tests: 2 crashed." in (matrix_folder(store) / "summary.md").read_text()


@needs_netns
@pytest.mark.netns
@pytest.mark.slow
def test_a_killed_test_all_stops_its_running_test_cleanly(tmp_path: Path) -> None:
    """SIGKILL to test-all: the running test (its own process group) gets SIGTERM as its
    parent dies and stops as on Ctrl-C: healed, its nodes stopped, nothing left."""
    store = tmp_path / "store"
    argv = [
        sys.executable, "-m", "harness.cli", "test-all", *SMALL, "--workload", "set",
        "--nemesis", "partition-minority", "--nemesis-interval", "1", "--time-limit", "120",
        "--store", str(store),
    ]  # fmt: skip
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: recorded(store, 200), 90, "the test's workload", interval=0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        folders = run_folders(store)
        assert len(folders) == 1
        wait_until(lambda: checked(folders[0]), 90, "the orphaned test to stop", interval=0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    test = json.loads((folders[0] / "test.json").read_text())
    assert test["interrupted"] is True
    assert "SIGTERM" in (folders[0] / "harness.log").read_text()
    wait_until(lambda: not processes_of(store), 30, "the test's harness process to exit")
    assert_nothing_left(store, prefixes(folders))


def recorded(store: Path, lines: int) -> bool:
    history = store / "latest" / "history.jsonl"
    return history.exists() and history.read_bytes().count(b"\n") >= lines


def checked(run_dir: Path) -> bool:
    """The run finished (state.json) and its results are written."""
    state = json.loads((run_dir / "state.json").read_text())
    return state.get("finished") is True and (run_dir / "results.json").exists()


def processes_of(store: Path) -> list[str]:
    """Processes (but this one) whose command line names ``store``."""
    return [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit() and str(store).encode() in _cmdline(pid) and int(pid) != os.getpid()
    ]
