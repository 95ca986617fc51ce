"""Plain client connections for the side-by-side tests that need several at once."""

from __future__ import annotations

import socket

from tests.nodes.differential.framing import Reply, ReplyReader
from tests.nodes.differential.runner import cmd
from tests.support.servers import wait_until


class Conn:
    """One connection: send a command, read replies (10 s socket timeout)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = ReplyReader(self.sock)
        self.port = port

    def send(self, *args: str | int) -> None:
        self.sock.sendall(cmd(*args).request())

    def call(self, *args: str | int) -> Reply:
        self.send(*args)
        return self.reader.read()

    def read(self) -> Reply:
        return self.reader.read()

    def close(self) -> None:
        self.sock.close()


def client_field(line: bytes, name: bytes) -> bytes:
    """One ``name=value`` field of a CLIENT LIST / CLIENT INFO line."""
    for part in line.split():
        key, _, value = part.partition(b"=")
        if key == name:
            return value
    raise AssertionError(f"no {name!r} in {line!r}")


def info_field(port: int, section: str, name: bytes) -> bytes | None:
    """One field of INFO ``section`` read on a fresh connection (None when absent)."""
    conn = Conn(port)
    try:
        info = conn.call("INFO", section).value or b""
    finally:
        conn.close()
    for line in info.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key == name:
            return value
    return None


def wait_blocked(port: int, count: int = 1) -> None:
    """Until INFO clients shows ``count`` blocked clients (10 s deadline)."""
    want = b"%d" % count
    wait_until(
        lambda: info_field(port, "clients", b"blocked_clients") == want,
        10,
        f"{count} blocked clients on {port}",
    )
