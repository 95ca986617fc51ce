"""Shared pieces for the persistence tests: a dataset of every type and encoding, and a
canonical read of a whole server to compare ours with redis-server."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.servers import REDIS_SERVER

pytestmark = [pytest.mark.redis]

REDIS_CHECK_RDB = shutil.which("redis-check-rdb")
REDIS_CHECK_AOF = shutil.which("redis-check-aof")
needs_redis_tools = pytest.mark.skipif(
    REDIS_SERVER is None or REDIS_CHECK_RDB is None or REDIS_CHECK_AOF is None,
    reason="redis-server / redis-check-rdb / redis-check-aof not installed",
)


def connect(port: int) -> Any:
    """A redis-py client (typed ``Any``: redis-py's stubs are loose)."""
    return redis.Redis(port=port)


def fill(client: Any, rng: random.Random) -> None:
    """Keys of every type in every encoding redis 7.0 writes: int, short, LZF and
    large strings; quicklists of one and many nodes; intsets and hash-table sets;
    listpack and hash-table hashes; listpack and skiplist sorted sets; expiries."""
    client.set("s:int", "12345")
    client.set("s:bigint", "123456789012345")
    client.set("s:short", "hello")
    client.set("s:lzf", "abcabcabc" * 50)
    client.set("s:random", rng.randbytes(3000))
    client.set("s:large", b"x" * (1 << 21) + rng.randbytes(100))
    client.set("s:ttl", "v", px=600_000)
    client.rpush("l:small", "a", "1", "-70000", "b" * 100)
    client.rpush("l:big", *[rng.randbytes(rng.randint(0, 300)) for _ in range(400)])
    client.sadd("set:int", *[rng.randint(-(2**40), 2**40) for _ in range(50)])
    client.sadd("set:str", *[f"m{i}" for i in range(40)])
    client.sadd("set:bigint", *range(600))
    client.hset("h:small", mapping={f"f{i}": str(i * 7) for i in range(20)})
    client.hset("h:big", mapping={f"f{i}": "v" * (i % 90) for i in range(300)})
    client.zadd("z:small", {f"m{i}": rng.choice([i, i / 3, -i]) for i in range(30)})
    client.zadd("z:big", {f"m{i}": rng.random() * 1e6 for i in range(500)})
    client.pexpire("z:big", 900_000)


def snapshot(client: Any) -> dict[bytes, tuple[Any, ...]]:
    """Every key as (type, canonical value, has-ttl)."""
    out: dict[bytes, tuple[Any, ...]] = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        value: Any
        if kind == b"string":
            value = client.get(key)
        elif kind == b"list":
            value = tuple(client.lrange(key, 0, -1))
        elif kind == b"set":
            value = frozenset(client.smembers(key))
        elif kind == b"hash":
            value = tuple(sorted(client.hgetall(key).items()))
        elif kind == b"zset":
            value = tuple(client.zrange(key, 0, -1, withscores=True))
        else:
            value = kind
        out[key] = (kind, value, client.pttl(key) > 0)
    return out


def check_rdb(path: Path) -> subprocess.CompletedProcess[str]:
    assert REDIS_CHECK_RDB is not None
    return subprocess.run(
        [REDIS_CHECK_RDB, str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def check_aof(path: Path) -> subprocess.CompletedProcess[str]:
    assert REDIS_CHECK_AOF is not None
    return subprocess.run(
        [REDIS_CHECK_AOF, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
