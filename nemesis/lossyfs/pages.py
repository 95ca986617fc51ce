"""The data a file system holds but has not made durable: what a power loss takes away.

A :class:`PendingFile` is one file's unsynced changes over its durable (backing) content:
writes and truncations in the order they were made. Reads see the durable bytes with the
changes applied, as a process on a real machine would; :meth:`PendingFile.flush` makes
them durable (fsync, or the kernel's periodic writeback); :meth:`PendingFile.drop` loses
them (power loss). Pure: the durable content is reached only through the ``Backing``
callables handed in, so the rules can be tested without a file system.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ReadBacking = Callable[[int, int], bytes]
"""``(offset, size) -> bytes`` of the durable content (short at its end)."""


@dataclass(frozen=True, slots=True)
class Write:
    offset: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Truncate:
    size: int


Change = Write | Truncate


@dataclass(slots=True)
class PendingFile:
    """Unsynced changes to one file whose durable size is ``durable_size``."""

    durable_size: int
    changes: list[Change] = field(default_factory=list)
    since_ns: int | None = None
    """When the oldest pending change was made (the writeback clock), None if clean."""
    pending_bytes: int = 0

    @property
    def size(self) -> int:
        """The size a reader sees now."""
        size = self.durable_size
        for change in self.changes:
            if isinstance(change, Write):
                size = max(size, change.offset + len(change.data))
            else:
                size = change.size
        return size

    @property
    def dirty(self) -> bool:
        return bool(self.changes)

    def write(self, offset: int, data: bytes, now_ns: int) -> None:
        self._changed(now_ns)
        self.changes.append(Write(offset, bytes(data)))
        self.pending_bytes += len(data)

    def truncate(self, size: int, now_ns: int) -> None:
        self._changed(now_ns)
        self.changes.append(Truncate(size))

    def _changed(self, now_ns: int) -> None:
        if self.since_ns is None:
            self.since_ns = now_ns

    def read(self, offset: int, size: int, backing: ReadBacking) -> bytes:
        """``size`` bytes at ``offset`` as a reader sees them (short at the end)."""
        if not self.changes:
            return backing(offset, size)
        visible = self.size
        end = min(offset + size, visible)
        if end <= offset:
            return b""
        # Replay the changes over the durable bytes of the range, in order.
        buf = bytearray(backing(offset, end - offset))
        length = min(self.durable_size, end) - offset
        del buf[max(length, 0) :]
        length = max(length, 0)
        for change in self.changes:
            if isinstance(change, Truncate):
                keep = max(0, min(change.size - offset, end - offset))
                if keep < length:
                    del buf[keep:]
                    length = keep
                continue
            lo = max(change.offset, offset)
            hi = min(change.offset + len(change.data), end)
            if hi <= lo:
                continue
            start = lo - offset
            if start > length:
                buf.extend(b"\0" * (start - length))
                length = start
            piece = change.data[lo - change.offset : hi - change.offset]
            buf[start : start + len(piece)] = piece
            length = max(length, start + len(piece))
        # A write past the end leaves a hole of zeros up to it.
        wanted = end - offset
        if length < wanted:
            buf.extend(b"\0" * (wanted - length))
        return bytes(buf[:wanted])

    def flush(self, write: Callable[[int, bytes], None], truncate: Callable[[int], None]) -> int:
        """Apply the changes to the durable content in order; returns the bytes written.
        The caller fsyncs the backing file afterwards."""
        written = 0
        for change in self.changes:
            if isinstance(change, Write):
                write(change.offset, change.data)
                written += len(change.data)
            else:
                truncate(change.size)
        self.durable_size = self.size
        self.clear()
        return written

    def drop(self) -> int:
        """Lose every pending change (power loss); returns the bytes lost."""
        lost = self.pending_bytes
        self.clear()
        return lost

    def clear(self) -> None:
        self.changes.clear()
        self.since_ns = None
        self.pending_bytes = 0
