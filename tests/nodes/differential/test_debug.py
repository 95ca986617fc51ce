"""DEBUG beside redis-server 7.0, both started with ``enable-debug-command yes`` (a
protected option, so it cannot be set at run time): DIGEST and DIGEST-VALUE give redis's
hex for every type (redis's own tests compare a replica's digest with its primary's),
POPULATE makes redis's keys and values, PROTOCOL gives each RESP type's bytes, and the
errors are redis's."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from tests.nodes.differential.conftest import SAME_AS_REDIS, ServerPair, start_pair
from tests.nodes.differential.runner import Script, Step, both_protocols, cmd, report, run_pair

pytestmark = pytest.mark.redis

DEBUG_ON = ("--enable-debug-command", "yes")


@pytest.fixture(scope="module")
def debug_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPair]:
    yield from start_pair(tmp_path_factory.mktemp("debug"), DEBUG_ON, (*SAME_AS_REDIS, *DEBUG_ON))


def _every_type(rng: random.Random) -> list[Step]:
    """Steps that fill one key of each type, a few with an expiry."""
    members = [f"m{rng.randrange(10**6)}" for _ in range(rng.randrange(1, 40))]
    numbers = [str(rng.randrange(-1000, 1000)) for _ in range(rng.randrange(1, 20))]
    scores = [x for m in members for x in (str(rng.uniform(-1e6, 1e6)), m)]
    return [
        cmd("SET", "s", "hello"),
        cmd("SET", "n", "12345"),
        cmd("SET", "e", "expiring", "EX", "1000"),
        cmd("RPUSH", "l", *members),
        cmd("SADD", "set", *members),
        cmd("SADD", "ints", *numbers),
        cmd("HSET", "h", *[x for m in members for x in (m, m[::-1])]),
        cmd("ZADD", "z", *scores),
        cmd("ZADD", "zinf", "inf", "a", "-inf", "b", "0", "c", "1.5", "d"),
        cmd("ZADD", "big", *[x for i in range(200) for x in (str(i / 7), f"k{i}")]),
        cmd("PEXPIRE", "h", "500000"),
    ]


def _scripts(seed: int) -> list[Script]:
    rng = random.Random(seed)
    keys = ("s", "n", "e", "l", "set", "ints", "h", "z", "zinf", "big", "nokey")
    return [
        *both_protocols(
            "debug-digest",
            cmd("DEBUG", "DIGEST"),
            *_every_type(rng),
            cmd("DEBUG", "DIGEST"),
            cmd("DEBUG", "DIGEST-VALUE", *keys),
            cmd("DEBUG", "DIGEST-VALUE"),
            cmd("SELECT", "3"),
            cmd("SET", "s", "hello"),
            cmd("DEBUG", "DIGEST"),
            cmd("DEBUG", "DIGEST-VALUE", "s"),
            cmd("SELECT", "0"),
        ),
        *both_protocols(
            "debug-populate",
            cmd("DEBUG", "POPULATE", "20"),
            cmd("DEBUG", "POPULATE", "5", "pre"),
            cmd("DEBUG", "POPULATE", "5", "big", "20"),
            cmd("DEBUG", "POPULATE", "5", "small", "3"),
            cmd("SET", "key:3", "mine"),
            cmd("DEBUG", "POPULATE", "6"),
            cmd("GET", "key:3"),
            cmd("GET", "key:5"),
            cmd("GET", "big:4"),
            cmd("GET", "small:2"),
            cmd("DBSIZE"),
            cmd("DEBUG", "DIGEST"),
            cmd("DEBUG", "POPULATE", "-1"),
            cmd("DEBUG", "POPULATE", "x"),
            cmd("DEBUG", "POPULATE", "1", "p", "-2"),
            cmd("DEBUG", "POPULATE", "1", "p", "2", "extra"),
        ),
        *both_protocols(
            "debug-protocol",
            *(
                cmd("DEBUG", "PROTOCOL", name)
                for name in (
                    "string",
                    "integer",
                    "double",
                    "bignum",
                    "null",
                    "array",
                    "set",
                    "map",
                    "attrib",
                    "true",
                    "false",
                    "verbatim",
                    "nosuch",
                )
            ),
        ),
        *both_protocols(
            "debug-errors",
            cmd("DEBUG", "ERROR", "MYERR something\r\nhappened"),
            cmd("DEBUG", "NOSUCH"),
            cmd("DEBUG", "SLEEP"),
            cmd("DEBUG", "OBJECT", "nokey"),
            cmd("DEBUG", "RELOAD", "BADOPTION"),
            cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
            cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"),
            cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"),
            cmd("DEBUG", "DROP-CLUSTER-PACKET-FILTER", "x"),
            cmd("DEBUG", "DROP-CLUSTER-PACKET-FILTER", "-1"),
            cmd("DEBUG", "CLUSTERLINK", "KILL", "all", "abc"),
            cmd("DEBUG", "LOG", "hello"),
            cmd("DEBUG", "CHANGE-REPL-ID"),
            cmd("DEBUG", "REPLYBUFFER", "RESIZING", "1"),
            cmd("DEBUG", "REPLYBUFFER", "nosuch", "1"),
        ),
        *both_protocols(
            "debug-reload",
            cmd("SET", "a", "1"),
            cmd("RPUSH", "l", "x", "y"),
            cmd("DEBUG", "RELOAD"),
            cmd("GET", "a"),
            cmd("LRANGE", "l", "0", "-1"),
            cmd("DEBUG", "DIGEST"),
            cmd("SET", "b", "2"),
            cmd("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"),
            cmd("GET", "b"),
            cmd("DEBUG", "RELOAD", "NOSAVE"),
            cmd("GET", "b"),
            cmd("DEBUG", "DIGEST"),
        ),
    ]


def test_debug_scripts_agree_with_redis(debug_pair: ServerPair, seed: int) -> None:
    for s in _scripts(seed):
        diffs = run_pair(s, debug_pair.theirs.port, debug_pair.ours.port)
        assert not diffs, report(s, diffs)


def test_debug_is_refused_without_enable_debug_command(server_pair: ServerPair) -> None:
    s = both_protocols("debug-refused", cmd("DEBUG", "DIGEST"), cmd("DEBUG", "HELP"))
    for one in s:
        diffs = run_pair(one, server_pair.theirs.port, server_pair.ours.port)
        assert not diffs, report(one, diffs)
