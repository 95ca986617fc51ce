"""CLIENT KILL and CLIENT TRACKING REDIRECT with several connections, on redis-server
7.0 and splitbrain-server side by side: each scenario runs on both and what it saw
(replies, messages, which connections were closed, what CLIENT LIST / INFO show) must be
the same. Addresses and ids differ between the servers, so each run reads its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.nodes.differential.conftest import ServerPair, start_pair
from tests.nodes.differential.conns import Conn, client_field, info_field, wait_blocked
from tests.nodes.differential.runner import cmd
from tests.support.servers import wait_until

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
        # Pipelined: the CLIENT LIST right behind the kill no longer shows the victim.
        admin.sock.sendall(
            cmd("CLIENT", "KILL", "ID", _me(victim, b"id")).request()
            + cmd("CLIENT", "LIST").request()
        )
        seen.append(admin.read().text())
        seen.append(str((admin.read().value or b"").count(b"\n")))
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


def _cid(conn: Conn) -> int:
    return int(conn.call("CLIENT", "ID").value or b"0")


def _gone(port: int, cid: int) -> bool:
    conn = Conn(port)
    try:
        listing = conn.call("CLIENT", "LIST").value or b""
    finally:
        conn.close()
    return b"id=%d " % cid not in listing


def _redirect_scenario(port: int) -> list[str]:
    """CLIENT TRACKING REDIRECT to a RESP2 subscriber, a RESP3 client, a RESP2 client
    without subscriptions and a client that went away; keys read by a script or in a
    transaction are tracked for the caller. Client ids show as ``<id>``."""
    seen: list[str] = []
    writer, sub, resp3, plain, gone = (Conn(port) for _ in range(5))
    trackers = [Conn(port) for _ in range(5)]
    try:
        ids = {name: _cid(c) for name, c in (("sub", sub), ("resp3", resp3), ("plain", plain))}
        gone_id = _cid(gone)

        def show(text: str) -> str:
            for cid in (*ids.values(), gone_id):
                text = text.replace(f":{cid}\\r", ":<id>\\r")
            return text

        sub.call("SUBSCRIBE", "__redis__:invalidate")
        resp3.call("HELLO", "3")
        t_sub, t_resp3, t_plain, t_gone, t_script = trackers
        for tracker, target in ((t_sub, "sub"), (t_resp3, "resp3"), (t_plain, "plain")):
            seen.append(tracker.call("CLIENT", "TRACKING", "ON", "REDIRECT", ids[target]).text())
            seen.append(show(tracker.call("CLIENT", "GETREDIR").text()))
            tracker.call("GET", f"key-{target}")
            writer.call("SET", f"key-{target}", "v")
        seen.append(sub.read().text())
        seen.append(resp3.read().text())
        seen.append(plain.call("PING").text())
        seen.append(
            t_sub.call("CLIENT", "TRACKING", "ON", "REDIRECT", ids["sub"], "REDIRECT", 1).text()
        )
        # The redirect target goes away: the tracking client is told so (RESP3).
        t_gone.call("HELLO", "3")
        t_gone.call("CLIENT", "TRACKING", "ON", "REDIRECT", gone_id)
        t_gone.call("GET", "key-gone")
        gone.close()
        wait_until(lambda: _gone(port, gone_id), 10, f"client {gone_id} gone on {port}")
        writer.call("SET", "key-gone", "v")
        seen.append(show(t_gone.read().text()))
        info = t_gone.call("CLIENT", "INFO").value or b""
        seen += [client_field(info, b"flags").decode(), show(t_gone.call("PING").text())]
        seen.append(show(t_gone.call("CLIENT", "TRACKINGINFO").text()))
        # Keys a script or a transaction reads are the caller's.
        t_script.call("HELLO", "3")
        t_script.call("CLIENT", "TRACKING", "ON")
        seen.append(t_script.call("EVAL", "return redis.call('GET', 'u')", 0).text())
        seen.append(t_script.call("EVAL", "return redis.call('GET', KEYS[1])", 1, "s").text())
        t_script.call("MULTI")
        t_script.call("GET", "m")
        seen.append(t_script.call("EXEC").text())
        writer.call("MSET", "u", "0", "s", "1", "m", "2")
        seen.append(t_script.read().text())
        seen.append(t_script.read().text())
        info = t_script.call("CLIENT", "INFO").value or b""
        seen += [client_field(info, b"flags").decode(), client_field(info, b"redir").decode()]
        t_script.call("GET", "left")
        t_script.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p")
        seen.append(t_script.call("CLIENT", "TRACKING", "OFF").text())
        t_sub.call("CLIENT", "TRACKING", "OFF")
        t_resp3.send("BLPOP", "nothing", 30)  # blocked with a timeout until it closes
        wait_blocked(port)
        for section, name in (
            ("clients", b"tracking_clients"),
            ("clients", b"clients_in_timeout_table"),
            ("stats", b"tracking_total_keys"),
            ("stats", b"tracking_total_items"),
            ("stats", b"tracking_total_prefixes"),
        ):
            seen.append(f"{name.decode()}={info_field(port, section, name)!r}")
        return seen
    finally:
        for conn in (writer, sub, resp3, plain, gone, *trackers):
            conn.close()


def test_client_tracking_redirect_matches_redis(pair: ServerPair) -> None:
    theirs = _redirect_scenario(pair.theirs.port)
    ours = _redirect_scenario(pair.ours.port)
    assert ours == theirs
    assert any("invalidate" in line for line in theirs), theirs


def _paused_flags_scenario(port: int) -> list[str]:
    """A client held by CLIENT PAUSE shows the ``b`` flag and is released by UNPAUSE."""
    admin, held = Conn(port), Conn(port)
    try:
        cid = _cid(held)
        admin.call("CLIENT", "PAUSE", 100000, "WRITE")
        held.send("SET", "k", "v")
        wait_blocked(port)
        line = admin.call("CLIENT", "LIST", "ID", cid).value or b""
        seen = [client_field(line, b"flags").decode(), client_field(line, b"cmd").decode()]
        seen.append(admin.call("CLIENT", "UNPAUSE").text())
        seen.append(held.read().text())
        return seen
    finally:
        admin.close()
        held.close()


def test_a_paused_client_is_listed_as_blocked(pair: ServerPair) -> None:
    theirs = _paused_flags_scenario(pair.theirs.port)
    assert _paused_flags_scenario(pair.ours.port) == theirs
    assert theirs[0] == "b", theirs


def _flag_letters_scenario(port: int) -> list[str]:
    """CLIENT LIST flags with several at once, in redis's letter order."""
    a, b = Conn(port), Conn(port)
    try:
        cid = _cid(a)
        a.call("HELLO", "3")
        a.call("CLIENT", "TRACKING", "ON", "BCAST")
        a.call("SUBSCRIBE", "ch")
        a.call("WATCH", "w")
        a.call("MULTI")
        b.call("SET", "w", "changed")
        line = b.call("CLIENT", "LIST", "ID", cid).value or b""
        return [client_field(line, b"flags").decode(), client_field(line, b"redir").decode()]
    finally:
        a.close()
        b.close()


def test_client_list_flag_letters_match_redis(pair: ServerPair) -> None:
    theirs = _flag_letters_scenario(pair.theirs.port)
    assert _flag_letters_scenario(pair.ours.port) == theirs
    assert len(theirs[0]) > 3, theirs
