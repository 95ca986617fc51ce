"""The reading half of the RDB primitives: a cursor over bytes that decodes lengths and
strings (integer and LZF encodings included) and raises :class:`RdbError` for anything
cut short or malformed, with the offset."""

from __future__ import annotations

import struct

from nodes.rdb import lzf
from nodes.rdb.format import ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF, RdbError

_U32BE = struct.Struct(">I")
_U64BE = struct.Struct(">Q")


class Reader:
    """A cursor over ``data[pos:end]``."""

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def take(self, n: int) -> bytes:
        stop = self.pos + n
        if n < 0 or stop > self.end:
            raise RdbError(f"unexpected end of data at offset {self.pos}")
        chunk = self.data[self.pos : stop]
        self.pos = stop
        return chunk

    def byte(self) -> int:
        if self.pos >= self.end:
            raise RdbError(f"unexpected end of data at offset {self.pos}")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def remaining(self) -> int:
        return self.end - self.pos

    def _length(self) -> tuple[int, int | None]:
        """(length, None), or (0, encoding) for a ``11`` prefix."""
        first = self.byte()
        kind = first >> 6
        if kind == 0:
            return first & 0x3F, None
        if kind == 1:
            return ((first & 0x3F) << 8) | self.byte(), None
        if kind == 3:
            return 0, first & 0x3F
        if first == 0x80:
            return _U32BE.unpack(self.take(4))[0], None
        if first == 0x81:
            return _U64BE.unpack(self.take(8))[0], None
        raise RdbError(f"bad length prefix 0x{first:02x} at offset {self.pos - 1}")

    def length(self) -> int:
        """A length (never a string encoding)."""
        at = self.pos
        n, special = self._length()
        if special is not None:
            raise RdbError(f"string encoding where a length belongs at offset {at}")
        return n

    def count(self, min_item_bytes: int = 1) -> int:
        """A length that counts items of at least ``min_item_bytes`` each: larger than
        the rest of the data can hold is an error (no huge allocations)."""
        at = self.pos
        n = self.length()
        if n * min_item_bytes > self.remaining():
            raise RdbError(f"count {n} larger than the data at offset {at}")
        return n

    def string(self) -> bytes:
        at = self.pos
        n, special = self._length()
        if special is None:
            return self.take(n)
        if special == ENC_INT8:
            return b"%d" % struct.unpack("<b", self.take(1))[0]
        if special == ENC_INT16:
            return b"%d" % struct.unpack("<h", self.take(2))[0]
        if special == ENC_INT32:
            return b"%d" % struct.unpack("<i", self.take(4))[0]
        if special == ENC_LZF:
            packed_len = self.length()
            plain_len = self.length()
            packed = self.take(packed_len)
            try:
                return lzf.decompress(packed, plain_len)
            except lzf.LzfError as exc:
                raise RdbError(f"{exc} (string at offset {at})") from None
        raise RdbError(f"unknown string encoding {special} at offset {at}")
