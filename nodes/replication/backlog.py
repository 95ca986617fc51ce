"""The replication backlog: the last ``repl-backlog-size`` bytes of the stream, by offset.

Offsets are redis's: ``master_repl_offset`` is the number of stream bytes produced so far;
byte number ``n`` (1-based) is the one that took the offset from ``n - 1`` to ``n``. A
replica that has processed up to offset ``o`` asks for ``o + 1`` (``PSYNC <id> <o+1>``).
"""

from __future__ import annotations


class Backlog:
    """A byte window ending at :attr:`offset`. Trimming is amortised: the buffer may hold
    up to an eighth (at least 1 KB) more than ``size`` before the oldest bytes are dropped."""

    __slots__ = ("_buf", "offset", "size")

    def __init__(self, size: int, offset: int) -> None:
        self.size = max(1, size)
        self.offset = offset
        """The offset of the last byte held (``master_repl_offset``)."""
        self._buf = bytearray()

    @property
    def histlen(self) -> int:
        return len(self._buf)

    @property
    def first_byte_offset(self) -> int:
        """``repl_backlog_first_byte_offset``: the offset of the oldest byte held + ... as
        redis prints it (``offset - histlen + 1``)."""
        return self.offset - len(self._buf) + 1

    def append(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        self.offset += len(data)
        slack = max(self.size // 8, 1024)
        if len(buf) > self.size + slack:
            del buf[: len(buf) - self.size]

    def resize(self, size: int) -> None:
        self.size = max(1, size)
        if len(self._buf) > self.size:
            del self._buf[: len(self._buf) - self.size]

    def can_serve(self, psync_offset: int) -> bool:
        """True when every byte from ``psync_offset`` on is still held."""
        return self.first_byte_offset <= psync_offset <= self.offset + 1

    def tail_from(self, psync_offset: int) -> bytes:
        """The bytes from ``psync_offset`` to the end (check :meth:`can_serve` first)."""
        start = psync_offset - self.first_byte_offset
        return bytes(self._buf[start:])
