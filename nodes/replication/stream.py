"""Splitting the master's byte stream into commands, keeping the exact bytes of each.

The bytes a replica has *processed* go into its own backlog unchanged (its sub-replicas
and a later PSYNC need the master's stream byte for byte), so the parser reports how
many bytes the complete commands took. Masters (ours and redis-server) encode commands
canonically (``*<n>\\r\\n`` then ``$<len>\\r\\n<arg>\\r\\n``), which is what makes a
command's length computable from its arguments; hiredis does the parsing.
"""

from __future__ import annotations

import hiredis


class StreamError(Exception):
    """The master sent something that is not a stream of commands."""


def encoded_length(argv: list[bytes]) -> int:
    """The length of ``argv`` encoded canonically as a RESP multibulk."""
    total = len(str(len(argv))) + 3
    for arg in argv:
        size = len(arg)
        total += len(str(size)) + size + 5
    return total


class StreamParser:
    """Feed bytes; get complete commands; then :meth:`take` the bytes they used."""

    __slots__ = ("_consumed", "_raw", "_reader")

    def __init__(self) -> None:
        self._reader = hiredis.Reader()
        self._raw = bytearray()
        self._consumed = 0

    def feed(self, data: bytes) -> list[list[bytes]]:
        """The commands completed by ``data`` (a partial one stays buffered)."""
        self._reader.feed(data)
        self._raw += data
        commands: list[list[bytes]] = []
        reader = self._reader
        while True:
            try:
                argv = reader.gets()
            except hiredis.ProtocolError as exc:
                raise StreamError(f"protocol error in the replication stream: {exc}") from None
            if argv is False:
                break
            if type(argv) is not list or not argv or not all(type(a) is bytes for a in argv):
                raise StreamError(f"not a command in the replication stream: {argv!r:.80}")
            self._consumed += encoded_length(argv)
            commands.append(argv)
        return commands

    def take(self) -> bytes:
        """The bytes of the commands returned so far (removed from the buffer)."""
        count = self._consumed
        if count > len(self._raw):
            raise StreamError("replication stream is not canonically encoded")
        data = bytes(self._raw[:count])
        del self._raw[:count]
        self._consumed = 0
        return data

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete command."""
        return len(self._raw) - self._consumed
