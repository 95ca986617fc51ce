"""Replication between splitbrain-server and redis-server 7.0 in both directions: the
snapshot is a real RDB, the stream is RESP, ACKs and WAIT work across."""

from __future__ import annotations

import pytest

from tests.nodes.replication.conftest import Group, Node
from tests.support.servers import REDIS_SERVER, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _fill(node: Node) -> None:
    c = node.client
    c.set("s", "hello")
    c.set("int", 12345)
    c.set("neg", -7)
    c.set("long", "abc" * 1000)  # LZF-compressed in redis's RDB
    c.set("ttl", "t", px=10**8)
    c.rpush("small-list", "a", "1", "300", "-5000", "x" * 100)
    c.rpush("big-list", *[f"item-{i:06d}" for i in range(3000)])  # several quicklist nodes
    c.sadd("intset", 1, 2, 3, 70000, -(2**40))
    c.sadd("set", "a", "b", "c")
    c.hset("small-hash", mapping={"f": "v", "n": "10"})
    c.hset("big-hash", mapping={f"f{i}": "v" * 80 for i in range(200)})
    c.zadd("small-zset", {"m1": 1.5, "m2": -3, "m3": 1e10})
    c.zadd("big-zset", {f"m{i}": i / 3 for i in range(300)})


def _stream_more(node: Node) -> None:
    c = node.client
    c.incr("int")
    c.lpush("small-list", "new")
    c.hset("small-hash", "g", "w")
    c.zadd("small-zset", {"m4": 4})
    c.srem("set", "a")
    c.delete("s")


@pytest.fixture(autouse=True)
def _need_redis() -> None:
    if REDIS_SERVER is None:
        pytest.fail("redis-server missing: run make setup")


def _offsets_meet(replica: Node, master: Node) -> None:
    """Both count the stream alike: the replica's offset reaches the master's exactly
    (INFO is read on each node's own connection, and the master may add a PING to the
    stream meanwhile, so wait for equality rather than compare once)."""
    wait_until(
        lambda: replica.info()["master_repl_offset"] == master.info()["master_repl_offset"],
        10,
        f"replica {replica.port} at master {master.port}'s offset",
    )


def test_redis_server_replicates_from_splitbrain(group: Group) -> None:
    master = group.ours("m")
    _fill(master)
    replica = group.real("redis-r")
    replica.replicaof(master)
    replica.wait_link_up()
    assert replica.dataset() == master.dataset()
    assert 0 < replica.client.pttl("ttl") <= 10**8
    _stream_more(master)
    assert master.client.execute_command("WAIT", 1, 5000) == 1  # redis-server's ACK
    assert replica.dataset() == master.dataset()
    _offsets_meet(replica, master)


def test_splitbrain_replicates_from_redis_server(group: Group) -> None:
    master = group.real("redis-m", "--repl-diskless-sync-delay", "0")  # $EOF: transfer
    _fill(master)
    replica = group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up(timeout=20)
    assert replica.dataset() == master.dataset()
    assert 0 < replica.client.pttl("ttl") <= 10**8
    _stream_more(master)
    assert master.client.execute_command("WAIT", 1, 5000) == 1  # our ACK
    assert replica.dataset() == master.dataset()
    _offsets_meet(replica, master)
