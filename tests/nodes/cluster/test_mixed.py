"""Acceptance: splitbrain nodes and real redis-server 7.0 nodes in one cluster."""

from __future__ import annotations

from typing import Any

import pytest
import redis
import redis.cluster

from tests.nodes.cluster.conftest import (
    Nodes,
    cluster_info,
    cluster_nodes,
    command,
    redis_cli,
    slot_maps_agree,
)
from tests.support.servers import REDIS_SERVER, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed"),
]


def _view(server) -> dict[str, tuple[str, str, str, tuple[str, ...]]]:
    """id -> (role, master, epoch, slots) as ``server`` sees it, every link connected."""
    view = {}
    for line in cluster_nodes(server):
        flags = line[2].split(",")
        role = "master" if "master" in flags else "slave" if "slave" in flags else "?"
        view[line[0]] = (role, line[3], line[6], tuple(line[8:]) if role == "master" else ())
        if line[7] != "connected" or "handshake" in flags or "fail" in flags:
            return {}
    return view


def _agree(servers) -> bool:
    views = [_view(s) for s in servers]
    return all(v and v == views[0] and len(v) == len(servers) for v in views)


def test_mixed_cluster_agrees_and_checks_clean(nodes: Nodes):
    ours = nodes.ours(2)
    real = nodes.real(1)
    masters = [*ours, *real]
    created = redis_cli(
        "--cluster", "create", *[f"127.0.0.1:{s.port}" for s in masters], "--cluster-yes"
    )
    assert created.returncode == 0, created.stdout + created.stderr
    # one more of ours joins through the real node, one more real node through ours
    late_ours = nodes.ours(1)[0]
    late_real = nodes.real(1)[0]
    assert command(real[0], "CLUSTER", "MEET", "127.0.0.1", late_ours.port)
    assert command(ours[0], "CLUSTER", "MEET", "127.0.0.1", late_real.port)
    everyone = [*masters, late_ours, late_real]
    wait_until(lambda: _agree(everyone), 30, "all five nodes to agree on the cluster")
    wait_until(
        lambda: all(cluster_info(s)["cluster_state"] == "ok" for s in everyone),
        20,
        "cluster_state:ok everywhere",
    )
    # the late nodes become replicas (of a node of their own kind: the snapshot formats
    # differ), and every node, of either kind, learns the new roles
    real_id = command(real[0], "CLUSTER", "MYID").decode()
    ours_id = command(ours[1], "CLUSTER", "MYID").decode()
    assert command(late_ours, "CLUSTER", "REPLICATE", ours_id)
    assert command(late_real, "CLUSTER", "REPLICATE", real_id)
    wait_until(lambda: _agree(everyone), 20, "agreement after REPLICATE")
    epochs = {cluster_info(s)["cluster_current_epoch"] for s in everyone}
    assert len(epochs) == 1
    check = redis_cli("--cluster", "check", f"127.0.0.1:{real[0].port}")
    assert check.returncode == 0, check.stdout
    assert "[OK] All 16384 slots covered." in check.stdout
    # data through the mixed cluster
    for i in range(200):
        assert (
            redis_cli("-c", "-p", str(masters[i % 3].port), "SET", f"m{i}", str(i)).returncode == 0
        )
    got = redis_cli("-c", "-p", str(real[0].port), "GET", "m7")
    assert got.stdout.strip() == "7"


def test_real_node_detects_our_failure_and_we_detect_its(nodes: Nodes):
    ours = nodes.ours(2)
    real = nodes.real(1)
    masters = [*ours, *real]
    created = redis_cli(
        "--cluster", "create", *[f"127.0.0.1:{s.port}" for s in masters], "--cluster-yes"
    )
    assert created.returncode == 0, created.stdout
    wait_until(lambda: _agree(masters), 20, "agreement")
    victim_id = command(ours[1], "CLUSTER", "MYID").decode()
    ours[1].kill()

    def flagged_fail(server) -> bool:
        return any(
            line[0] == victim_id and "fail" in line[2].split(",") for line in cluster_nodes(server)
        )

    wait_until(lambda: flagged_fail(real[0]) and flagged_fail(ours[0]), 20, "FAIL of a killed node")
    wait_until(
        lambda: all(cluster_info(s)["cluster_state"] == "fail" for s in (real[0], ours[0])),
        10,
        "cluster_state:fail on both survivors",
    )
    # the data path refuses keys while the cluster is down, on both kinds of node
    for server in (ours[0], real[0]):
        down = redis_cli("-p", str(server.port), "GET", "somekey")
        assert down.stdout.strip() == "CLUSTERDOWN The cluster is down"
    ours[1].start()
    wait_until(lambda: _agree(masters), 20, "agreement after the node returns")
    wait_until(
        lambda: all(cluster_info(s)["cluster_state"] == "ok" for s in masters), 20, "ok again"
    )


