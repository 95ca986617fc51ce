"""Lists, sets, hashes and sorted sets survive a SIGKILL (AOF replay, appendfsync always)
and an AOF rewrite (BGREWRITEAOF), with replies byte-identical before and after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.nodes.differential.framing import Reply
from tests.nodes.differential.runner import Session, cmd
from tests.support.servers import ServerProcess, splitbrain_server

pytestmark = pytest.mark.redis


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


def _populate(r: redis.Redis) -> None:
    r.rpush("list", "a", "b", "", "1", "x" * 100)
    r.lpush("list", "head")
    r.lpop("list")
    r.rpop("list", 1)
    r.sadd("ints", 5, 3, -1, 100)
    r.sadd("words", "a", "b", "c", "1")
    r.srem("words", "b")
    r.hset("hash", mapping={"f1": "v1", "f2": "v2", "n": "1"})
    r.hincrby("hash", "n", 41)
    r.hdel("hash", "f1")
    r.hset("hash", "f1", "again")
    r.zadd("zset", {"a": 1.1, "b": 0.1, "c": float("inf"), "d": -2, "e": 1e-320})
    r.zadd("zset", {"a": 5}, xx=True)
    r.zadd("zset", {"b": 0.5}, incr=True)
    r.zrem("zset", "d")
    r.zadd("big", {f"m{i:03d}": i % 7 for i in range(300)})
    r.zadd("lex", {m: 0 for m in ("a", "b", "ab", "", "zz")})
    r.sadd("manyints", *range(700))


def _snapshot(port: int) -> dict[str, bytes]:
    """Raw reply bytes of reads over every key (hash-ordered replies sorted)."""
    session = Session(port)
    try:
        out: dict[str, bytes] = {}
        for args in (
            ("LRANGE", "list", "0", "-1"),
            ("SMEMBERS", "ints"),
            ("HGETALL", "hash"),
            ("ZRANGE", "zset", "0", "-1", "WITHSCORES"),
            ("ZRANGE", "big", "0", "-1", "WITHSCORES"),
            ("ZRANGE", "lex", "-", "+", "BYLEX"),
            ("SCARD", "manyints"),
            ("TYPE", "words"),
            ("KEYS", "*"),
            ("SMEMBERS", "words"),
        ):
            reply = session.call(cmd(*args))
            assert isinstance(reply, Reply), reply
            hashed = args[0] == "KEYS" or args[1] == "words"
            out[" ".join(args)] = (
                b"".join(sorted(i.raw for i in reply.items)) if hashed else reply.raw
            )
        return out
    finally:
        session.close()


def test_collections_survive_sigkill_and_rewrite(aof_server: ServerProcess) -> None:
    r = redis.Redis(port=aof_server.port)
    _populate(r)
    r.close()
    before = _snapshot(aof_server.port)
    assert before["SMEMBERS ints"] == b"*4\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n$3\r\n100\r\n"
    aof_server.kill()
    aof_server.start()
    assert _snapshot(aof_server.port) == before, "AOF replay after SIGKILL changed the data"

    session = Session(aof_server.port)
    reply = session.call(cmd("BGREWRITEAOF"))
    session.close()
    assert isinstance(reply, Reply) and reply.kind == "+", reply
    bases = list(aof_server.workdir.rglob("*.base.*"))
    assert len(bases) == 1
    rewritten = b"".join(p.read_bytes() for p in aof_server.workdir.rglob("*.aof*"))
    assert b"ZREM" not in rewritten
    if bases[0].suffix == ".aof":
        assert b"ZADD" in rewritten and b"SADD" in rewritten
    else:
        assert bases[0].read_bytes().startswith(b"REDIS0010")
    aof_server.stop()
    aof_server.start()
    assert _snapshot(aof_server.port) == before, "AOF rewrite changed the data"
