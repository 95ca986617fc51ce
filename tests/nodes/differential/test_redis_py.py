"""redis-py (RESP2 and RESP3) gets the same Python values from splitbrain-server as from
redis-server 7.0 for the collection commands: its reply callbacks (floats for scores,
sets for SMEMBERS, dicts for HGETALL, tuples for WITHSCORES) see nothing different."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis

from tests.nodes.differential.conftest import ServerPair

pytestmark = pytest.mark.redis

Call = Callable[[redis.Redis], object]

CALLS: list[tuple[str, Call]] = [
    ("rpush", lambda r: r.rpush("l", "a", "b", "c", "d")),
    ("lpush", lambda r: r.lpush("l", "z")),
    ("lrange", lambda r: r.lrange("l", 0, -1)),
    ("lindex", lambda r: r.lindex("l", -1)),
    ("llen", lambda r: r.llen("l")),
    ("lpop", lambda r: r.lpop("l")),
    ("lpop count", lambda r: r.lpop("l", 2)),
    ("rpop count", lambda r: r.rpop("l", 5)),
    ("rpop missing", lambda r: r.rpop("l", 5)),
    ("sadd", lambda r: r.sadd("s", "x", "y", 3)),
    ("smembers", lambda r: r.smembers("s")),
    ("sismember", lambda r: r.sismember("s", "x")),
    ("scard", lambda r: r.scard("s")),
    ("srem", lambda r: r.srem("s", "x", "nope")),
    ("hset", lambda r: r.hset("h", mapping={"f": "1", "g": "v"})),
    ("hget", lambda r: r.hget("h", "g")),
    ("hgetall", lambda r: r.hgetall("h")),
    ("hincrby", lambda r: r.hincrby("h", "f", 41)),
    ("hlen", lambda r: r.hlen("h")),
    ("hdel", lambda r: r.hdel("h", "g", "nope")),
    ("zadd", lambda r: r.zadd("z", {"a": 1.1, "b": 2, "c": float("inf"), "d": -0.5})),
    ("zadd incr", lambda r: r.zadd("z", {"a": 0.25}, incr=True)),
    ("zadd nx incr", lambda r: r.zadd("z", {"a": 1}, nx=True, incr=True)),
    ("zadd gt ch", lambda r: r.zadd("z", {"b": 5, "e": 1}, gt=True, ch=True)),
    ("zscore", lambda r: r.zscore("z", "a")),
    ("zscore missing", lambda r: r.zscore("z", "nope")),
    ("zrank", lambda r: r.zrank("z", "b")),
    ("zcard", lambda r: r.zcard("z")),
    ("zrange", lambda r: r.zrange("z", 0, -1)),
    ("zrange withscores", lambda r: r.zrange("z", 0, -1, withscores=True)),
    ("zrange desc", lambda r: r.zrange("z", 0, 1, desc=True, withscores=True)),
    (
        "zrange byscore",
        lambda r: r.zrange("z", "(1", "+inf", byscore=True, offset=0, num=2, withscores=True),
    ),
    ("zrem", lambda r: r.zrem("z", "a", "nope")),
    ("zadd lex", lambda r: r.zadd("lex", {"a": 0, "b": 0, "c": 0})),
    ("zrange bylex", lambda r: r.zrange("lex", "[b", "+", bylex=True)),
    ("type", lambda r: [r.type(k) for k in ("l", "s", "h", "z", "nope")]),
]


@pytest.mark.parametrize("protocol", [2, 3])
def test_redis_py_sees_the_same_values(server_pair: ServerPair, protocol: int) -> None:
    clients = [
        redis.Redis(port=p.port, protocol=protocol) for p in (server_pair.theirs, server_pair.ours)
    ]
    try:
        for c in clients:
            c.flushall()
        for name, call in CALLS:
            theirs, ours = call(clients[0]), call(clients[1])
            assert ours == theirs, f"{name}: redis-server {theirs!r}, splitbrain {ours!r}"
    finally:
        for c in clients:
            c.close()
