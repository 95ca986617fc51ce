"""Blocked clients and subscribers with several connections, on redis-server 7.0 and on
splitbrain-server side by side: CLIENT UNBLOCK, CLIENT LIST flags, what is written to the
AOF when a blocked client is served (the non-blocking equivalents), -UNBLOCKED when the
server turns replica, and PUBLISH reaching a standalone replica's subscribers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.nodes.differential.conftest import ServerPair, start_pair
from tests.nodes.differential.conns import Conn, client_field, wait_blocked
from tests.support.servers import ServerProcess, redis_server, splitbrain_server, wait_until

pytestmark = pytest.mark.redis


def _both(pair: ServerPair) -> tuple[int, int]:
    return pair.theirs.port, pair.ours.port


def _scenario_unblock(port: int) -> list[bytes]:
    """Replies seen by a blocked client unblocked with TIMEOUT, then with ERROR."""
    waiter, admin = Conn(port), Conn(port)
    try:
        cid = int(waiter.call("CLIENT", "ID").value or b"0")
        seen: list[bytes] = []
        for mode in ("TIMEOUT", "ERROR"):
            waiter.send("BRPOPLPUSH", "src", "dst", 0)
            wait_blocked(port)
            line = admin.call("CLIENT", "LIST", "ID", cid).value or b""
            seen.append(client_field(line, b"flags"))
            seen.append(admin.call("CLIENT", "UNBLOCK", cid, mode).raw)
            seen.append(waiter.read().raw)
        seen.append(admin.call("CLIENT", "UNBLOCK", cid).raw)
        seen.append(admin.call("CLIENT", "UNBLOCK", admin_id(admin)).raw)
        waiter.call("SUBSCRIBE", "a")
        waiter.call("PSUBSCRIBE", "b*")
        line = admin.call("CLIENT", "LIST", "ID", cid).value or b""
        seen += [client_field(line, f) for f in (b"flags", b"sub", b"psub", b"ssub")]
        return seen
    finally:
        waiter.close()
        admin.close()


def admin_id(conn: Conn) -> int:
    return int(conn.call("CLIENT", "ID").value or b"0")


def test_client_unblock_and_client_list_flags(server_pair: ServerPair) -> None:
    theirs, ours = (_scenario_unblock(p) for p in _both(server_pair))
    assert ours == theirs


def _aof_commands(data: bytes) -> list[list[bytes]]:
    """The commands in an AOF (a RESP multibulk stream)."""
    out: list[list[bytes]] = []
    pos = 0
    while pos < len(data):
        assert data[pos : pos + 1] == b"*", data[pos : pos + 40]
        end = data.index(b"\r\n", pos)
        count = int(data[pos + 1 : end])
        pos = end + 2
        argv = []
        for _ in range(count):
            end = data.index(b"\r\n", pos)
            size = int(data[pos + 1 : end])
            argv.append(data[end + 2 : end + 2 + size])
            pos = end + 2 + size + 2
        out.append(argv)
    return out


def _serve_blocked_clients(port: int) -> None:
    """Every blocking command blocks, then is served by a push from another client."""
    waiter, pusher = Conn(port), Conn(port)
    try:
        cases = [
            (("BLPOP", "q", 0), ("RPUSH", "q", "a", "b")),
            (("BRPOP", "q1", "q2", 0), ("LPUSH", "q2", "c")),
            (("BLMOVE", "s", "d", "RIGHT", "LEFT", 0), ("RPUSH", "s", "1", "2")),
            (("BRPOPLPUSH", "s2", "d", 0), ("RPUSH", "s2", "3")),
            (("BLMPOP", 0, 1, "m", "RIGHT", "COUNT", 5), ("RPUSH", "m", "x", "y")),
            (("BZPOPMIN", "z", 0), ("ZADD", "z", 1, "a", 2, "b")),
            (("BZMPOP", 0, 1, "z2", "MAX", "COUNT", 3), ("ZADD", "z2", 1, "a", 2, "b")),
            (("XREAD", "BLOCK", 0, "STREAMS", "st", "$"), ("XADD", "st", "1-1", "f", "v")),
            (
                ("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "gst", ">"),
                ("XADD", "gst", "2-1", "f", "v"),
            ),
        ]
        pusher.call("XGROUP", "CREATE", "gst", "g", "$", "MKSTREAM")
        for blocking, push in cases:
            waiter.send(*blocking)
            wait_blocked(port)
            pusher.call(*push)
            waiter.read()
        # served immediately (no blocking): rewritten the same way
        waiter.call("BLPOP", "q", 0)
        waiter.call("BLMOVE", "d", "d", "LEFT", "RIGHT", 0)
        waiter.call("BZMPOP", 0, 1, "z", "MIN")
    finally:
        waiter.close()
        pusher.close()


@pytest.fixture
def aof_pair(tmp_path: Path) -> Iterator[ServerPair]:
    args = ("--save", "", "--appendonly", "yes", "--appendfsync", "always")
    yield from start_pair(tmp_path, redis_args=args, our_args=args)


def _incr_aof(server: ServerProcess) -> bytes:
    """The commands logged since start-up: the multi-part AOF's incr files (both
    servers write redis 7.0's layout)."""
    return b"".join(p.read_bytes() for p in sorted(server.workdir.glob("**/*.incr.aof")))


