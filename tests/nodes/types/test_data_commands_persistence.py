"""The data-type commands of issue 12 propagate what they did: after a SIGKILL the AOF
replays to the same dataset (including the random choices of SPOP, which propagates the
SREMs it made, and LMPOP/ZMPOP, HINCRBYFLOAT, GEOADD, SORT STORE, BITFIELD, PFADD)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.servers import ServerProcess, splitbrain_server

pytestmark = pytest.mark.redis


@pytest.fixture
def aof_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = splitbrain_server(
        tmp_path / "aof", args=("--appendonly", "yes", "--appendfsync", "always")
    ).start()
    try:
        yield server
    finally:
        server.stop()


def _populate(r: Any) -> None:
    def c(*args: Any) -> Any:
        return r.execute_command(*args)

    c("RPUSH", "l", *"abcdefgh")
    c("LMOVE", "l", "l2", "LEFT", "RIGHT")
    c("RPOPLPUSH", "l", "l2")
    c("LINSERT", "l", "BEFORE", "c", "X")
    c("LSET", "l", 0, "first")
    c("LTRIM", "l", 0, 4)
    c("LREM", "l", 1, "X")
    c("LMPOP", 2, "nokey", "l", "RIGHT", "COUNT", 2)
    c("SADD", "s", *range(20))
    c("SPOP", "s", 5)
    c("SPOP", "s")
    c("SMOVE", "s", "s2", 19)
    c("SUNIONSTORE", "s3", "s", "s2")
    c("SINTERSTORE", "s4", "s", "s3")
    c("SDIFFSTORE", "s5", "s3", "s")
    c("HSET", "h", "n", "1.5", "f", "v")
    c("HINCRBYFLOAT", "h", "n", "0.1")
    c("HSETNX", "h", "g", "w")
    c("HMSET", "h", "x", "y")
    c("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
    c("ZPOPMIN", "z")
    c("ZMPOP", 1, "z", "MAX", "COUNT", 2)
    c("ZUNIONSTORE", "zu", 2, "z", "s", "WEIGHTS", 2, 1)
    c("ZINTERSTORE", "zi", 2, "z", "zu", "AGGREGATE", "MAX")
    c("ZRANGESTORE", "zr", "zu", 0, 2)
    c("ZREMRANGEBYRANK", "zu", 0, 0)
    c("GEOADD", "geo", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania")
    c("GEOSEARCHSTORE", "geo2", "geo", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "STOREDIST")
    c("SETBIT", "bits", 100, 1)
    c("BITFIELD", "bits", "SET", "u8", 0, 200, "INCRBY", "i5", 8, 3)
    c("BITOP", "NOT", "bits2", "bits")
    c("SETRANGE", "str", 5, "tail")
    c("INCRBYFLOAT", "fl", "10.5")
    c("INCRBYFLOAT", "fl", "0.1")
    c("PFADD", "hll", *[f"e{i}" for i in range(100)])
    c("PFMERGE", "hll2", "hll")
    c("RPUSH", "tosort", 3, 1, 2)
    c("SORT", "tosort", "DESC", "STORE", "sorted")
    c("COPY", "sorted", "copied")
    c("RENAME", "copied", "renamed")
    c("SET", "ttl", "v", "EX", 1000)
    c("RENAME", "ttl", "ttl2")


def _snapshot(r: Any) -> dict[Any, Any]:
    out: dict[bytes, object] = {}
    for key in sorted(r.keys("*")):
        kind = r.type(key)
        if kind == b"string":
            value: object = r.get(key)
        elif kind == b"list":
            value = r.lrange(key, 0, -1)
        elif kind == b"set":
            value = sorted(r.smembers(key))
        elif kind == b"hash":
            value = sorted(r.hgetall(key).items())
        else:
            value = r.zrange(key, 0, -1, withscores=True)
        out[key] = (kind, value, r.ttl(key) > 0)
    return out


def test_new_commands_replay_to_the_same_dataset(aof_server: ServerProcess) -> None:
    r = redis.Redis(port=aof_server.port)
    _populate(r)
    before = _snapshot(r)
    r.close()
    assert before[b"sorted"] == (b"list", [b"3", b"2", b"1"], False)
    assert before[b"ttl2"][2], "RENAME keeps the TTL"
    aof_server.kill()
    aof_server.start()
    r = redis.Redis(port=aof_server.port)
    try:
        assert _snapshot(r) == before, "AOF replay after SIGKILL changed the data"
    finally:
        r.close()
