"""A minimal RESP2/RESP3 reply framer for the test side: one reply, exact bytes kept.

The framer knows only what a server may send back (no streamed strings, which neither
redis-server 7.0 nor splitbrain-server emits). Parsing is deliberately separate from the
server's own ``nodes.resp`` so that a bug there cannot hide itself in the comparison.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

LINE_KINDS = frozenset("+-:_,#(")
BULK_KINDS = frozenset("$=!")
AGGREGATE_KINDS = frozenset("*~%>|")


class FramingError(Exception):
    """The bytes on the wire are not a RESP reply (the server under test is at fault)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply: its type byte, its exact wire bytes, and its parts.

    ``value`` is the payload of a line or bulk reply (``None`` for nulls and aggregates);
    ``items`` are the elements of an aggregate (a map's keys and values alternate).
    """

    kind: str
    raw: bytes
    value: bytes | None = None
    items: tuple[Reply, ...] = ()

    @property
    def is_aggregate(self) -> bool:
        return self.kind in AGGREGATE_KINDS

    def text(self) -> str:
        """The wire bytes, escaped for a one-line failure message."""
        return repr(self.raw)[2:-1]


class Incomplete(Exception):
    """More bytes are needed before a whole reply is in the buffer."""


def _line(buf: bytes, pos: int) -> tuple[bytes, int]:
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete
    return buf[pos:end], end + 2


def parse_reply(buf: bytes, pos: int = 0) -> tuple[Reply, int]:
    """Parse one reply starting at ``pos``; return it and the offset after it.

    Raises :class:`Incomplete` when the buffer ends inside the reply and
    :class:`FramingError` when the bytes cannot be a reply.
    """
    if pos >= len(buf):
        raise Incomplete
    kind = chr(buf[pos])
    header, after = _line(buf, pos + 1)
    if kind in LINE_KINDS:
        value = None if kind == "_" else header
        return Reply(kind, buf[pos:after], value), after
    try:
        count = int(header)
    except ValueError:
        raise FramingError(f"bad length {header!r} after {kind!r} at offset {pos}") from None
    if kind in BULK_KINDS:
        if count < 0:
            return Reply(kind, buf[pos:after], None), after
        end = after + count
        if len(buf) < end + 2:
            raise Incomplete
        if buf[end : end + 2] != b"\r\n":
            raise FramingError(f"bulk of length {count} not ended by CRLF at offset {end}")
        return Reply(kind, buf[pos : end + 2], buf[after:end]), end + 2
    if kind in AGGREGATE_KINDS:
        if count < 0:
            return Reply(kind, buf[pos:after], None), after
        total = count * 2 if kind in "%|" else count
        items: list[Reply] = []
        cursor = after
        for _ in range(total):
            item, cursor = parse_reply(buf, cursor)
            items.append(item)
        if kind == "|":  # an attribute is followed by the reply it annotates
            annotated, cursor = parse_reply(buf, cursor)
            items.append(annotated)
        return Reply(kind, buf[pos:cursor], None, tuple(items)), cursor
    raise FramingError(f"unknown reply type byte {kind!r} at offset {pos}")


class ReplyReader:
    """Reads whole replies from a connected socket, keeping any bytes that follow."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = b""

    def read(self) -> Reply:
        """The next reply; ``ConnectionError`` if the peer closes first, ``TimeoutError``
        if it stays silent past the socket's timeout."""
        while True:
            try:
                reply, used = parse_reply(self._buf)
            except Incomplete:
                chunk = self._sock.recv(65536)
                if not chunk:
                    raise ConnectionError("server closed the connection") from None
                self._buf += chunk
                continue
            self._buf = self._buf[used:]
            return reply

    def at_eof(self) -> bool:
        """True when the peer has closed and nothing is left unread."""
        if self._buf:
            return False
        try:
            return self._sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
