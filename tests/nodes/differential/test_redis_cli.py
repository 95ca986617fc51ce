"""redis-cli prints the same thing for both servers: collection commands in its human
(``--no-raw``) format, over RESP2 and RESP3 (``-3``)."""

from __future__ import annotations

import subprocess

import pytest

from tests.nodes.differential.conftest import ServerPair
from tests.support.servers import REDIS_CLI

pytestmark = pytest.mark.redis

INVOCATIONS: list[tuple[str, ...]] = [
    ("RPUSH", "l", "a", "b", "1"),
    ("LRANGE", "l", "0", "-1"),
    ("LPOP", "l", "2"),
    ("LPOP", "nope", "2"),
    ("SADD", "s", "3", "1", "2"),
    ("SMEMBERS", "s"),
    ("HSET", "h", "f", "v", "g", "1"),
    ("HGETALL", "h"),
    ("HINCRBY", "h", "g", "x"),
    ("ZADD", "z", "1.1", "a", "inf", "b", "-2", "c"),
    ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    ("ZSCORE", "z", "a"),
    ("ZRANK", "z", "nope"),
    ("ZADD", "z", "INCR", "0.5", "a"),
    ("GET", "l"),
]


def _cli(port: int, resp3: bool, args: tuple[str, ...]) -> str:
    assert REDIS_CLI is not None
    argv = [REDIS_CLI, "-p", str(port), "--no-raw", *(["-3"] if resp3 else []), *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    return done.stdout + done.stderr


@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_redis_cli_prints_the_same(server_pair: ServerPair, resp3: bool) -> None:
    if REDIS_CLI is None:
        pytest.fail("redis-cli missing: run make setup")
    for server in (server_pair.theirs, server_pair.ours):
        _cli(server.port, resp3, ("FLUSHALL",))
    for args in INVOCATIONS:
        theirs = _cli(server_pair.theirs.port, resp3, args)
        ours = _cli(server_pair.ours.port, resp3, args)
        assert ours == theirs, f"redis-cli {' '.join(args)}: {theirs!r} vs {ours!r}"
