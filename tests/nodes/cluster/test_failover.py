"""Manual failover (default, FORCE, TAKEOVER) with real splitbrain-server processes; the
automatic failover scenarios are in test_failover_acceptance.py."""

from __future__ import annotations

import threading

import pytest
import redis

from nodes.keyslot import keyslot
from tests.nodes.cluster.conftest import (
    Nodes,
    cluster_info,
    cluster_nodes,
    command,
    redis_cli,
    slot_maps_agree,
)
from tests.support.servers import ServerProcess, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _create(nodes: Nodes) -> list[ServerProcess]:
    servers = nodes.ours(6)
    created = redis_cli(
        "--cluster",
        "create",
        *[f"127.0.0.1:{s.port}" for s in servers],
        "--cluster-replicas",
        "1",
        "--cluster-yes",
    )
    assert created.returncode == 0, created.stdout + created.stderr
    wait_until(lambda: _ok(servers), 20, "cluster_state:ok")
    return servers


def _ok(servers: list[ServerProcess]) -> bool:
    return all(cluster_info(s)["cluster_state"] == "ok" for s in servers)


def _myself(server: ServerProcess) -> list[str]:
    return next(line for line in cluster_nodes(server) if "myself" in line[2])


def _by_port(servers: list[ServerProcess], port: int) -> ServerProcess:
    return next(s for s in servers if s.port == port)


def _replica_of(servers: list[ServerProcess], master: ServerProcess) -> ServerProcess:
    master_id = _myself(master)[0]
    wait_until(
        lambda: any(line[3] == master_id for line in cluster_nodes(master)),
        15,
        "the master to know its replica",
    )
    line = next(line for line in cluster_nodes(master) if line[3] == master_id)
    replica_id = line[0]

    def everyone_knows() -> bool:
        return all(
            any(ln[0] == replica_id and ln[3] == master_id for ln in cluster_nodes(s))
            for s in servers
            if s.process is not None and s.process.poll() is None
        )

    # voters must know the replica's master, or they refuse the election (as redis does)
    wait_until(everyone_knows, 15, "every node to know the replica's role")
    return _by_port(servers, int(line[1].split("@")[0].rsplit(":", 1)[1]))


def test_manual_failover_force_and_takeover(nodes: Nodes):
    servers = _create(nodes)
    master = servers[1]
    replica = _replica_of(servers, master)
    assert command(replica, "CLUSTER", "FAILOVER", "FORCE")
    wait_until(lambda: "master" in _myself(replica)[2], 15, "FORCE failover")
    wait_until(lambda: "slave" in _myself(master)[2], 15, "the old master demoted")
    # TAKEOVER back, with no vote
    assert command(master, "CLUSTER", "FAILOVER", "TAKEOVER")
    wait_until(lambda: "master" in _myself(master)[2], 15, "TAKEOVER")
    wait_until(lambda: _ok(servers), 20, "cluster_state:ok")
    wait_until(lambda: slot_maps_agree(servers), 20, "one slot map")
    assert redis_cli("--cluster", "check", f"127.0.0.1:{servers[0].port}").returncode == 0
    with pytest.raises(Exception, match="You should send CLUSTER FAILOVER to a replica"):
        command(master, "CLUSTER", "FAILOVER")


def test_manual_failover_under_writes_loses_no_acknowledged_write(nodes: Nodes):
    servers = _create(nodes)
    master = servers[2]
    replica = _replica_of(servers, master)
    wait_until(
        lambda: command(replica, "INFO", "replication").get("master_link_status") == "up",
        15,
        "the replica in sync",
    )
    tag = "{m}"  # one slot; find which master owns it and write straight to it
    slot = keyslot(tag)
    owner_line = next(line for line in cluster_nodes(master) if line[8:] and _owns(line[8:], slot))
    owner = _by_port(servers, int(owner_line[1].split("@")[0].rsplit(":", 1)[1]))
    if owner is not master:
        master, replica = owner, _replica_of(servers, owner)
    acked: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        conn = redis.Redis(host="127.0.0.1", port=master.port, socket_timeout=15)
        i = 0
        try:
            while not stop.is_set() and i < 5000:
                key = f"{tag}:{i}"
                try:
                    if conn.set(key, "1"):
                        acked.append(key)
                except redis.RedisError:
                    pass  # MOVED after the switch: a definite failure, not acknowledged
                i += 1
        finally:
            conn.close()

    tx_acked: list[str] = []
    tx_errors: list[str] = []

    def transactions() -> None:
        """MULTI/SET/EXEC: an EXEC that arrives during the pause waits like a plain write."""
        conn = redis.Redis(host="127.0.0.1", port=master.port, socket_timeout=15)
        i = 0
        try:
            while not stop.is_set() and i < 5000:
                key = f"{tag}:tx{i}"
                try:
                    pipe = conn.pipeline(transaction=True)
                    pipe.set(key, "1")
                    if pipe.execute() == [True]:
                        tx_acked.append(key)
                except redis.RedisError as exc:
                    tx_errors.append(str(exc))
                i += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=writer), threading.Thread(target=transactions)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(acked) >= 200, 15, "writes before the failover")
        wait_until(lambda: len(tx_acked) >= 50, 15, "transactions before the failover")
        assert command(replica, "CLUSTER", "FAILOVER") == b"OK"
        try:
            wait_until(lambda: "master" in _myself(replica)[2], 15, "the manual failover")
        except TimeoutError:
            raise AssertionError(
                f"no failover\nREPLICA:\n{replica.output()}\nMASTER:\n{master.output()}"
            ) from None
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert len(acked) >= 200
    assert not [e for e in tx_errors if "TRYAGAIN" in e], tx_errors[:5]
    conn = redis.Redis(host="127.0.0.1", port=replica.port, socket_timeout=10)
    try:
        missing = [key for key in acked + tx_acked if conn.get(key) is None]
    finally:
        conn.close()
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"
    wait_until(lambda: "slave" in _myself(master)[2], 15, "the old master demoted")
    assert "Client pause over (failover)" in master.output()  # it held writes meanwhile


def _owns(ranges: list[str], slot: int) -> bool:
    for text in ranges:
        start, _, end = text.partition("-")
        if int(start) <= slot <= int(end or start):
            return True
    return False
