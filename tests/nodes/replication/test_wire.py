"""The master side byte for byte, with a hand-driven replica on a raw socket: the
handshake replies, +FULLRESYNC and the snapshot, SELECT 0 at stream start, writes as
RESP, expiry as DEL, REPLCONF ACK in INFO, GETACK sent when WAIT needs acks, +CONTINUE."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
import redis

from nodes.rdb import file as rdb_file
from tests.nodes.replication.conftest import Group
from tests.support.servers import wait_until

pytestmark = pytest.mark.slow


class RawReplica:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, *args: bytes) -> None:
        out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
        self.sock.sendall(out)

    def read_until(self, marker: bytes, timeout: float = 10.0) -> bytes:
        """Everything up to and including ``marker``."""
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {marker!r} in {self.buf[-200:]!r}")
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("master closed the link")
            self.buf += data
        end = self.buf.index(marker) + len(marker)
        head, self.buf = self.buf[:end], self.buf[end:]
        return head

    def read_exactly(self, count: int) -> bytes:
        while len(self.buf) < count:
            self.buf += self.sock.recv(65536)
        head, self.buf = self.buf[:count], self.buf[count:]
        return head

    def close(self) -> None:
        self.sock.close()


def test_master_side_on_the_wire(group: Group) -> None:
    master = group.ours("m")
    m = master.client
    m.set("before", "1")
    link = RawReplica(master.port)
    try:
        link.send(b"PING")
        assert link.read_until(b"\r\n") == b"+PONG\r\n"
        link.send(b"REPLCONF", b"listening-port", b"4321")
        assert link.read_until(b"\r\n") == b"+OK\r\n"
        link.send(b"REPLCONF", b"capa", b"eof", b"capa", b"psync2")
        assert link.read_until(b"\r\n") == b"+OK\r\n"
        link.send(b"PSYNC", b"?", b"-1")
        line = link.read_until(b"\r\n").split()
        assert line[0] == b"+FULLRESYNC" and len(line[1]) == 40
        replid, offset = line[1], int(line[2])
        # capa eof and repl-diskless-sync yes (the default): a diskless transfer, the
        # payload ended by the 40-byte mark its header gives.
        head = link.read_until(b"\r\n")
        assert head.startswith(b"$EOF:") and len(head) == 47
        mark = head[5:45]
        contents = rdb_file.read(link.read_until(mark)[: -len(mark)])
        assert contents.entries == [(0, b"before", b"1", None)]
        m.set("after", "2")  # done when it returns: its stream bytes are due now
        # Nothing follows the mark until the replica's first ACK (a replica that reads to
        # the mark must not get stream bytes in the same read), as redis does.
        assert link.buf == b"" and "state=online" in master.info()["slave0"]
        link.sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            link.sock.recv(1)
        link.sock.settimeout(10)
        link.send(b"REPLCONF", b"ACK", str(offset).encode())
        stream = link.read_until(b"after\r\n$1\r\n2\r\n")
        assert stream == (
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n2\r\n"
        )
        offset += len(stream)
        assert int(master.info()["master_repl_offset"]) == offset
        m.set("short", "x", px=30)
        link.read_until(b"short\r\n$1\r\nx\r\n")
        link.read_until(b"*2\r\n$3\r\nDEL\r\n$5\r\nshort\r\n")  # the expiry, as DEL
        offset = int(master.info()["master_repl_offset"])
        link.send(b"REPLCONF", b"ACK", str(offset).encode())
        # The ACK goes in on the link, INFO is read on another connection: wait for it.
        acked = f"ip=127.0.0.1,port=4321,state=online,offset={offset},"
        wait_until(lambda: master.info()["slave0"].startswith(acked), 10, f"INFO slave0 {acked}...")
        # WAIT from a client whose write is not acked yet makes the master ask for acks.
        waiter: Any = redis.Redis(port=master.port, socket_timeout=10)
        result: list[int] = []
        try:
            waiter.set("waited", "1")
            thread = threading.Thread(target=lambda: result.append(waiter.wait(1, 5000)))
            thread.start()
            link.read_until(b"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n")
            link.send(b"REPLCONF", b"ACK", master.info()["master_repl_offset"].encode())
            thread.join(10)
            assert result == [1]
        finally:
            waiter.close()
    finally:
        link.close()
    # The same history continues from the backlog.
    again = RawReplica(master.port)
    try:
        again.send(b"PSYNC", replid, str(offset + 1).encode())
        assert again.read_until(b"\r\n") == b"+CONTINUE " + replid + b"\r\n"
        tail = again.read_until(b"GETACK\r\n$1\r\n*\r\n")
        assert tail.startswith(b"*3\r\n$3\r\nSET\r\n$6\r\nwaited\r\n")
        again.send(b"PSYNC", b"0" * 40, b"1")  # ignored: already a replica link
        m.set("x", "y")
        assert again.read_until(b"x\r\n$1\r\ny\r\n").endswith(
            b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\ny\r\n"
        )
    finally:
        again.close()
    with pytest.raises(redis.ResponseError, match="Unrecognized REPLCONF option: bogus"):
        m.execute_command("REPLCONF", "bogus", "1")
