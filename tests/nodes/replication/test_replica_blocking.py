"""A client blocked on a replica (XREAD BLOCK, a read) is served when the master's write
arrives through the replication stream, as redis-server 7.0 serves it (its cluster suite's
"read-only blocking operations from replica")."""

from __future__ import annotations

import socket

import pytest

from tests.nodes.replication.conftest import Group
from tests.support.servers import wait_until

pytestmark = pytest.mark.redis


def _read_reply(sock: socket.socket, timeout: float) -> bytes:
    """Bytes until the reply of a single XREAD (one stream, one entry) is complete."""
    sock.settimeout(timeout)
    data = b""
    while not data.endswith(b"$3\r\nbar\r\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize("kind", ["ours", "real"])
def test_xread_block_on_a_replica_wakes_on_the_masters_xadd(group: Group, kind: str) -> None:
    master = group.ours("m") if kind == "ours" else group.real("m")
    replica = group.ours("r") if kind == "ours" else group.real("r")
    replica.replicaof(master)
    replica.wait_link_up()
    with socket.create_connection(("127.0.0.1", replica.port), timeout=10) as reader:
        reader.sendall(
            b"*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\nk\r\n$1\r\n0\r\n"
        )
        wait_until(
            lambda: b"blocked_clients:1\r\n" in replica.client.execute_command("INFO", "clients"),
            10,
            "the reader blocked",
        )
        entry_id = master.client.xadd("k", {"foo": "bar"})
        reply = _read_reply(reader, 10)
    assert reply.startswith(
        b"*1\r\n*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$%d\r\n%s\r\n" % (len(entry_id), entry_id)
    )
    assert reply.endswith(b"*2\r\n$3\r\nfoo\r\n$3\r\nbar\r\n")
