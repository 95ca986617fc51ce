"""`harness run` end to end as a subprocess, on real redis-server: valid fault-free runs,
lost writes under partition-minority, bad arguments, interruption, and cleanup after a
killed run. Every test checks that nothing is left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness.options import netns_available
from tests.harness.conftest import assert_nothing_left
from tests.support.servers import wait_until

pytestmark = pytest.mark.redis
needs_netns = pytest.mark.skipif(not netns_available(), reason="needs root for namespaces")
ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--nodes", "3", "--replicas", "0", "--recovery-time", "0.5", "--rate", "500"]


def harness(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def latest(store: Path) -> Path:
    return (store / "latest").resolve()


def prefix_of(run_dir: Path) -> str:
    return str(json.loads((run_dir / "test.json").read_text())["prefix"])


@pytest.mark.slow
@pytest.mark.parametrize("workload", ["set", "register", "list-append", "counter"])
def test_fault_free_loopback_run_is_valid(tmp_path: Path, workload: str, seed: int) -> None:
    store = tmp_path / "store"
    args = [
        "run",
        "--db",
        "redis",
        "--net",
        "loopback",
        "--nemesis",
        "none",
        "--workload",
        workload,
    ]
    done = harness(*args, *QUICK, "--time-limit", "2", "--store", str(store), "--seed", str(seed))
    assert done.returncode == 0, done.stderr[-3000:]
    run_dir = latest(store)
    results = json.loads((run_dir / "results.json").read_text())
    assert results["valid"] is True
    test = json.loads((run_dir / "test.json").read_text())
    assert test["seed"] == seed and test["workload"] == workload
    assert "--seed" in test["argv"] and test["versions"]["server"].startswith("Redis server")
    history = (run_dir / "history.jsonl").read_text().splitlines()
    assert len(history) > 100
    first = json.loads(history[0])
    assert {"index", "time", "type", "process", "f", "value"} <= first.keys()
    assert (run_dir / "history.edn").read_text().startswith("{:index 0")
    for name in ("n1", "n2", "n3"):
        assert (run_dir / "nodes" / name / "node.log").stat().st_size > 0
        assert "myself" in (run_dir / "nodes" / name / "nodes.conf").read_text()
    assert (run_dir / "resources.jsonl").read_text().count('"rss"') >= 3
    assert json.loads((run_dir / "state.json").read_text())["finished"] is True
    if workload == "set":
        assert results["lost_writes"]["lost_count"] == 0
        assert results["lost_writes"]["acknowledged_count"] > 100
    again = harness("analyze", str(run_dir))
    assert again.returncode == 0, again.stderr[-2000:]
    assert_nothing_left(run_dir, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--net", "loopback", "--nemesis", "partition-minority"], "need --net netns"),
        (["--nemesis", "bogus"], "unknown nemesis fault"),
        (["--concurrency", "x"], "--concurrency"),
        (["--nodes", "4", "--replicas", "1"], "at least 3 primaries"),
        (["--wait-strict"], "--wait-strict"),
    ],
)
def test_bad_arguments_exit_254(tmp_path: Path, args: list[str], message: str) -> None:
    done = harness("run", *args, "--store", str(tmp_path))
    assert done.returncode == 254
    assert message in done.stderr and "Traceback" not in done.stderr


@needs_netns
@pytest.mark.netns
@pytest.mark.slow
def test_partition_minority_loses_acknowledged_writes(tmp_path: Path, seed: int) -> None:
    """Redis Cluster's known behaviour: a primary cut off in a minority keeps acknowledging
    writes for about node-timeout, then its replica is promoted and they are gone."""
    for attempt in range(2):  # the partition may (rarely) miss the primaries with writes
        store = tmp_path / f"store{attempt}"
        done = harness(
            "run", "--db", "redis", "--workload", "set", "--nemesis", "partition-minority",
            "--nemesis-interval", "6", "--time-limit", "16", "--recovery-time", "4",
            "--store", str(store), "--seed", str(seed + attempt), timeout=150,
        )  # fmt: skip
        run_dir = latest(store)
        assert_nothing_left(run_dir, prefix_of(run_dir))
        results = json.loads((run_dir / "results.json").read_text())
        if done.returncode == 1:
            assert results["valid"] is False
            lost = results["lost_writes"]
            assert lost["lost_count"] > 0 and lost["unexpected_count"] == 0
            every = [json.loads(line) for line in (run_dir / lost["file"]).open()]
            assert len(every) == lost["lost_count"] == lost["file_count"]  # none left out
            assert len(lost["lost"]) == min(100, lost["lost_count"])  # results.json: a sample
            assert all({"key", "value", "node", "acks", "faults"} <= w.keys() for w in every)
            history = [json.loads(line) for line in (run_dir / "history.jsonl").open()]
            faults = [op for op in history if op["process"] == "nemesis"]
            assert any(op["f"] == "start-partition" and op["type"] == "ok" for op in faults)
            assert_every_fault_recorded_and_healed(faults)
            return
        assert done.returncode == 0, done.stderr[-3000:]
    pytest.fail("two partition-minority runs lost no acknowledged write")


def start_run(store: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "run", "--store", str(store), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_ops(store: Path, count: int) -> Path:
    def ready() -> bool:
        path = store / "latest" / "history.jsonl"
        return path.exists() and path.read_bytes().count(b"\n") >= count

    wait_until(ready, 60, "the workload to start", interval=0.1)
    return latest(store)


@needs_netns
@pytest.mark.netns
@pytest.mark.slow
def test_sigint_heals_stops_keeps_history_and_checks(tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = start_run(
        store, "--nemesis", "partition-minority", "--nemesis-interval", "1",
        "--time-limit", "60", "--rate", "300",
    )  # fmt: skip
    try:
        run_dir = wait_for_ops(store, 400)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, 1, 2), out[-3000:]
    assert "SIGINT" in out
    test = json.loads((run_dir / "test.json").read_text())
    assert test["interrupted"] is True
    results = json.loads((run_dir / "results.json").read_text())
    assert results["interrupted"] is True and "set-full" in results["checkers"]
    lines = (run_dir / "history.jsonl").read_text().splitlines()
    assert len(lines) >= 400
    client = [json.loads(line) for line in lines if '"process":"nemesis"' not in line]
    invokes = sum(op["type"] == "invoke" for op in client)
    assert invokes * 2 == len(client)  # every client operation completed before the end
    faults = [json.loads(line) for line in lines if '"process":"nemesis"' in line]
    assert_every_fault_recorded_and_healed(faults)
    assert_nothing_left(run_dir, test["prefix"])


def assert_every_fault_recorded_and_healed(faults: list[dict[str, object]]) -> None:
    """Each nemesis invocation is followed by its completion, and the run ends with a
    recorded final heal of the network that succeeded."""
    for invoke, done in zip(faults[::2], faults[1::2], strict=True):
        assert invoke["type"] == "invoke" and done["type"] != "invoke"
        assert invoke["f"] == done["f"]
    assert faults[-2:][0]["f"] == "stop-partition" and faults[-2]["value"] == "final-heal"
    assert faults[-1]["type"] == "ok", faults[-1]


@needs_netns
@pytest.mark.netns
@pytest.mark.slow
def test_cleanup_after_a_killed_run(tmp_path: Path) -> None:
    """SIGKILL of the harness while a partition holds: `harness cleanup` kills the nodes,
    deletes the run's nftables tables and removes its namespaces."""
    store = tmp_path / "store"
    proc = start_run(
        store, "--nemesis", "partition-one", "--nemesis-interval", "60",
        "--nemesis-option", "first_fault_s=0.5", "--time-limit", "60", "--rate", "200",
    )  # fmt: skip
    try:
        run_dir = wait_for_ops(store, 100)
        history = run_dir / "history.jsonl"
        wait_until(lambda: partition_started(history), 30, "the partition", interval=0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        prefix = prefix_of(run_dir)
        with pytest.raises(AssertionError):
            assert_nothing_left(run_dir, prefix)  # the nodes and namespaces are still there
        done = harness("cleanup", "--store", str(store))
        assert done.returncode == 0, done.stderr
        assert "removed process" in done.stdout and f"removed {prefix}-n1" in done.stdout
        assert f"nft table inet {prefix}" in done.stdout, done.stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        harness("cleanup", str(latest(store)), "--force")
    assert_nothing_left(run_dir, prefix)
    assert harness("cleanup", "--store", str(store)).stdout.strip() == "nothing to clean"


def partition_started(history: Path) -> bool:
    for line in history.read_text().splitlines():
        if '"process":"nemesis"' in line:
            op = json.loads(line)
            if op["f"] == "start-partition" and op["type"] == "ok":
                return True
    return False


@pytest.mark.slow
@pytest.mark.parametrize("workload", ["set", "register"])
def test_fault_free_splitbrain_run_is_valid(tmp_path: Path, seed: int, workload: str) -> None:
    """The same code drives our own server (`--db splitbrain`), register's cas through
    its Lua scripting (the default ``--cas lua``, as on redis)."""
    store = tmp_path / "store"
    args = ["run", "--db", "splitbrain", "--net", "loopback", "--nemesis", "none"]
    args += ["--workload", workload]
    done = harness(*args, *QUICK, "--time-limit", "2", "--store", str(store), "--seed", str(seed))
    assert done.returncode == 0, done.stderr[-3000:]
    run_dir = latest(store)
    test = json.loads((run_dir / "test.json").read_text())
    assert test["versions"]["server"].startswith("splitbrain-server")
    results = json.loads((run_dir / "results.json").read_text())
    assert results["valid"] is True
    if workload == "set":
        assert results["lost_writes"]["acknowledged_count"] > 100
    else:
        assert test["options"]["cas"] == "lua"
        history = [json.loads(line) for line in (run_dir / "history.jsonl").open()]
        assert any(op["f"] == "cas" and op["type"] == "ok" for op in history)
    assert_nothing_left(run_dir, None)