def test_served_blocked_clients_are_propagated_as_non_blocking_commands(
    aof_pair: ServerPair,
) -> None:
    for port in _both(aof_pair):
        _serve_blocked_clients(port)

    def commands(data: bytes) -> list[list[bytes]]:
        """The logged commands, XCLAIM's delivery TIME (a clock reading) masked."""
        out = []
        for logged in _aof_commands(data):
            name = logged[0].upper()
            if name == b"SELECT":
                continue
            shown = list(logged)
            if name == b"XCLAIM" and b"TIME" in shown:
                shown[shown.index(b"TIME") + 1] = b"<time>"
            out.append(shown)
        return out

    theirs = commands(_incr_aof(aof_pair.theirs))
    ours = commands(_incr_aof(aof_pair.ours))
    assert ours == theirs
    assert [b"LPOP", b"q"] in ours and [b"LMOVE", b"s", b"d", b"right", b"left"] in ours
    assert any(c[0] == b"XCLAIM" for c in ours), ours


def _unblocked_by_replicaof(port: int, master_port: int) -> tuple[bytes, bool]:
    waiter, admin = Conn(port), Conn(port)
    try:
        waiter.send("BLPOP", "k", 0)
        wait_blocked(port)
        admin.call("REPLICAOF", "127.0.0.1", master_port)
        reply = waiter.read().raw
        try:
            closed = waiter.sock.recv(1) == b""
        except ConnectionResetError:
            closed = True
        admin.call("REPLICAOF", "NO", "ONE")
        return reply, closed
    finally:
        waiter.close()
        admin.close()


def test_turning_replica_unblocks_with_unblocked_and_closes(
    server_pair: ServerPair, tmp_path: Path
) -> None:
    master = redis_server(tmp_path / "master", args=("--save", "")).start()
    try:
        theirs = _unblocked_by_replicaof(server_pair.theirs.port, master.port)
        ours = _unblocked_by_replicaof(server_pair.ours.port, master.port)
    finally:
        master.stop()
    assert theirs == (
        b"-UNBLOCKED force unblock from blocking operation, instance state changed "
        b"(master -> replica?)\r\n",
        True,
    )
    assert ours == theirs


def test_publish_reaches_subscribers_of_a_standalone_replica(tmp_path: Path) -> None:
    master = splitbrain_server(tmp_path / "m", args=("--save", "")).start()
    replica = splitbrain_server(
        tmp_path / "r", args=("--save", "", "--replicaof", "127.0.0.1", str(master.port))
    ).start()
    try:
        wait_until(
            lambda: (
                b"master_link_status:up"
                in (Conn(replica.port).call("INFO", "replication").value or b"")
            ),
            20,
            "the replica's link up",
        )
        sub = Conn(replica.port)
        sub.call("SUBSCRIBE", "c")
        assert Conn(master.port).call("PUBLISH", "c", "hi").raw == b":0\r\n"
        assert sub.read().raw == b"*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n"
        sub.close()
    finally:
        replica.stop()
        master.stop()


def _slow_subscriber_dropped(port: int) -> bool:
    """A subscriber that never reads is disconnected once its output passes the
    ``pubsub`` class hard limit (1 MB here): PUBSUB NUMSUB drops to 0."""
    admin, sub = Conn(port), Conn(port)
    try:
        admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0")
        sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sub.call("SUBSCRIBE", "flood")
        payload = "x" * 100_000
        for _ in range(400):  # at most 40 MB, far beyond any socket buffer
            admin.call("PUBLISH", "flood", payload)
            numsub = admin.call("PUBSUB", "NUMSUB", "flood")
            if numsub.items[1].raw == b":0\r\n":
                return True
        return False
    finally:
        admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60")
        admin.close()
        sub.close()


def test_a_slow_subscriber_is_disconnected_by_the_pubsub_output_limit(
    server_pair: ServerPair,
) -> None:
    assert _slow_subscriber_dropped(server_pair.theirs.port)
    assert _slow_subscriber_dropped(server_pair.ours.port)
