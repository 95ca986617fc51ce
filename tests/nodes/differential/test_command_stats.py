"""INFO commandstats and errorstats counted as redis-server 7.0 counts them, side by
side: the same requests on both servers give the same cmdstat lines (durations aside)
and the same errorstat lines, and the sections appear where redis puts them (errorstats
in the default INFO, commandstats only when asked or with ``all``)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
import redis

from tests.nodes.differential.conftest import ServerPair, start_pair

pytestmark = pytest.mark.redis

REQUESTS: tuple[tuple[str, ...], ...] = (
    ("SET", "a", "1"),
    ("LPUSH", "a", "x"),  # WRONGTYPE: a failed call
    ("GET",),  # wrong arity: a rejected call
    ("NOSUCHCOMMAND", "x"),  # unknown: an error, no command
    ("CONFIG", "NOSUCH"),  # unknown subcommand
    ("INCR", "a"),
    ("INCRBY", "a", "notanumber"),
    ("HSET", "h", "f", "v"),
    ("MULTI",),
    ("INCR", "a"),
    ("GET",),  # a rejected call inside MULTI flags the transaction
    ("EXEC",),  # EXECABORT
    ("MULTI",),
    ("INCR", "h"),  # WRONGTYPE inside EXEC
    ("EXEC",),
    ("EVAL", "return redis.error_reply('MYCODE something')", "0"),
    ("PING",),
)


def _run(port: int) -> tuple[str, str, str]:
    conn = redis.Redis(port=port, socket_timeout=10)
    conn.set_response_callback("INFO", lambda reply, **_: reply)
    try:
        conn.execute_command("CONFIG", "RESETSTAT")  # type: ignore[no-untyped-call]
        for request in REQUESTS:
            with contextlib.suppress(redis.ResponseError):
                conn.execute_command(*request)  # type: ignore[no-untyped-call]
        stats = conn.execute_command("INFO", "commandstats")  # type: ignore[no-untyped-call]
        errors = conn.execute_command("INFO", "errorstats")  # type: ignore[no-untyped-call]
        headings = conn.execute_command("INFO")  # type: ignore[no-untyped-call]
    finally:
        conn.close()
    return stats.decode(), errors.decode(), headings.decode()


def _without_durations(text: str) -> list[str]:
    lines = [line for line in text.split("\r\n") if line.startswith("cmdstat_")]
    lines = [re.sub(r"usec=\d+,usec_per_call=[\d.]+", "usec=*", line) for line in lines]
    return sorted(line for line in lines if not line.startswith(("cmdstat_config|resetstat",)))


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPair]:
    yield from start_pair(tmp_path_factory.mktemp("cmdstats"), ("--save", ""), ("--save", ""))


def test_commandstats_and_errorstats_match_redis(pair: ServerPair) -> None:
    their_stats, their_errors, their_info = _run(pair.theirs.port)
    our_stats, our_errors, our_info = _run(pair.ours.port)
    assert "cmdstat_lpush:calls=1,usec=*,rejected_calls=0,failed_calls=1" in _without_durations(
        their_stats
    )
    assert _without_durations(our_stats) == _without_durations(their_stats)
    assert our_errors == their_errors
    assert "errorstat_MYCODE:count=1" in our_errors
    headings = [line for line in their_info.split("\r\n") if line.startswith("#")]
    assert "# Errorstats" in headings and "# Commandstats" not in headings
    assert [line for line in our_info.split("\r\n") if line.startswith("#")] == headings
