"""Streams replicate as redis 7.0 replicates them: XADD with the ID it generated, an
approximate trim as the exact one, XREADGROUP / XAUTOCLAIM as XCLAIMs, NOACK reads as
XGROUP SETID / CREATECONSUMER. A redis-server master feeds a redis-server replica and
ours, and they end identical; then our master feeds both kinds of replica alike."""

from __future__ import annotations

from typing import Any

import pytest

from tests.nodes.persistence.test_streams_rdb import build_streams, stream_state
from tests.nodes.replication.conftest import Group, Node
from tests.support.servers import REDIS_SERVER

pytestmark = [pytest.mark.slow, pytest.mark.redis]

KEYS = ("s", "e", "gone", "t", "n")


@pytest.fixture(autouse=True)
def _need_redis() -> None:
    if REDIS_SERVER is None:
        pytest.fail("redis-server missing: run make setup")


def _more(c: Any) -> None:
    """The writes whose propagation is not the command itself."""
    for i in range(300):
        c.xadd("t", {"n": i})
    c.xadd("t", {"auto": 1}, maxlen=120, approximate=True)
    c.xtrim("t", minid="0-1", approximate=True)
    c.execute_command("XADD", "t", "MAXLEN", "~", 100, "LIMIT", 200, "*", "limited", 1)
    c.execute_command("XTRIM", "t", "MINID", "~", "0-1", "LIMIT", 1000)
    c.xgroup_create("t", "g", id="0")
    c.xreadgroup("g", "c1", {"t": ">"}, count=5)
    c.xreadgroup("g", "c2", {"t": ">"}, count=5, noack=True)
    c.xreadgroup("g", "c3", {"t": "0"})
    c.xautoclaim("t", "g", "c4", 0, "0", count=3)
    c.xautoclaim("s", "g", "erin", 0, "0", count=100)
    c.execute_command("XCLAIM", "t", "g", "c5", 0, "1-0", "LASTID", "99999999999999-0")
    c.xgroup_setid("t", "g", "$", entries_read=3)
    c.xgroup_delconsumer("t", "g", "c3")
    c.xadd("n", {"a": 1}, id="5-5")
    c.xgroup_create("n", "x", id="$")
    c.xgroup_destroy("n", "x")
    c.execute_command("XSETID", "n", "9-9", "ENTRIESADDED", 10, "MAXDELETEDID", "1-0")
    c.xack("s", "g", "8-2", "9-0")


def _states(node: Node) -> dict[str, list[Any]]:
    return {key: stream_state(node.client, key, seen_times=False) for key in KEYS}


def _feed(master: Node, replicas: list[Node]) -> None:
    for replica in replicas:
        replica.replicaof(master)
    for replica in replicas:
        replica.wait_link_up()
    build_streams(master.client)
    _more(master.client)
    for replica in replicas:
        replica.wait_offset(master)


def test_a_redis_master_feeds_our_replica_like_its_own(group: Group) -> None:
    master = group.real("master")
    theirs = group.real("their-replica")
    ours = group.ours("our-replica")
    _feed(master, [theirs, ours])
    want = _states(theirs)
    assert _states(ours) == want
    assert want["t"][2] == master.client.xrange("t")


def test_our_master_feeds_both_replicas_alike(group: Group) -> None:
    master = group.ours("master")
    theirs = group.real("their-replica")
    ours = group.ours("our-replica")
    _feed(master, [theirs, ours])
    want = _states(theirs)
    assert _states(ours) == want
    assert {key: state[2] for key, state in want.items()} == {
        key: master.client.xrange(key) for key in KEYS
    }


def test_a_full_sync_carries_streams_to_both_kinds_of_replica(group: Group) -> None:
    master = group.ours("master")
    build_streams(master.client)
    _more(master.client)
    theirs = group.real("their-replica")
    ours = group.ours("our-replica")
    for replica in (theirs, ours):
        replica.replicaof(master)
    for replica in (theirs, ours):
        replica.wait_link_up()
        replica.wait_offset(master)
    want = {key: stream_state(master.client, key) for key in KEYS}
    assert {key: stream_state(theirs.client, key) for key in KEYS} == want
    assert {key: stream_state(ours.client, key) for key in KEYS} == want
