"""The DUMP payload: one value serialized with its type, encoding hint and TTL, checked on
RESTORE.

This is splitbrain's own format, **not** Redis's RDB value encoding, so a payload moves
only between splitbrain nodes (MIGRATE between splitbrain-server and redis-server is
refused by whichever side restores). Layout, all integers big-endian::

    type      u8     0 string, 1 list, 2 set, 3 hash, 4 zset
    hint      u8     set: 1 if an intset; zset: 1 if a listpack; else 0
    ttl       i64    milliseconds left when dumped, -1 without expiry (informational:
                     RESTORE takes the TTL from its argument, as Redis does)
    body             string: the bytes; others: u32 count, then each item as
                     u32 length + bytes (hash: field then value; zset: member then an
                     8-byte IEEE double score)
    magic     2s     b"sb"
    version   u8     :data:`VERSION`
    crc32     u32    zlib CRC-32 of everything before it

:func:`verify` checks magic, version and checksum (Redis: ``DUMP payload version or
checksum are wrong``); :func:`decode` then parses the body and raises
:class:`BadPayload` on anything malformed (Redis: ``Bad data format``).
"""

from __future__ import annotations

import math
import struct
import zlib
from collections import deque
from typing import Final

from nodes.types.sets import RedisSet
from nodes.types.zset import ZSet

VERSION: Final = 1
MAGIC: Final = b"sb"
_FOOTER = struct.Struct(">2sBI")
_HEAD = struct.Struct(">BBq")
_U32 = struct.Struct(">I")
_DOUBLE = struct.Struct(">d")

STRING, LIST, SET, HASH, ZSET = range(5)


class BadPayload(Exception):
    """A payload whose checksum is right but whose body cannot be parsed."""


def _items(out: list[bytes], items: list[bytes]) -> None:
    pack = _U32.pack
    out.append(pack(len(items)))
    for item in items:
        out.append(pack(len(item)))
        out.append(item)


def encode(value: object, ttl_ms: int) -> bytes:
    """The payload for ``value`` (a keyspace value) with ``ttl_ms`` left (-1: none)."""
    out: list[bytes] = []
    if type(value) is bytes:
        out.append(_HEAD.pack(STRING, 0, ttl_ms))
        out.append(value)
    elif isinstance(value, deque):
        out.append(_HEAD.pack(LIST, 0, ttl_ms))
        _items(out, list(value))
    elif isinstance(value, RedisSet):
        out.append(_HEAD.pack(SET, 1 if value.intset else 0, ttl_ms))
        _items(out, list(value.members))
    elif isinstance(value, set):
        out.append(_HEAD.pack(SET, 0, ttl_ms))
        _items(out, list(value))
    elif isinstance(value, dict):
        out.append(_HEAD.pack(HASH, 0, ttl_ms))
        flat: list[bytes] = []
        for field, item in value.items():
            flat.append(field)
            flat.append(item)
        _items(out, flat)
    elif isinstance(value, ZSet):
        out.append(_HEAD.pack(ZSET, 1 if value.listpack else 0, ttl_ms))
        pairs = list(value.items())
        out.append(_U32.pack(len(pairs)))
        for member, score in pairs:
            out.append(_U32.pack(len(member)))
            out.append(member)
            out.append(_DOUBLE.pack(score))
    else:
        raise TypeError(f"cannot dump a {type(value).__name__}")
    body = b"".join(out)
    head = body + _FOOTER.pack(MAGIC, VERSION, 0)[:3]
    return head + _U32.pack(zlib.crc32(head))


def verify(payload: bytes) -> bool:
    """True when ``payload`` ends with our magic, version and a matching checksum."""
    if len(payload) < _HEAD.size + _FOOTER.size:
        return False
    magic, version, crc = _FOOTER.unpack_from(payload, len(payload) - _FOOTER.size)
    if magic != MAGIC or version != VERSION:
        return False
    return bool(zlib.crc32(memoryview(payload)[:-4]) == crc)


class _Reader:
    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data = data
        self.pos = pos
        self.end = end

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise BadPayload("truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u32(self) -> int:
        value: int = _U32.unpack(self.take(4))[0]
        return value

    def item(self) -> bytes:
        return self.take(self.u32())

    def items(self) -> list[bytes]:
        count = self.u32()
        if count * 4 > self.end - self.pos:
            raise BadPayload("count too large")
        return [self.item() for _ in range(count)]


def decode(payload: bytes) -> tuple[object, int]:
    """(value, dumped ttl ms) from a payload that passed :func:`verify`."""
    kind, hint, ttl = _HEAD.unpack_from(payload, 0)
    reader = _Reader(payload, _HEAD.size, len(payload) - _FOOTER.size)
    value: object
    if kind == STRING:
        value = reader.take(reader.end - reader.pos)
    elif kind == LIST:
        value = deque(_nonempty(reader.items()))
    elif kind == SET:
        members = _nonempty(reader.items())
        rset = RedisSet(intset=bool(hint))
        rset.members.update(members)
        if len(rset.members) != len(members):
            raise BadPayload("duplicate set member")
        value = rset
    elif kind == HASH:
        flat = _nonempty(reader.items())
        if len(flat) % 2:
            raise BadPayload("odd hash")
        value = dict(zip(flat[::2], flat[1::2], strict=True))
        if len(value) * 2 != len(flat):
            raise BadPayload("duplicate hash field")
    elif kind == ZSET:
        zset = ZSet(listpack=bool(hint))
        count = reader.u32()
        if count == 0:
            raise BadPayload("empty zset")
        for _ in range(count):
            member = reader.item()
            (score,) = _DOUBLE.unpack(reader.take(8))
            if math.isnan(score) or member in zset:
                raise BadPayload("bad zset entry")
            zset.insert(member, score)
        zset.listpack = bool(hint)
        value = zset
    else:
        raise BadPayload(f"unknown type {kind}")
    if reader.pos != reader.end:
        raise BadPayload("trailing bytes")
    return value, ttl


def _nonempty(items: list[bytes]) -> list[bytes]:
    if not items:
        raise BadPayload("empty collection")
    return items
