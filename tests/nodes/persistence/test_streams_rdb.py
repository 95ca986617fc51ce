"""Streams in redis's RDB format: a stream with consumer groups, pending entries,
tombstones and several nodes DUMPed by redis-server RESTOREs on ours and back with the
same bytes; dump.rdb files with streams load both ways (and pass redis-check-rdb); the
AOF (RDB or command base) brings a stream back after SIGKILL and BGREWRITEAOF."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.nodes.persistence.conftest import check_rdb, connect, needs_redis_tools
from tests.support.servers import ServerProcess, redis_server, splitbrain_server

pytestmark = [pytest.mark.redis, needs_redis_tools]


def build_streams(c: Any) -> None:
    """Streams that exercise every part of the encoding."""
    for i in range(1, 260):
        fields = {"f": i, "g": "x" * (i % 9)} if i % 50 else {"other": i}
        c.xadd("s", fields, id=f"{i}-{i % 3}")
    c.xadd("s", {"big": "y" * 3000}, id="300-0")
    c.xdel("s", "5-2", "6-0", "101-2", "300-0")
    c.xgroup_create("s", "g", id="0")
    c.xgroup_create("s", "empty", id="$", entries_read=7)
    c.xreadgroup("g", "alice", {"s": ">"}, count=6)
    c.xreadgroup("g", "bob", {"s": ">"}, count=3)
    c.xack("s", "g", "2-2")
    c.execute_command("XCLAIM", "s", "g", "carol", 0, "3-0", "TIME", 12345, "RETRYCOUNT", 4)
    c.execute_command("XGROUP", "CREATECONSUMER", "s", "g", "dave")
    c.xtrim("s", maxlen=240, approximate=False)
    c.xgroup_create("e", "g", id="$", mkstream=True)
    c.xadd("gone", {"a": 1}, id="1-1")
    c.xdel("gone", "1-1")


def _pairs(flat: list[Any]) -> dict[Any, Any]:
    return dict(zip(flat[0::2], flat[1::2], strict=True))


def stream_state(c: Any, key: str, *, seen_times: bool = True) -> list[Any]:
    """What must survive: the FULL XINFO (but the radix tree's shape, which a rewrite
    from commands may repack), the entries and the group summaries.
    ``seen_times=False``: without consumers' seen times (commands replayed from an AOF
    create the consumers anew, in redis too) nor delivery times (a replica applying an
    XCLAIM ... TIME clamps it to its own clock, so two replicas may differ by a tick)."""
    info = _pairs(c.execute_command("XINFO", "STREAM", key, "FULL", "COUNT", 0))
    info.pop(b"radix-tree-keys")
    info.pop(b"radix-tree-nodes")
    groups = [_pairs(g) for g in info.pop(b"groups")]
    for g in groups:
        g[b"consumers"] = [_pairs(consumer) for consumer in g[b"consumers"]]
        for consumer in g[b"consumers"]:
            if not seen_times:
                consumer.pop(b"seen-time")
                consumer[b"pending"] = [[p[0], p[2]] for p in consumer[b"pending"]]
        if not seen_times:
            g[b"pending"] = [[p[0], p[1], p[3]] for p in g[b"pending"]]
    return [info, groups, c.xrange(key), c.execute_command("XINFO", "GROUPS", key)]


KEYS = ("s", "e", "gone")


def test_a_redis_dump_restores_on_ours_and_back(tmp_path: Path) -> None:
    theirs = redis_server(tmp_path / "theirs").start()
    ours = splitbrain_server(tmp_path / "ours").start()
    try:
        a, b = connect(theirs.port), connect(ours.port)
        build_streams(a)
        for key in KEYS:
            payload = a.dump(key)
            b.restore(key, 0, payload)
            assert b.dump(key) == payload, f"{key}: our DUMP differs from redis's"
            a.restore(key + ":back", 0, b.dump(key))
            assert stream_state(a, key + ":back") == stream_state(a, key)
            assert stream_state(b, key) == stream_state(a, key)
            full = (b"XINFO", b"STREAM", key, b"FULL")
            assert b.execute_command(*full) == a.execute_command(*full)
        b.xadd("s", {"after": 1}, id="400-0")
        a.xadd("s", {"after": 1}, id="400-0")
        assert b.dump("s") == a.dump("s"), "appending after a RESTORE fills nodes alike"
    finally:
        ours.stop()
        theirs.stop()


def test_dump_rdb_with_streams_loads_both_ways(tmp_path: Path) -> None:
    ours = splitbrain_server(tmp_path / "ours").start()
    try:
        client = connect(ours.port)
        build_streams(client)
        want = {key: stream_state(client, key) for key in KEYS}
        assert client.save() is True
    finally:
        ours.stop()
    check = check_rdb(tmp_path / "ours" / "dump.rdb")
    assert check.returncode == 0, check.stdout + check.stderr
    (tmp_path / "theirs").mkdir()
    shutil.copy(tmp_path / "ours" / "dump.rdb", tmp_path / "theirs" / "dump.rdb")
    theirs = redis_server(tmp_path / "theirs").start()
    try:
        client = connect(theirs.port)
        assert {key: stream_state(client, key) for key in KEYS} == want
        client.xadd("s", {"more": 1}, id="500-0")
        want["s"] = stream_state(client, "s")
        assert client.save() is True
    finally:
        theirs.stop()
    shutil.copy(tmp_path / "theirs" / "dump.rdb", tmp_path / "ours" / "dump.rdb")
    ours = splitbrain_server(tmp_path / "ours").start()
    try:
        client = connect(ours.port)
        assert {key: stream_state(client, key) for key in KEYS} == want
    finally:
        ours.stop()


@pytest.fixture(params=["no", "yes"], ids=["commands-base", "rdb-base"])
def aof_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    args = ("--appendonly", "yes", "--appendfsync", "always")
    server = splitbrain_server(
        tmp_path / "aof", args=(*args, "--aof-use-rdb-preamble", request.param)
    ).start()
    try:
        yield server
    finally:
        server.stop()


def test_streams_survive_sigkill_and_rewrite(aof_server: ServerProcess) -> None:
    client = connect(aof_server.port)
    build_streams(client)
    for i in range(250):
        client.xadd("t", {"n": i})
    client.xadd("t", {"auto": 1}, maxlen=120, approximate=True)
    client.xtrim("t", minid="0-1", approximate=True)
    client.execute_command("XADD", "t", "MAXLEN", "~", 10, "LIMIT", 100, "*", "limited", 1)
    client.xautoclaim("s", "g", "erin", 0, "0", count=2)
    # A rewrite from commands keeps no pending entry whose message is gone (redis's
    # XCLAIM FORCE skips them too): XAUTOCLAIM drops those first.
    client.xautoclaim("s", "g", "erin", 0, "0", count=100)
    keys = (*KEYS, "t")
    before = {key: stream_state(client, key, seen_times=False) for key in keys}
    client.close()
    aof_server.kill()
    aof_server.start()
    client = connect(aof_server.port)
    after = {key: stream_state(client, key, seen_times=False) for key in keys}
    assert after == before, "replay after SIGKILL"
    assert client.bgrewriteaof()
    client.close()
    aof_server.stop()
    aof_server.start()
    client = connect(aof_server.port)
    after = {key: stream_state(client, key, seen_times=False) for key in keys}
    assert after == before, "replay of the rewrite"
    client.close()
