"""kill-power end to end: a power loss drops what the nodes did not fsync.

Three primaries and no replicas, so no failover can lose writes: whatever goes missing
was lost by the power loss itself. With ``appendfsync everysec`` the last second of writes
before the loss is gone; with ``always`` every acknowledged write was fsynced before its
reply and survives. Real nodes on a real lossyfs (FUSE); nothing may be left mounted.
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
    "--nemesis", "kill-power-all", "--nemesis-interval", "4", "--time-limit", "10",
    "--recovery-time", "2", "--rate", "800",
]  # fmt: skip


@pytest.fixture(autouse=True)
def fuse() -> None:
    problem = fuse_problem()
    if problem is not None:
        pytest.fail(f"kill-power cannot run here: {problem} (run make setup as root)")


@pytest.mark.parametrize(
    ("db", "appendfsync", "loses"),
    [("splitbrain", "everysec", True), ("splitbrain", "always", False), ("redis", "always", False)],
)
def test_power_loss_and_fsync(
    tmp_path: Path, seed: int, db: str, appendfsync: str, loses: bool
) -> None:
    store = tmp_path / "store"
    done = harness(
        *POWER, "--db", db, "--appendfsync", appendfsync, "--store", str(store),
        "--seed", str(seed), timeout=240,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    run_dir = latest(store)
    results = json.loads((run_dir / "results.json").read_text())
    lost = results["lost_writes"]
    assert lost["acknowledged_count"] > 500
    if loses:
        assert lost["lost_count"] > 0, "everysec kept every write through a power loss"
        assert done.returncode == 1
    else:
        assert lost["lost_count"] == 0, f"appendfsync always lost {lost['lost_count']} writes"
    # The history names the fault; the log says what each node lost.
    events = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]
    starts = [e for e in events if e["f"] == "start-kill-power" and e["type"] == "invoke"]
    assert starts and all(e["value"] == "kill-power-all" for e in starts)
    log = (run_dir / "harness.log").read_text()
    assert "power lost on n1, n2, n3" in log and "unsynced bytes" in log
    assert mounts_under(run_dir) == []
    assert_nothing_left(run_dir, None)


def test_cleanup_unmounts_after_a_killed_run(tmp_path: Path) -> None:
    """SIGKILL of the harness while the nodes run on their lossyfs: `harness cleanup`
    kills nodes and file systems by working directory and unmounts every disk."""
    store = tmp_path / "store"
    proc = start_run(
        store, "--nemesis", "kill-power-one", "--nemesis-interval", "60", "--time-limit", "60",
        "--rate", "200", "--net", "loopback", "--nodes", "3", "--replicas", "0",
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
