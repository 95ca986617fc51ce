"""CLIENT KILL with several connections, on redis-server 7.0 and splitbrain-server side
by side: each scenario runs on both and what it saw (replies, which connections were
closed, what CLIENT LIST shows after) must be the same. Addresses and ids differ between
the servers, so each run reads its own from CLIENT INFO."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.nodes.differential.conftest import ServerPair, start_pair
from tests.nodes.differential.conns import Conn, client_field

pytestmark = pytest.mark.redis


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[ServerPair]:
    """A fresh pair: the kill counts depend on every connection the servers have."""
    yield from start_pair(tmp_path)


def _closed(conn: Conn) -> str:
    """``closed`` when the server dropped ``conn``, else its PING reply."""
    try:
        return conn.call("PING").text()
    except ConnectionError:
        return "closed"
    finally:
        conn.close()


def _me(conn: Conn, name: bytes) -> str:
    line = conn.call("CLIENT", "INFO").value or b""
    return client_field(line, name).decode()


def _kill_scenario(port: int) -> list[str]:
    seen: list[str] = []
    admin = Conn(port)
    try:
        # The old form: by peer address, +OK or an error.
        victim = Conn(port)
        seen.append(admin.call("CLIENT", "KILL", _me(victim, b"addr")).text())
        seen.append(_closed(victim))
        seen.append(admin.call("CLIENT", "KILL", "127.0.0.1:1").text())
        # Filters: ADDR, ID, TYPE, LADDR (with SKIPME), USER.
        victim = Conn(port)
        seen.append(admin.call("CLIENT", "KILL", "ADDR", _me(victim, b"addr")).text())
        seen.append(_closed(victim))
        victim = Conn(port)
        seen.append(admin.call("CLIENT", "KILL", "ID", _me(victim, b"id")).text())
        seen.append(_closed(victim))
        subscriber, bystander = Conn(port), Conn(port)
        subscriber.call("SUBSCRIBE", "ch")
        seen.append(admin.call("CLIENT", "KILL", "TYPE", "pubsub").text())
        seen.append(_closed(subscriber))
        seen.append(admin.call("CLIENT", "KILL", "TYPE", "master").text())
        seen.append(admin.call("CLIENT", "KILL", "TYPE", "replica").text())
        laddr = _me(admin, b"laddr")
        seen.append(admin.call("CLIENT", "KILL", "LADDR", laddr, "SKIPME", "yes").text())
        seen.append(_closed(bystander))
        seen.append(str((admin.call("CLIENT", "LIST").value or b"").count(b"\n")))
        # A client may kill itself (SKIPME no): the reply comes first, then the close.
        others = [Conn(port) for _ in range(2)]
        for other in others:
            other.call("PING")
        seen.append(admin.call("CLIENT", "KILL", "USER", "default", "SKIPME", "no").text())
        seen.append(_closed(admin))
        seen += [_closed(other) for other in others]
        # Errors, checked in argument order.
        admin = Conn(port)
        for args in (
            ("ID", "0"),
            ("ID", "x"),
            ("TYPE", "nobody"),
            ("USER", "nobody"),
            ("SKIPME", "maybe"),
            ("ID", "1", "TYPE"),
            ("FOO", "bar"),
            ("ID", "999999", "SKIPME", "no"),
            ("ADDR", "1.2.3.4:5", "TYPE", "x"),
        ):
            seen.append(admin.call("CLIENT", "KILL", *args).text())
        line = (admin.call("CLIENT", "INFO").value or b"").decode()
        seen.append(admin.call("CLIENT", "KILL", _me(admin, b"addr")).text())
        seen.append(_closed(admin))
        assert "addr=" in line
        return seen
    finally:
        admin.close()


def test_client_kill_matches_redis(pair: ServerPair) -> None:
    theirs = _kill_scenario(pair.theirs.port)
    ours = _kill_scenario(pair.ours.port)
    assert ours == theirs
    assert theirs.count("closed") >= 6, theirs
