"""`--db external --seed-node HOST:PORT` against a cluster this test starts itself (real
redis-server nodes on loopback): the run records and checks with failover and reshard,
touches only keys under its own prefix, and leaves the cluster and its data running."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.dbs.cluster import ClusterDB
from harness.dbs.cluster_spec import ClusterSpec
from harness.dbs.network import LoopbackNetwork
from harness.leftovers import processes_in
from tests.harness.test_run import harness, latest, prefix_of

pytestmark = [pytest.mark.redis, pytest.mark.slow]
FOREIGN = {"user:profile:1": "alice", "user:profile:2": "bob", "{orders}:7": "paid"}
"""The user's data, written before the run: it must be there, unchanged, after."""


@pytest.fixture(scope="module")
def users_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterDB]:
    data = tmp_path_factory.mktemp("users-cluster")
    db = ClusterDB(
        ClusterSpec(db="redis", nodes=6, replicas=1, appendonly=False, ready_timeout_s=60),
        LoopbackNetwork(),
        data,
        lambda _: None,
    )
    asyncio.run(db.setup())
    try:
        yield db
    finally:
        asyncio.run(db.teardown())
        assert not processes_in(data), "node processes left behind"


def cli(db: ClusterDB, *args: str) -> str:
    host = db.hosts[0]
    done = subprocess.run(
        ["redis-cli", "-c", "-h", host.ip, "-p", str(host.port), *args],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def every_key(db: ClusterDB) -> set[str]:
    keys: set[str] = set()
    for host in db.hosts:
        done = subprocess.run(
            ["redis-cli", "-h", host.ip, "-p", str(host.port), "--scan"],
            capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        keys.update(line for line in done.stdout.splitlines() if line)
    return keys


def test_external_cluster_is_tested_and_left_as_it_was(
    users_cluster: ClusterDB, tmp_path: Path, seed: int
) -> None:
    db = users_cluster
    for key, value in FOREIGN.items():
        assert cli(db, "SET", key, value) == "OK"
    pids = db.pids()
    store = tmp_path / "store"
    seed_node = db.hosts[2].address
    done = harness(
        "run", "--db", "external", "--seed-node", seed_node, "--workload", "set",
        "--nemesis", "failover,reshard", "--nemesis-interval", "2", "--time-limit", "10",
        "--recovery-time", "2", "--rate", "300", "--store", str(store), "--seed", str(seed),
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    run_dir = latest(store)
    test = json.loads((run_dir / "test.json").read_text())
    assert sorted(h["name"] for h in test["hosts"]) == [f"n{i}" for i in range(1, 7)]
    assert test["versions"]["server"].startswith(f"external cluster at {seed_node}")
    results = json.loads((run_dir / "results.json").read_text())
    assert results["lost_writes"]["acknowledged_count"] > 100
    history = [json.loads(line) for line in (run_dir / "history.jsonl").open()]
    done_faults = {op["f"] for op in history if op["process"] == "nemesis" and op["type"] == "ok"}
    assert {"failover", "reshard"} & done_faults, done_faults
    # Every node still runs (the harness stopped nothing) and the user's data is intact.
    assert db.pids() == pids and all(db._nodes[n].running for n in pids)
    for key, value in FOREIGN.items():
        assert cli(db, "GET", key) == value
    prefix = prefix_of(run_dir) + ":"
    ours = every_key(db) - set(FOREIGN)
    assert ours and all(k.startswith(prefix) for k in ours), sorted(ours)[:10]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "external"], "--db external needs --seed-node HOST:PORT"),
        (["--seed-node", "127.0.0.1:7000"], "--seed-node needs --db external"),
        (["--db", "external", "--seed-node", "nowhere"], "want HOST:PORT"),
        (
            ["--db", "external", "--seed-node", "127.0.0.1:7000", "--nemesis", "kill,failover"],
            "--nemesis kill: not against an external cluster",
        ),
        (
            ["--db", "external", "--seed-node", "127.0.0.1:7000", "--nemesis", "partition-one"],
            "--nemesis partition-one: not against an external cluster",
        ),
    ],
)
def test_bad_external_arguments_exit_254(tmp_path: Path, args: list[str], message: str) -> None:
    done = harness("run", "--store", str(tmp_path / "store"), *args)
    assert done.returncode == 254, done.stderr
    assert message in done.stderr
