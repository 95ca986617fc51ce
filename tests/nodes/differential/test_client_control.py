"""CLIENT KILL, PAUSE and UNPAUSE beside redis-server 7.0: the same errors byte for byte,
the same effect on other connections (a killed connection is closed, a paused write waits
until UNPAUSE or the timeout while reads go on), and on a replica, killing the master link
makes it reconnect."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any, cast

import pytest
import redis

from tests.nodes.differential.conftest import ServerPair
from tests.nodes.differential.runner import both_protocols, cmd, report, run_pair
from tests.support.servers import ServerProcess, splitbrain_server, wait_until

pytestmark = pytest.mark.redis


def test_errors_agree_with_redis(server_pair: ServerPair) -> None:
    scripts = both_protocols(
        "client-control-errors",
        cmd("CLIENT", "KILL"),
        cmd("CLIENT", "KILL", "1.2.3.4:5"),
        cmd("CLIENT", "KILL", "ID"),
        cmd("CLIENT", "KILL", "ID", "0"),
        cmd("CLIENT", "KILL", "ID", "x"),
        cmd("CLIENT", "KILL", "ID", "99999"),
        cmd("CLIENT", "KILL", "TYPE", "nosuch"),
        cmd("CLIENT", "KILL", "TYPE", "master"),
        cmd("CLIENT", "KILL", "TYPE", "pubsub"),
        cmd("CLIENT", "KILL", "USER", "nosuch"),
        cmd("CLIENT", "KILL", "SKIPME", "maybe"),
        cmd("CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "no"),
        cmd("CLIENT", "KILL", "LADDR", "1.2.3.4:5"),
        cmd("CLIENT", "KILL", "NOSUCH", "1"),
        cmd("CLIENT", "PAUSE"),
        cmd("CLIENT", "PAUSE", "x"),
        cmd("CLIENT", "PAUSE", "-1"),
        cmd("CLIENT", "PAUSE", "0", "sometimes"),
        cmd("CLIENT", "PAUSE", "0", "WRITE"),
        cmd("CLIENT", "PAUSE", "0", "WRITE", "extra"),
        cmd("CLIENT", "UNPAUSE"),
        cmd("CLIENT", "UNPAUSE", "extra"),
    )
    for s in scripts:
        diffs = run_pair(s, server_pair.theirs.port, server_pair.ours.port)
        assert not diffs, report(s, diffs)


def _conn(server: ServerProcess) -> redis.Redis:
    return redis.Redis(port=server.port, socket_timeout=10)


def _run(conn: redis.Redis, *args: object) -> Any:
    return conn.execute_command(*args)  # type: ignore[no-untyped-call]


def _info(conn: redis.Redis, section: str) -> dict[str, Any]:
    return cast(dict[str, Any], conn.info(section))


@pytest.mark.parametrize("side", ["theirs", "ours"])
def test_kill_closes_the_chosen_connection(server_pair: ServerPair, side: str) -> None:
    server: ServerProcess = getattr(server_pair, side)
    victim = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        victim.sendall(b"CLIENT ID\r\n")
        victim_id = int(victim.recv(100)[1:].split(b"\r\n")[0])
        killer = _conn(server)
        assert _run(killer, "CLIENT", "KILL", "ID", victim_id) == 1
        assert victim.recv(100) == b""  # closed by the server
    finally:
        victim.close()
    me = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        me.sendall(b"CLIENT ID\r\n")
        my_id = me.recv(100)[1:].split(b"\r\n")[0]
        me.sendall(b"CLIENT KILL ID " + my_id + b"\r\n")
        assert me.recv(100) == b":0\r\n"  # SKIPME yes by default
        me.sendall(b"CLIENT KILL ID " + my_id + b" SKIPME no\r\n")
        assert _until_closed(me) == b":1\r\n"  # the reply, then the connection closes
    finally:
        me.close()


def _until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(100):
        data += chunk
    return data


@pytest.mark.parametrize("side", ["theirs", "ours"])
@pytest.mark.parametrize("how", ["set", "eval"])
def test_a_write_pause_holds_writes_until_unpause(
    server_pair: ServerPair, side: str, how: str
) -> None:
    """A write waits, and so does a script (it may write: redis holds what may replicate,
    which is why a script caught in a manual failover's pause gets -MOVED, not an error
    from inside the script)."""
    server: ServerProcess = getattr(server_pair, side)
    admin, writer = _conn(server), _conn(server)
    admin.set("paused-key", "before")
    assert _run(admin, "CLIENT", "PAUSE", 60_000, "WRITE") == b"OK"
    done: list[object] = []

    def write() -> None:
        if how == "set":
            done.append(writer.set("paused-key", "after"))
        else:
            script = "return redis.call('set', KEYS[1], ARGV[1])"
            done.append(_run(writer, "EVAL", script, 1, "paused-key", "after"))

    thread = threading.Thread(target=write)
    thread.start()
    try:
        wait_until(lambda: _waiting(admin, how), 10, f"the {how} to wait")
        assert admin.get("paused-key") == b"before"  # reads go on
        assert not done
    finally:
        _run(admin, "CLIENT", "UNPAUSE")
        thread.join(10)
    assert done in ([True], [b"OK"]) and admin.get("paused-key") == b"after"


@pytest.mark.parametrize("side", ["theirs", "ours"])
def test_a_pause_ends_at_its_timeout(server_pair: ServerPair, side: str) -> None:
    server: ServerProcess = getattr(server_pair, side)
    admin = _conn(server)
    assert _run(admin, "CLIENT", "PAUSE", 300) == b"OK"  # ALL: this client too
    assert admin.ping() is True  # answered once the 300 ms are over


def _waiting(admin: redis.Redis, command: str) -> bool:
    """A connection whose last command is ``command`` and that has not been answered: in
    CLIENT LIST it shows ``cmd=<command>``."""
    listing = _run(admin, "CLIENT", "LIST")
    text = listing.decode() if isinstance(listing, bytes) else str(listing)
    return f"cmd={command}" in text


def test_killing_the_master_link_makes_the_replica_reconnect(tmp_path: Path) -> None:
    primary = splitbrain_server(tmp_path / "primary").start()
    try:
        replica = splitbrain_server(
            tmp_path / "replica",
            args=("--replicaof", "127.0.0.1", str(primary.port), "--enable-debug-command", "yes"),
        ).start()
        try:
            conn = _conn(replica)
            wait_until(lambda: _info(conn, "replication")["master_link_status"] == "up", 20,
                       "the replica to sync")  # fmt: skip
            before = _info(_conn(primary), "stats")["sync_partial_ok"]
            addr = f"127.0.0.1:{primary.port}"
            assert _run(conn, "CLIENT", "KILL", "TYPE", "master") == 1
            wait_until(
                lambda: _info(_conn(primary), "stats")["sync_partial_ok"] > before,
                20,
                "the replica to reconnect with a partial sync",
            )
            wait_until(lambda: _info(conn, "replication")["master_link_status"] == "up", 20,
                       "the link up again")  # fmt: skip
            assert _run(conn, "CLIENT", "KILL", addr) == b"OK"  # the old form
            wait_until(lambda: _info(conn, "replication")["master_link_status"] == "up", 20,
                       "the link up once more")  # fmt: skip
            # The link is down from the kill, though the server is busy right after it
            # (what decides whether this replica's data is too old to fail over).
            assert _run(_conn(primary), "CLIENT", "PAUSE", 20_000) == b"OK"
            pipe = conn.pipeline(transaction=True)
            pipe.execute_command("CLIENT", "KILL", "TYPE", "master")  # type: ignore[no-untyped-call]
            pipe.execute_command("DEBUG", "SLEEP", "1.5")  # type: ignore[no-untyped-call]
            assert pipe.execute() == [1, b"OK"]
            replication = _info(conn, "replication")
            assert replication["master_link_status"] == "down"
            assert replication["master_link_down_since_seconds"] >= 1
        finally:
            replica.stop()
    finally:
        primary.stop()