def _myself_line(server) -> list[str]:
    return next(line for line in cluster_nodes(server) if "myself" in line[2])


def test_failover_votes_cross_implementations(nodes: Nodes):
    """Our replica is elected with votes from a real redis master, and a real replica
    with votes from ours: FAILOVER_AUTH_REQUEST / ACK work both ways."""
    a, b = nodes.ours(2)
    (r,) = nodes.real(1)
    masters = [a, r, b]
    created = redis_cli(
        "--cluster", "create", *[f"127.0.0.1:{s.port}" for s in masters], "--cluster-yes"
    )
    assert created.returncode == 0, created.stdout
    (a_replica,) = nodes.ours(1)
    (r_replica,) = nodes.real(1)
    everyone = [a, r, b, a_replica, r_replica]
    for newcomer in (a_replica, r_replica):
        assert command(newcomer, "CLUSTER", "MEET", "127.0.0.1", a.port)
    wait_until(lambda: _agree(everyone), 30, "all five nodes to agree")
    a_id = command(a, "CLUSTER", "MYID").decode()
    r_id = command(r, "CLUSTER", "MYID").decode()
    assert command(a_replica, "CLUSTER", "REPLICATE", a_id)
    assert command(r_replica, "CLUSTER", "REPLICATE", r_id)
    wait_until(lambda: _agree(everyone), 20, "agreement on the roles")
    wait_until(
        lambda: (
            command(r_replica, "INFO", "replication").get("master_link_status") == "up"
            and command(a_replica, "INFO", "replication").get("master_link_status") == "up"
        ),
        20,
        "both replicas in sync",
    )

    a.kill()  # ours fails: our replica needs the real master's vote
    wait_until(lambda: "master" in _myself_line(a_replica)[2], 30, "our replica promoted")
    survivors = [r, b, a_replica, r_replica]
    wait_until(lambda: _agree_on(survivors, a_id), 20, "agreement after the first failover")

    r.kill()  # the real one fails: its real replica needs our masters' votes
    wait_until(lambda: "master" in _myself_line(r_replica)[2], 30, "the real replica promoted")
    survivors = [b, a_replica, r_replica]
    wait_until(
        lambda: all(cluster_info(s)["cluster_state"] == "ok" for s in survivors),
        20,
        "cluster_state:ok after both failovers",
    )
    wait_until(lambda: slot_maps_agree(survivors, known=5), 20, "one slot map")
    check = redis_cli("--cluster", "check", f"127.0.0.1:{r_replica.port}")
    assert "[OK] All 16384 slots covered." in check.stdout, check.stdout


def _agree_on(servers, gone_id: str) -> bool:
    """The survivors agree, ignoring the line of the failed node."""
    views = []
    for server in servers:
        view = {}
        for line in cluster_nodes(server):
            if line[0] == gone_id:
                continue
            flags = line[2].split(",")
            role = "master" if "master" in flags else "slave"
            view[line[0]] = (role, line[3], line[6], tuple(line[8:]) if role == "master" else ())
        views.append(view)
    return all(v == views[0] for v in views)


