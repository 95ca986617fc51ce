"""kill-power end to end: a power loss drops what the nodes did not fsync.

Three primaries and no replicas, so no failover can lose writes: whatever goes missing
was lost by the power loss itself. With ``appendfsync everysec`` the last second of writes
before the loss is gone; with ``always`` every acknowledged write was fsynced before its
reply and survives. splitbrain-server nodes lose power through their own file layer (the
fsync ledger, no FUSE, nothing mounted); redis-server nodes on a real lossyfs (FUSE),
and nothing may be left mounted.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from nemesis.lossyfs.control import fuse_problem, mounts_under
from tests.harness.conftest import assert_nothing_left
from tests.harness.test_run import harness, latest, start_run, wait_for_ops
from tests.support.servers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.netns]

POWER = [
    "run", "--net", "loopback", "--nodes", "3", "--replicas", "0", "--workload", "set",
    "--nemesis-interval", "4", "--time-limit", "10", "--recovery-time", "2", "--rate", "800",
]  # fmt: skip


def need_fuse() -> None:
    """redis-server loses power on a lossyfs: FUSE must work here."""
    problem = fuse_problem()
    if problem is not None:
        pytest.fail(f"kill-power on redis cannot run here: {problem} (run make setup as root)")


@pytest.mark.parametrize(
    ("db", "fault", "appendfsync"),
    [
        ("splitbrain", "kill-power-one", "everysec"),
        ("splitbrain", "kill-power-one", "always"),
        ("redis", "kill-power-all", "always"),
    ],
)
def test_power_loss_and_fsync(
    tmp_path: Path, seed: int, db: str, fault: str, appendfsync: str
) -> None:
    loses = appendfsync == "everysec"
    if db == "redis":
        need_fuse()
    store = tmp_path / "store"
    done = harness(
        *POWER, "--db", db, "--nemesis", fault, "--appendfsync", appendfsync,
        "--store", str(store), "--seed", str(seed), timeout=240,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    run_dir = latest(store)
    results = json.loads((run_dir / "results.json").read_text())
    lost = results["lost_writes"]
    print(f"{db} {fault} {appendfsync}: lost {lost['lost_count']} of {lost['acknowledged_count']}")
    assert lost["acknowledged_count"] > 500
    if loses:
        assert lost["lost_count"] > 0, "everysec kept every write through a power loss"
        assert lost["by_acks"]["none"]["lost_count"] > 0, "no WAIT-0 write lost"
        assert done.returncode == 1
    else:
        assert lost["lost_count"] == 0, f"appendfsync always lost {lost['lost_count']} writes"
    # The history names the fault; the log says what each node lost.
    events = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]
    starts = [e for e in events if e["f"] == "start-kill-power" and e["type"] == "invoke"]
    assert starts and all(e["value"] == fault for e in starts)
    log = (run_dir / "harness.log").read_text()
    assert "unsynced bytes" in log
    assert ("power lost on n1, n2, n3" in log) == (fault == "kill-power-all")
    assert ("mounting a lossyfs" in log) == (db == "redis"), "lossyfs on the wrong DB"
    assert mounts_under(run_dir) == []
    assert_nothing_left(run_dir, None)


def test_cleanup_unmounts_after_a_killed_run(tmp_path: Path) -> None:
    """SIGKILL of the harness while the nodes run on their lossyfs: `harness cleanup`
    kills nodes and file systems by working directory and unmounts every disk."""
    need_fuse()
    store = tmp_path / "store"
    proc = start_run(
        store, "--db", "redis", "--nemesis", "kill-power-one", "--nemesis-interval", "60",
        "--time-limit", "60", "--rate", "200", "--net", "loopback", "--nodes", "3",
        "--replicas", "0",
    )  # fmt: skip
    try:
        run_dir = wait_for_ops(store, 100)
        wait_until(lambda: len(mounts_under(run_dir)) == 3, 30, "three lossyfs mounts")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        done = harness("cleanup", "--store", str(store))
        assert done.returncode == 0, done.stderr
        assert done.stdout.count("removed lossyfs mount") == 3, done.stdout
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        harness("cleanup", str(latest(store)), "--force")
    assert mounts_under(run_dir) == []
    assert_nothing_left(run_dir, None)
