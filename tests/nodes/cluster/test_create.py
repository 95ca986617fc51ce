"""Acceptance: redis-cli --cluster create / check / info on six splitbrain nodes,
redis-py RedisCluster traffic, and a restart that keeps the node's identity."""

from __future__ import annotations

import pytest
from redis.cluster import RedisCluster

from nodes.keyslot import keyslot
from tests.nodes.cluster.conftest import (
    Nodes,
    client,
    cluster_info,
    cluster_nodes,
    redis_cli,
    slot_maps_agree,
)
from tests.support.servers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _owns(ranges: list[str], slot: int) -> bool:
    for text in ranges:
        start, _, end = text.partition("-")
        if int(start) <= slot <= int(end or start):
            return True
    return False


def _all_ok(servers) -> bool:
    return all(cluster_info(s)["cluster_state"] == "ok" for s in servers)


def test_cluster_create_check_traffic_and_restart(nodes: Nodes, rng):
    servers = nodes.ours(6)
    addrs = [f"127.0.0.1:{s.port}" for s in servers]
    created = redis_cli("--cluster", "create", *addrs, "--cluster-replicas", "1", "--cluster-yes")
    assert created.returncode == 0, created.stdout + created.stderr
    assert "[OK] All 16384 slots covered." in created.stdout
    wait_until(lambda: _all_ok(servers), 20, "cluster_state:ok on all six nodes")
    # Gossip may still be introducing the last node to some peer when all report ok.
    wait_until(
        lambda: all(cluster_info(s)["cluster_known_nodes"] == "6" for s in servers),
        20,
        "every node knows all six",
    )
    for server in servers:
        info = cluster_info(server)
        assert info["cluster_known_nodes"] == "6"
        assert info["cluster_size"] == "3"
        assert info["cluster_slots_ok"] == "16384"

    check = redis_cli("--cluster", "check", addrs[3])
    assert check.returncode == 0, check.stdout
    assert "[OK] All nodes agree about slots configuration." in check.stdout
    summary = redis_cli("--cluster", "info", addrs[0])
    assert summary.returncode == 0 and "3 masters" in summary.stdout

    # every node comes to see three masters with one replica each, all connected
    def roles_agree() -> bool:
        for server in servers:
            lines = cluster_nodes(server)
            if len(lines) != 6 or any(line[7] != "connected" for line in lines):
                return False
            masters = {line[0] for line in lines if "master" in line[2].split(",")}
            replicas_of = [line[3] for line in lines if "slave" in line[2].split(",")]
            if len(masters) != 3 or sorted(replicas_of) != sorted(masters):
                return False
        return True

    wait_until(roles_agree, 15, "every node to see 3 masters with one replica each")

    rc = RedisCluster(host="127.0.0.1", port=servers[0].port)
    try:
        keys = [f"key:{rng.randrange(10**9)}:{i}" for i in range(3000)]
        for i, key in enumerate(keys):
            rc.set(key, str(i))
        for i, key in enumerate(keys):
            assert rc.get(key) == str(i).encode()
    finally:
        rc.close()
    # keys live on the owner of their slot, and others redirect with MOVED
    key = keys[0]
    owner_lines = [line for line in cluster_nodes(servers[0]) if "master" in line[2]]
    slot = keyslot(key)
    moved = 0
    for server in servers[:3]:
        try:
            client(server).get(key)
        except Exception as exc:
            assert str(exc).startswith(f"{slot} 127.0.0.1:") or "MOVED" in str(exc)
            moved += 1
    assert moved >= 1 and owner_lines

    # replicas follow their masters' data (the replication stream), readable with READONLY
    replica_of = {}
    for line in cluster_nodes(servers[0]):
        if "slave" in line[2].split(","):
            replica_of[line[3]] = line[1].split("@")[0].rsplit(":", 1)[1]
    owner_id = next(
        line[0] for line in cluster_nodes(servers[0]) if line[8:] and _owns(line[8:], slot)
    )
    replica_port = int(replica_of[owner_id])
    replica = next(s for s in servers if s.port == replica_port)

    def replica_has_key() -> bool:
        conn = client(replica)
        try:
            conn.execute_command("READONLY")  # type: ignore[no-untyped-call]
            return conn.get(key) == b"0"
        finally:
            conn.close()

    wait_until(replica_has_key, 15, "the key on the slot owner's replica")

    # a restarted master keeps its id, slots and epochs
    victim = servers[0]
    before = next(line for line in cluster_nodes(victim) if "myself" in line[2])
    before_info = cluster_info(victim)
    victim.stop()
    victim.start()
    after = next(line for line in cluster_nodes(victim) if "myself" in line[2])
    assert after[0] == before[0]
    assert after[8:] == before[8:]
    assert after[6] == before[6]
    assert cluster_info(victim)["cluster_current_epoch"] == before_info["cluster_current_epoch"]
    wait_until(lambda: _all_ok(servers), 20, "cluster_state:ok after the restart")
    wait_until(lambda: slot_maps_agree(servers), 20, "one slot map after the restart")
    assert redis_cli("--cluster", "check", addrs[0]).returncode == 0