def _write_every_type(cluster: Any, count: int) -> dict[str, tuple[str, object]]:
    """``count`` keys of each type through a cluster client: key -> (type, what it should
    read back)."""
    expected: dict[str, tuple[str, object]] = {}
    for i in range(count):
        cluster.set(f"s:{i}", f"v{i}" * (i % 7 + 1))
        expected[f"s:{i}"] = ("string", f"v{i}".encode() * (i % 7 + 1))
        cluster.rpush(f"l:{i}", *[f"e{j}" for j in range(i % 5 + 1)])
        expected[f"l:{i}"] = ("list", [f"e{j}".encode() for j in range(i % 5 + 1)])
        cluster.hset(f"h:{i}", mapping={f"f{j}": j for j in range(i % 4 + 1)})
        expected[f"h:{i}"] = ("hash", {f"f{j}".encode(): str(j).encode() for j in range(i % 4 + 1)})
        cluster.sadd(f"t:{i}", *[str(j * i) for j in range(3)])
        expected[f"t:{i}"] = ("set", {str(j * i).encode() for j in range(3)})
        cluster.zadd(f"z:{i}", {f"m{j}": j / 2 for j in range(i % 6 + 1)})
        expected[f"z:{i}"] = ("zset", [(f"m{j}".encode(), j / 2) for j in range(i % 6 + 1)])
        cluster.xadd(f"x:{i}", {"n": str(i)}, id=f"{i + 1}-1")
        expected[f"x:{i}"] = ("stream", [(f"{i + 1}-1".encode(), {b"n": str(i).encode()})])
        cluster.set(f"e:{i}", "ttl", ex=3600)
        expected[f"e:{i}"] = ("string", b"ttl")
    return expected


def _read_back(cluster: Any, key: str, kind: str) -> object:
    if kind == "string":
        return cluster.get(key)
    if kind == "list":
        return cluster.lrange(key, 0, -1)
    if kind == "hash":
        return cluster.hgetall(key)
    if kind == "set":
        return cluster.smembers(key)
    if kind == "zset":
        return cluster.zrange(key, 0, -1, withscores=True)
    return cluster.xrange(key)


def test_mixed_cluster_is_resharded_both_ways_keeping_every_key(nodes: Nodes):
    """``redis-cli --cluster reshard`` moves slots (MIGRATE with DUMP payloads) from our
    node to redis-server and from redis-server to ours; every key of every type, TTLs
    included, reads back the same through the cluster afterwards."""
    a, b = nodes.ours(2)
    (r,) = nodes.real(1)
    masters = [a, r, b]
    created = redis_cli(
        "--cluster", "create", *[f"127.0.0.1:{s.port}" for s in masters], "--cluster-yes"
    )
    assert created.returncode == 0, created.stdout + created.stderr
    wait_until(lambda: _agree(masters), 30, "the three masters to agree")
    wait_until(
        lambda: all(cluster_info(s)["cluster_state"] == "ok" for s in masters),
        20,
        "cluster_state:ok everywhere",
    )
    cluster: Any = redis.cluster.RedisCluster(host="127.0.0.1", port=a.port, socket_timeout=10)
    try:
        expected = _write_every_type(cluster, 150)
        ids = {s.port: command(s, "CLUSTER", "MYID").decode() for s in masters}
        for source, target in ((a, r), (r, b)):
            moved = redis_cli(
                "--cluster",
                "reshard",
                f"127.0.0.1:{a.port}",
                "--cluster-from",
                ids[source.port],
                "--cluster-to",
                ids[target.port],
                "--cluster-slots",
                "3000",
                "--cluster-yes",
                timeout=120,
            )
            assert moved.returncode == 0, moved.stdout[-2000:] + moved.stderr
            wait_until(lambda: _agree(masters), 30, "agreement after the reshard")
        check = redis_cli("--cluster", "check", f"127.0.0.1:{r.port}")
        assert check.returncode == 0, check.stdout
        assert "[OK] All 16384 slots covered." in check.stdout
        cluster.close()
        cluster = redis.cluster.RedisCluster(host="127.0.0.1", port=b.port, socket_timeout=10)
        wrong = {
            key: got
            for key, (kind, want) in expected.items()
            if (got := _read_back(cluster, key, kind)) != want
        }
        assert wrong == {}
        ttls = [cluster.ttl(f"e:{i}") for i in range(150)]
        assert all(3000 < t <= 3600 for t in ttls), ttls
        on_real = command(r, "DBSIZE")
        assert on_real > 0  # keys moved onto redis-server, and some of them moved on again
    finally:
        cluster.close()
