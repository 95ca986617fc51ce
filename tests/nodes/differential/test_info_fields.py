"""INFO lists redis-server 7.0's fields, by name and in its order, in every default
section, with the AOF off and on: tools and redis's own tests read fields by name (the
cluster suite asserts ``dump_payload_sanitizations``), so a missing one reads as empty.
The values are each server's own state and are not compared."""

from __future__ import annotations

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
