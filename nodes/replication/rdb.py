"""A small RDB (version 10, redis 7.0) writer: the full-sync snapshot.

Written: the plain encodings every redis 7.0 loader accepts (string 0, list 1, set 2,
hash 4, zset 5 with binary doubles), ``SELECTDB 0``, ``RESIZEDB``, millisecond expiry
(``0xFC``), a few aux fields, ``EOF`` and the CRC-64 (Jones) checksum. So a real
redis-server replica can load what a splitbrain master sends.

The reader is :mod:`nodes.replication.rdb_reader`.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Iterable

from nodes.keyspace import Keyspace

RDB_VERSION = 10
CHECKSUM_LIMIT = 16 << 20
"""Payloads larger than this are written (and read) without the CRC-64: ours runs in
Python at about 3 MB/s, and a checksum of 0 means "not computed" to every loader."""
_POLY = 0x95AC9329AC4BC9B5  # 0xad93d23594c935a9 (Jones) bit-reversed


def _table() -> list[int]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc64(data: bytes, crc: int = 0) -> int:
    """redis's CRC-64 (Jones, reflected, init 0): ``crc64(b"123456789") == 0xe9c6d914c4b8d9ca``."""
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


class RdbError(Exception):
    """An RDB payload we cannot load (damaged, or a type we do not know)."""


# ---- writing ---------------------------------------------------------------------------
def _length(n: int) -> bytes:
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    if n < 1 << 32:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def _string(data: bytes) -> bytes:
    return _length(len(data)) + data


def _value(value: object) -> tuple[int, list[bytes]]:
    """(RDB type, encoded pieces) of a stored value."""
    if type(value) is bytes:
        return 0, [_string(value)]
    if isinstance(value, deque):
        return 1, [_length(len(value)), *(_string(v) for v in value)]
    if isinstance(value, dict):
        parts = [_length(len(value))]
        for field, item in value.items():
            parts += [_string(field), _string(item)]
        return 4, parts
    items = getattr(value, "items", None)
    if items is not None:  # ZSet: (member, score) pairs
        pairs = list(items())
        parts = [_length(len(pairs))]
        for member, score in pairs:
            parts += [_string(member), struct.pack("<d", score)]
        return 5, parts
    if isinstance(value, Iterable):  # RedisSet, set
        members = list(value)
        return 2, [_length(len(members)), *(_string(m) for m in members)]
    raise RdbError(f"no RDB encoding for a {type(value).__name__}")


def _aux(key: bytes, value: bytes) -> bytes:
    return b"\xfa" + _string(key) + _string(value)


def encode_rdb(keyspace: Keyspace, replid: str, offset: int) -> bytes:
    """The dataset as an RDB file, expired keys left out."""
    keys = list(keyspace.live_keys())
    expires = keyspace.expires
    parts = [
        b"REDIS%04d" % RDB_VERSION,
        _aux(b"redis-ver", b"7.0.15"),
        _aux(b"redis-bits", b"64"),
        _aux(b"repl-stream-db", b"0"),
        _aux(b"repl-id", replid.encode()),
        _aux(b"repl-offset", str(offset).encode()),
        b"\xfe" + _length(0),
        b"\xfb" + _length(len(keys)) + _length(sum(1 for k in keys if k in expires)),
    ]
    for key in keys:
        when = expires.get(key)
        if when is not None:
            parts.append(b"\xfc" + struct.pack("<q", when))
        rdb_type, pieces = _value(keyspace.data[key])
        parts.append(bytes([rdb_type]) + _string(key))
        parts += pieces
    parts.append(b"\xff")
    body = b"".join(parts)
    checksum = crc64(body) if len(body) <= CHECKSUM_LIMIT else 0  # 0: "not computed"
    return body + struct.pack("<Q", checksum)
