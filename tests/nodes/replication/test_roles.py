"""INFO replication field names against redis-server 7.0; promotion (REPLICAOF NO ONE)
keeping the old id as replid2 so a sibling continues partially; an old master's
divergent writes dropped by its full resync from the new master."""

from __future__ import annotations

import re
import socket

import pytest
import redis

from tests.nodes.replication.conftest import Group, Node
from tests.support.servers import REDIS_SERVER, free_port, wait_until

pytestmark = pytest.mark.slow


def _field_names(node: Node) -> list[str]:
    return [re.sub(r"^slave\d+$", "slaveN", name) for name in node.info()]


@pytest.mark.redis
def test_info_replication_field_names_match_redis(group: Group) -> None:
    if REDIS_SERVER is None:
        pytest.fail("redis-server missing: run make setup")
    fast = ("--repl-diskless-sync-delay", "0", "--min-replicas-to-write", "1")
    real_master = group.real("redis-m", *fast)
    real_replica = group.real("redis-r")
    real_replica.replicaof(real_master)
    real_replica.wait_link_up(timeout=20)
    wait_until(
        lambda: "state=online" in real_master.info().get("slave0", ""), 20, "redis replica online"
    )
    master = group.ours("m", "--min-replicas-to-write", "1")
    replica = group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up()
    assert _field_names(master) == _field_names(real_master)
    assert _field_names(replica) == _field_names(real_replica)
    slave0 = dict(item.split("=") for item in master.info()["slave0"].split(","))
    real_slave0 = dict(item.split("=") for item in real_master.info()["slave0"].split(","))
    assert list(slave0) == list(real_slave0)
    assert slave0["port"] == str(replica.port)
    # ROLE has the same shape on both.
    ours, real = (n.client.execute_command("ROLE") for n in (replica, real_replica))
    assert [type(x) for x in ours] == [type(x) for x in real]
    assert ours[3] == real[3] == b"connected"


def _three(group: Group) -> tuple[Node, Node, Node]:
    a = group.ours("a")
    b = group.ours("b")
    c = group.ours("c")
    for replica in (b, c):
        replica.replicaof(a)
    for replica in (b, c):
        replica.wait_link_up()
    return a, b, c


def test_promotion_keeps_replid2_and_a_sibling_continues(group: Group) -> None:
    a, b, c = _three(group)
    for i in range(100):
        a.client.set(f"k{i}", i)
    b.wait_offset(a)
    c.wait_offset(a)
    old_id = a.info()["master_replid"]
    offset = int(a.info()["master_repl_offset"])
    b.replicaof(None)
    info = b.info()
    assert info["role"] == "master"
    assert info["master_replid2"] == old_id
    assert info["master_replid"] != old_id
    assert int(info["second_repl_offset"]) == offset + 1
    c.replicaof(b)
    c.wait_link_up()
    b.client.set("after", "promotion")
    c.wait_offset(b)
    assert c.client.get("after") == b"promotion"
    assert c.client.dbsize() == 101
    assert "Partial resynchronization request from 127.0.0.1" in b.log()
    assert "Full resync requested" not in b.log()
    c_info = c.info()
    assert c_info["master_replid"] == info["master_replid"]
    assert c_info["master_replid2"] == old_id
    # The old master, without writes of its own since, continues partially too.
    a.replicaof(b)
    a.wait_link_up()
    a.wait_offset(b)
    assert a.client.get("after") == b"promotion"
    assert "Full resync requested" not in b.log()


def test_divergent_writes_on_the_old_master_are_dropped(group: Group) -> None:
    a, b, c = _three(group)
    a.client.set("common", "1")
    b.wait_offset(a)
    c.wait_offset(a)
    b.replicaof(None)
    c.replicaof(b)
    # The old master, not told yet, takes writes nobody else will ever see.
    a.client.set("divergent", "lost")
    a.client.set("common", "2")
    b.client.set("new", "x")
    a.replicaof(b)
    a.wait_link_up()
    a.wait_offset(b)
    assert a.client.get("divergent") is None
    assert a.client.get("common") == b"1"
    assert a.client.get("new") == b"x"
    assert "Full resync requested" in b.log()
    assert a.info()["master_replid"] == b.info()["master_replid"]
    c.wait_link_up()
    c.wait_offset(b)
    assert c.client.get("new") == b"x"


def test_chained_replicas_share_the_masters_offsets(group: Group) -> None:
    a = group.ours("a")
    b = group.ours("b")
    c = group.ours("c")
    b.replicaof(a)
    b.wait_link_up()
    c.replicaof(b)
    c.wait_link_up()
    for i in range(50):
        a.client.rpush("list", i)
    c.wait_offset(a)
    assert c.client.lrange("list", 0, -1) == [str(i).encode() for i in range(50)]
    assert c.info()["master_replid"] == a.info()["master_replid"]
    wait_until(  # INFO on other connections, a PING may be in flight: wait for equality
        lambda: c.info()["master_repl_offset"] == a.info()["master_repl_offset"],
        10,
        "the chained replica at the master's offset",
    )


def test_an_unreachable_master_leaves_the_link_down(group: Group) -> None:
    node = group.ours("n")
    node.client.execute_command("REPLICAOF", "127.0.0.1", str(free_port()))
    info = node.info()
    assert info["role"] == "slave"
    assert info["master_link_status"] == "down"
    assert info["master_link_down_since_seconds"] == "-1"
    assert node.client.execute_command("ROLE")[3] in (b"connect", b"connecting")
    with pytest.raises(redis.ResponseError, match="Invalid master port"):
        node.client.execute_command("REPLICAOF", "127.0.0.1", "nope")
    with socket.create_connection(("127.0.0.1", node.port), timeout=5) as raw:
        raw.sendall(b"PSYNC ? -1\r\n")
        assert raw.recv(100) == b"-NOMASTERLINK Can't SYNC while not connected with my master\r\n"
    node.replicaof(None)
    assert node.info()["role"] == "master"
    assert node.client.set("writable", "again")
