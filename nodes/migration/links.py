"""The connections MIGRATE keeps to its targets (Redis's migrate socket cache).

One blocking socket per ``host:port``, reused by the next MIGRATE to the same target and
closed after :data:`IDLE_MS` without use (or when :data:`MAX_LINKS` are open and a new
target comes). MIGRATE blocks the whole server while it talks to the target, exactly as
Redis does: that is what makes a key's move atomic (nothing can change the key between
its serialization and its deletion).

The socket factory is injected (:data:`Connector`), the clock is the server's.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field

IDLE_MS = 10_000
MAX_LINKS = 64

Connector = Callable[[str, int, float], socket.socket]
"""(host, port, timeout seconds) -> a connected socket; raises ``OSError``."""


def tcp_connect(host: str, port: int, timeout: float) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class LinkTimeout(OSError):
    """A read or write that did not finish within MIGRATE's timeout."""


@dataclass(eq=False)
class TargetLink:
    """One cached connection; ``last_dbid`` is the db selected on it (-1: unknown)."""

    sock: socket.socket
    last_use_ms: int
    last_dbid: int = -1
    buffer: bytearray = field(default_factory=bytearray)

    def send(self, data: bytes, timeout_ms: int) -> None:
        self.sock.settimeout(timeout_ms / 1000)
        try:
            self.sock.sendall(data)
        except TimeoutError as exc:
            raise LinkTimeout(str(exc)) from exc

    def read_line(self, timeout_ms: int) -> bytes:
        """One reply line without CRLF (AUTH, SELECT and RESTORE answer one line each)."""
        self.sock.settimeout(timeout_ms / 1000)
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 2]
                return line
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError as exc:
                raise LinkTimeout(str(exc)) from exc
            if not chunk:
                raise ConnectionResetError("target closed the connection")
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


class TargetLinks:
    """The cache: :meth:`get` a link (connecting if needed), :meth:`close` one after an
    I/O error, :meth:`close_idle` from a timer."""

    def __init__(self, clock_ms: Callable[[], int], connect: Connector = tcp_connect) -> None:
        self.clock_ms = clock_ms
        self.connect = connect
        self.links: dict[tuple[str, int], TargetLink] = {}

    def get(self, host: str, port: int, timeout_ms: int) -> tuple[TargetLink, bool]:
        """(link, fresh?): ``fresh`` when it was connected just now. Raises ``OSError``."""
        now = self.clock_ms()
        link = self.links.get((host, port))
        if link is not None:
            link.last_use_ms = now
            return link, False
        if len(self.links) >= MAX_LINKS:
            oldest = min(self.links, key=lambda k: self.links[k].last_use_ms)
            self.close(*oldest)
        sock = self.connect(host, port, timeout_ms / 1000)
        link = TargetLink(sock, now)
        self.links[(host, port)] = link
        return link, True

    def close(self, host: str, port: int) -> None:
        link = self.links.pop((host, port), None)
        if link is not None:
            link.close()

    def close_idle(self) -> int:
        now = self.clock_ms()
        stale = [k for k, link in self.links.items() if now - link.last_use_ms > IDLE_MS]
        for host, port in stale:
            self.close(host, port)
        return len(stale)

    def close_all(self) -> None:
        for host, port in list(self.links):
            self.close(host, port)
