"""Diskless transfers and ``repl-diskless-load swapdb`` (redis's cluster suite file 17),
and the replication id and offset an RDB file keeps across a restart.

A replica restarted from its own RDB file takes the file's replication id and offset, so
the master's FULLRESYNC is of the same history; with ``swapdb`` the replica then loads
in the background (``async_loading:1``) and keeps serving its old data, and when the
master dies mid-transfer the old data stays. Run on redis-server 7.0 beside ours."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from tests.nodes.replication.conftest import Group, Node
from tests.support.servers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]

FILLER_KEYS = 2000
MASTER = (
    "--repl-diskless-sync",
    "yes",
    "--repl-diskless-sync-delay",
    "0",
    "--repl-backlog-size",
    "16384",
)


def _section(node: Node, name: str) -> dict[str, str]:
    text = node.client.execute_command("INFO", name).decode()
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _persistence(node: Node) -> dict[str, str]:
    return _section(node, "persistence")


def _aborted_background_load(group: Group, start: Callable[..., Node]) -> tuple[bytes, int]:
    """The scenario of redis's file 17; returns the replica's ``k`` and DBSIZE after the
    master died during the background load."""
    master = start("master", *MASTER)
    replica = start(
        "replica",
        "--replicaof",
        "127.0.0.1",
        str(master.port),
        "--repl-diskless-load",
        "swapdb",
        "--loading-process-events-interval-bytes",
        "1024",  # redis answers INFO during the load
    )
    master.client.set("k", "1")
    replica.wait_link_up()
    replica.wait_offset(master)
    assert replica.client.save() is True
    replica.process.stop()
    master.client.delete("k")
    pipe = master.client.pipeline(transaction=False)
    for index in range(FILLER_KEYS):
        pipe.set(f"filler:{index}", "A" * 1024)
    pipe.execute()  # more than the backlog holds: the restarted replica must resync fully
    master.client.config_set("rdb-key-save-delay", "10000")  # a 20 s transfer
    replica = group.restart(replica)
    wait_until(lambda: _persistence(replica)["async_loading"] == "1", 10, "async loading")
    assert _persistence(replica)["loading"] == "0"
    assert replica.client.get("k") == b"1"  # the old data is served meanwhile
    master.process.kill()
    wait_until(lambda: _persistence(replica)["async_loading"] == "0", 10, "the load aborted")
    return replica.client.get("k"), replica.client.dbsize()


def test_an_aborted_background_load_keeps_the_old_data(group: Group) -> None:
    theirs = _aborted_background_load(group, group.real)
    ours = _aborted_background_load(group, group.ours)
    assert theirs == (b"1", 1)
    assert ours == theirs


def _restart_resync(group: Group, start: Callable[..., Node]) -> tuple[int, int]:
    """A replica saved, stopped and started again: the master's (sync_full,
    sync_partial_ok) it caused."""
    master = start("m", *MASTER)
    replica = start("r", "--replicaof", "127.0.0.1", str(master.port))
    master.client.set("a", "1")
    replica.wait_link_up()
    replica.wait_offset(master)
    assert replica.client.save() is True
    replica.process.stop()
    before = _section(master, "stats")
    master.client.set("b", "2")  # within the backlog
    replica = group.restart(replica)
    replica.wait_link_up()
    replica.wait_offset(master)
    assert replica.client.get("b") == b"2"
    after = _section(master, "stats")
    return (
        int(after["sync_full"]) - int(before["sync_full"]),
        int(after["sync_partial_ok"]) - int(before["sync_partial_ok"]),
    )


def test_a_replica_restarted_from_its_rdb_resyncs_partially(group: Group) -> None:
    theirs = _restart_resync(group, group.real)
    ours = _restart_resync(group, group.ours)
    assert theirs == (0, 1)
    assert ours == theirs


def _snapshot_header(port: int, capa: bytes | None) -> bytes:
    """The line after +FULLRESYNC that a raw replica announcing ``capa`` reads (each
    request sent once the previous one was answered, as redis requires)."""
    requests = [b"REPLCONF listening-port 4321\r\n"]
    if capa is not None:
        requests.append(b"REPLCONF capa " + capa + b"\r\n")
    requests.append(b"PSYNC ? -1\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        buffer = b""

        def line() -> bytes:
            nonlocal buffer
            while b"\r\n" not in buffer:
                chunk = sock.recv(65536)
                assert chunk, "the master closed the link"
                buffer += chunk
            head, buffer = buffer.split(b"\r\n", 1)
            return head.lstrip(b"\n")  # newlines are keepalives before the snapshot

        for request in requests:
            sock.sendall(request)
            assert line().startswith(b"+"), request
        return line()


def test_the_snapshot_is_diskless_only_for_a_replica_with_capa_eof(group: Group) -> None:
    for start in (group.real, group.ours):
        master = start(f"m{len(group.processes)}", *MASTER)
        assert _snapshot_header(master.port, b"eof").startswith(b"$EOF:")
        assert _snapshot_header(master.port, None)[:1] == b"$"
        assert not _snapshot_header(master.port, None).startswith(b"$EOF:")
