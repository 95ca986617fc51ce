"""INFO lists redis-server 7.0's fields, by name and in its order, in every default
section, with the AOF off and on: tools and redis's own tests read fields by name (the
cluster suite asserts ``dump_payload_sanitizations``), so a missing one reads as empty.
The values are each server's own state and are not compared."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import redis

from tests.nodes.differential.conftest import ServerPair, start_pair

pytestmark = pytest.mark.redis

SECTIONS = ("server", "clients", "memory", "persistence", "stats", "replication", "cpu",
            "cluster")  # fmt: skip


def _fields(port: int, section: str) -> list[str]:
    conn = redis.Redis(port=port, socket_timeout=10)
    conn.set_response_callback("INFO", lambda reply, **_: reply)  # the text, unparsed
    try:
        text = conn.execute_command("INFO", section)  # type: ignore[no-untyped-call]
    finally:
        conn.close()
    assert isinstance(text, bytes)
    lines = text.decode().split("\r\n")
    return [line.split(":", 1)[0] for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module", params=["no", "yes"], ids=["aof-off", "aof-on"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerPair]:
    args = ("--save", "", "--appendonly", request.param)
    yield from start_pair(tmp_path_factory.mktemp("info"), args, args)


@pytest.mark.parametrize("section", SECTIONS)
def test_info_section_lists_redis_fields(pair: ServerPair, section: str) -> None:
    theirs = _fields(pair.theirs.port, section)
    assert theirs, f"redis-server printed no {section} fields"
    assert _fields(pair.ours.port, section) == theirs


def _text(port: int, *args: str) -> str:
    conn = redis.Redis(port=port, socket_timeout=10)
    conn.set_response_callback("INFO", lambda reply, **_: reply)
    try:
        reply = conn.execute_command(*args)  # type: ignore[no-untyped-call]
    finally:
        conn.close()
    return reply.decode() if isinstance(reply, bytes) else str(reply)


def _latencystats(port: int) -> dict[str, str]:
    lines = _text(port, "INFO", "latencystats").split("\r\n")
    assert lines[0] == "# Latencystats"
    return dict(line.split(":", 1) for line in lines[1:] if line)


def test_info_latencystats_names_each_command_with_its_percentiles(
    server_pair: ServerPair,
) -> None:
    """The same commands and the same percentile names as redis, each value an hdr
    bucket's top in µs with three decimals; the section is in ``all``, not in the
    default; RESETSTAT empties it, ``latency-tracking no`` hides it, and
    ``latency-tracking-info-percentiles`` chooses the percentiles."""
    pattern = re.compile(r"p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}")
    seen: list[dict[str, str]] = []
    for port in (server_pair.theirs.port, server_pair.ours.port):
        _text(port, "CONFIG", "RESETSTAT")
        for args in (("SET", "k", "v"), ("GET", "k"), ("CONFIG", "GET", "maxmemory")):
            _text(port, *args)
        stats = _latencystats(port)
        assert all(pattern.fullmatch(v) for v in stats.values()), stats
        seen.append(stats)
        assert "# Latencystats" not in _text(port, "INFO")
        assert "# Latencystats" in _text(port, "INFO", "all")
        _text(port, "CONFIG", "SET", "latency-tracking-info-percentiles", "0 99.99 100")
        _text(port, "SET", "k", "v")
        assert re.fullmatch(
            r"p0=\d+\.\d{3},p99\.99=\d+\.\d{3},p100=\d+\.\d{3}",
            _latencystats(port)["latency_percentiles_usec_set"],
        )
        _text(port, "CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9")
        _text(port, "CONFIG", "SET", "latency-tracking", "no")
        assert _latencystats(port) == {}
        _text(port, "CONFIG", "SET", "latency-tracking", "yes")
    theirs, ours = seen
    ours.pop("latency_percentiles_usec_client|setinfo", None)  # redis-py's handshake; 7.2's
    assert sorted(ours) == sorted(theirs)
    assert {"latency_percentiles_usec_set", "latency_percentiles_usec_config|get"} <= set(ours)
