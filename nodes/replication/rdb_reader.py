"""Reading an RDB (what :mod:`nodes.replication.rdb` writes, and what redis-server 7.0
writes for small values: integer and LZF strings, intset 11, listpack hash 16 / zset 17,
quicklist 2 list 18, ziplist 10/12/13/14), so a splitbrain replica can load a redis
master's snapshot. Modules, streams and functions are refused with an
:class:`RdbError` naming the type. The result is the commands that rebuild the dataset
(SET, RPUSH, SADD, HSET, ZADD, PEXPIREAT).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from nodes.replication.rdb import CHECKSUM_LIMIT, RdbError, crc64


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise RdbError("RDB payload cut short")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def length(self) -> tuple[int, int | None]:
        """(length, None) or (0, special encoding number) for a 0b11 prefix."""
        first = self.byte()
        kind = first >> 6
        if kind == 0:
            return first & 0x3F, None
        if kind == 1:
            return ((first & 0x3F) << 8) | self.byte(), None
        if kind == 3:
            return 0, first & 0x3F
        if first == 0x80:
            return struct.unpack(">I", self.take(4))[0], None
        if first == 0x81:
            return struct.unpack(">Q", self.take(8))[0], None
        raise RdbError(f"bad RDB length prefix 0x{first:02x}")

    def count(self) -> int:
        n, special = self.length()
        if special is not None:
            raise RdbError("RDB count with a string encoding")
        return n

    def string(self) -> bytes:
        n, special = self.length()
        if special is None:
            return self.take(n)
        if special == 0:
            return str(struct.unpack("<b", self.take(1))[0]).encode()
        if special == 1:
            return str(struct.unpack("<h", self.take(2))[0]).encode()
        if special == 2:
            return str(struct.unpack("<i", self.take(4))[0]).encode()
        if special == 3:
            compressed_len = self.count()
            plain_len = self.count()
            return _lzf_decompress(self.take(compressed_len), plain_len)
        raise RdbError(f"unknown RDB string encoding {special}")


def _lzf_decompress(data: bytes, size: int) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        ctrl = data[i]
        i += 1
        if ctrl < 32:
            out += data[i : i + ctrl + 1]
            i += ctrl + 1
            continue
        length = ctrl >> 5
        if length == 7:
            length += data[i]
            i += 1
        ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
        i += 1
        if ref < 0:
            raise RdbError("bad LZF back reference")
        for _ in range(length + 2):
            out.append(out[ref])
            ref += 1
    if len(out) != size:
        raise RdbError("LZF string has the wrong length")
    return bytes(out)


def _listpack(blob: bytes) -> list[bytes]:
    """The entries of a listpack (integers as decimal strings)."""
    pos = 6  # total bytes (4) + number of elements (2)
    items: list[bytes] = []
    while pos < len(blob) and blob[pos] != 0xFF:
        b = blob[pos]
        if b < 0x80:  # 7-bit uint
            items.append(str(b).encode())
            size = 1
        elif b < 0xC0:  # 6-bit string
            n = b & 0x3F
            items.append(blob[pos + 1 : pos + 1 + n])
            size = 1 + n
        elif b < 0xE0:  # 13-bit int
            v = ((b & 0x1F) << 8) | blob[pos + 1]
            items.append(str(v - (1 << 13) if v >= 1 << 12 else v).encode())
            size = 2
        elif b < 0xF0:  # 12-bit string
            n = ((b & 0x0F) << 8) | blob[pos + 1]
            items.append(blob[pos + 2 : pos + 2 + n])
            size = 2 + n
        elif b == 0xF0:  # 32-bit string
            n = struct.unpack("<I", blob[pos + 1 : pos + 5])[0]
            items.append(blob[pos + 5 : pos + 5 + n])
            size = 5 + n
        else:
            widths = {0xF1: "<h", 0xF2: "<i", 0xF3: "<i", 0xF4: "<q"}
            fmt = widths.get(b)
            if fmt is None:
                raise RdbError(f"bad listpack entry 0x{b:02x}")
            width = 3 if b == 0xF2 else struct.calcsize(fmt)
            raw = blob[pos + 1 : pos + 1 + width]
            value = int.from_bytes(raw, "little", signed=True)
            items.append(str(value).encode())
            size = 1 + width
        back = 1 if size <= 127 else 2 if size < 16383 else 3 if size < 2097151 else 4
        pos += size + (back if size < 268435455 else 5)
    return items


def _ziplist(blob: bytes) -> list[bytes]:
    pos = 10  # zlbytes, zltail, zllen
    items: list[bytes] = []
    while pos < len(blob) and blob[pos] != 0xFF:
        pos += 1 if blob[pos] < 254 else 5  # prevlen
        b = blob[pos]
        kind = b >> 6
        if kind == 0:
            n = b & 0x3F
            items.append(blob[pos + 1 : pos + 1 + n])
            pos += 1 + n
        elif kind == 1:
            n = ((b & 0x3F) << 8) | blob[pos + 1]
            items.append(blob[pos + 2 : pos + 2 + n])
            pos += 2 + n
        elif kind == 2:
            n = struct.unpack(">I", blob[pos + 1 : pos + 5])[0]
            items.append(blob[pos + 5 : pos + 5 + n])
            pos += 5 + n
        else:
            fixed = {0xC0: 2, 0xD0: 4, 0xE0: 8, 0xF0: 3, 0xFE: 1}
            width = fixed.get(b)
            if width is not None:
                value = int.from_bytes(blob[pos + 1 : pos + 1 + width], "little", signed=True)
                items.append(str(value).encode())
                pos += 1 + width
            elif 0xF1 <= b <= 0xFD:
                items.append(str((b & 0x0F) - 1).encode())
                pos += 1
            else:
                raise RdbError(f"bad ziplist entry 0x{b:02x}")
    return items


def _intset(blob: bytes) -> list[bytes]:
    width, count = struct.unpack("<II", blob[:8])
    fmt = {2: "<h", 4: "<i", 8: "<q"}.get(width)
    if fmt is None:
        raise RdbError("bad intset encoding")
    return [
        str(struct.unpack(fmt, blob[8 + i * width : 8 + (i + 1) * width])[0]).encode()
        for i in range(count)
    ]


def _pairs(flat: list[bytes]) -> Iterator[tuple[bytes, bytes]]:
    return zip(flat[0::2], flat[1::2], strict=True)


def _commands(rdb_type: int, key: bytes, r: _Reader) -> list[list[bytes]]:
    if rdb_type == 0:
        return [[b"SET", key, r.string()]]
    if rdb_type == 1:
        return [[b"RPUSH", key, *(r.string() for _ in range(r.count()))]]
    if rdb_type == 2:
        return [[b"SADD", key, *(r.string() for _ in range(r.count()))]]
    if rdb_type == 4:
        flat = [item for _ in range(r.count()) for item in (r.string(), r.string())]
        return [[b"HSET", key, *flat]]
    if rdb_type in (3, 5):
        flat = []
        for _ in range(r.count()):
            member = r.string()
            if rdb_type == 5:
                score = repr(struct.unpack("<d", r.take(8))[0]).encode()
            else:
                score = r.take(r.byte())
            flat += [score, member]
        return [[b"ZADD", key, *flat]]
    if rdb_type in (18, 14):  # quicklist (2): nodes of listpacks (or ziplists)
        items: list[bytes] = []
        for _ in range(r.count()):
            container = r.count() if rdb_type == 18 else 2
            blob = r.string()
            items += (
                (_listpack(blob) if rdb_type == 18 else _ziplist(blob))
                if container == 2
                else [blob]
            )
        return [[b"RPUSH", key, *items]]
    blob = r.string()
    if rdb_type == 11:
        return [[b"SADD", key, *_intset(blob)]]
    if rdb_type in (16, 13):
        flat = _listpack(blob) if rdb_type == 16 else _ziplist(blob)
        return [[b"HSET", key, *(x for pair in _pairs(flat) for x in pair)]]
    if rdb_type in (17, 12):
        flat = _listpack(blob) if rdb_type == 17 else _ziplist(blob)
        return [[b"ZADD", key, *(x for m, s in _pairs(flat) for x in (s, m))]]
    if rdb_type == 10:
        return [[b"RPUSH", key, *_ziplist(blob)]]
    raise RdbError(f"RDB value type {rdb_type} is not supported (modules, streams...)")


def decode_rdb(payload: bytes) -> list[list[bytes]]:
    """The commands that rebuild an RDB's db 0 (other dbs are refused)."""
    if not payload.startswith(b"REDIS") or len(payload) < 18:
        raise RdbError("not an RDB payload (bad magic)")
    stored = struct.unpack("<Q", payload[-8:])[0]
    if stored and len(payload) <= CHECKSUM_LIMIT + 8 and crc64(payload[:-8]) != stored:
        raise RdbError("RDB checksum mismatch")  # (0: saved without a checksum)
    r = _Reader(payload[:-8])
    r.take(9)
    commands: list[list[bytes]] = []
    expire_ms: int | None = None
    while True:
        op = r.byte()
        if op == 0xFF:
            if r.pos != len(r.data):
                raise RdbError("RDB has bytes after its EOF marker")
            return commands
        if op == 0xFA:
            r.string()
            r.string()
        elif op == 0xFE:
            db = r.count()
            if db != 0:
                raise RdbError(f"RDB has keys in db {db}; only db 0 is served")
        elif op == 0xFB:
            r.count()
            r.count()
        elif op == 0xFC:
            expire_ms = struct.unpack("<q", r.take(8))[0]
        elif op == 0xFD:
            expire_ms = struct.unpack("<i", r.take(4))[0] * 1000
        elif op in (0xF8, 0xF9):  # LRU idle / LFU frequency: ignored
            if op == 0xF8:
                r.count()
            else:
                r.byte()
        elif op in (0xF5, 0xF6, 0xF7):
            raise RdbError("RDB with functions or module data is not supported")
        else:
            key = r.string()
            commands += _commands(op, key, r)
            if expire_ms is not None:
                commands.append([b"PEXPIREAT", key, str(expire_ms).encode()])
            expire_ms = None
