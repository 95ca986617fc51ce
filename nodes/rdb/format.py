"""RDB numbers and the writing half of its primitives: lengths, strings (with the
integer and LZF encodings redis chooses), doubles.

Facts from redis 7.0's ``rdb.h``: a length is 6 bits (``00``), 14 bits (``01``), or a
0x80 / 0x81 byte followed by a big-endian 32 / 64-bit number; ``11`` prefixes a
special string encoding (0/1/2: an 8/16/32-bit little-endian integer, 3: LZF).
"""

from __future__ import annotations

import struct
import zlib
from typing import Final

from nodes.rdb import lzf

RDB_VERSION: Final = 10
"""What redis 7.0 writes; we load files up to this version."""

# Value types.
TYPE_STRING: Final = 0
TYPE_LIST: Final = 1
TYPE_SET: Final = 2
TYPE_ZSET: Final = 3
TYPE_HASH: Final = 4
TYPE_ZSET_2: Final = 5
TYPE_MODULE: Final = 6
TYPE_MODULE_2: Final = 7
TYPE_HASH_ZIPMAP: Final = 9
TYPE_LIST_ZIPLIST: Final = 10
TYPE_SET_INTSET: Final = 11
TYPE_ZSET_ZIPLIST: Final = 12
TYPE_HASH_ZIPLIST: Final = 13
TYPE_LIST_QUICKLIST: Final = 14
TYPE_STREAM_LISTPACKS: Final = 15
TYPE_HASH_LISTPACK: Final = 16
TYPE_ZSET_LISTPACK: Final = 17
TYPE_LIST_QUICKLIST_2: Final = 18
TYPE_STREAM_LISTPACKS_2: Final = 19

TYPE_NAMES: Final = {
    TYPE_MODULE: "module",
    TYPE_MODULE_2: "module",
    TYPE_HASH_ZIPMAP: "hash (zipmap)",
    TYPE_STREAM_LISTPACKS: "stream",
    TYPE_STREAM_LISTPACKS_2: "stream",
    20: "set (listpack, redis 7.2)",
    21: "stream (redis 7.2)",
}
"""Types we recognise but do not load, for the error message."""

# Opcodes.
OP_FUNCTION2: Final = 0xF5
OP_FUNCTION: Final = 0xF6
OP_MODULE_AUX: Final = 0xF7
OP_IDLE: Final = 0xF8
OP_FREQ: Final = 0xF9
OP_AUX: Final = 0xFA
OP_RESIZEDB: Final = 0xFB
OP_EXPIRETIME_MS: Final = 0xFC
OP_EXPIRETIME: Final = 0xFD
OP_SELECTDB: Final = 0xFE
OP_EOF: Final = 0xFF

ENC_INT8: Final = 0
ENC_INT16: Final = 1
ENC_INT32: Final = 2
ENC_LZF: Final = 3

COMPRESS_MIN: Final = 21
"""redis tries LZF on strings longer than 20 bytes (``rdbcompression yes``)."""
COMPRESS_MAX: Final = 1 << 20
"""Ours (a Python LZF, 0.3 to 4 MB/s) only up to this size; longer strings are written
plain, which every loader accepts. Files (dump.rdb, AOF base, full sync) are written
without compression at all, like ``rdbcompression no``: DUMP payloads are where
redis's exact bytes matter."""
PROBE_MIN: Final = 1 << 16
"""From this size a C-speed probe (deflate with fixed codes: only repeats shrink it)
skips LZF for data with little to gain, where Python LZF is slowest (about 45 ms per
64 KiB). The probe is a guess: data LZF shrinks by a few per cent can pass for
incompressible, and is then written plain where redis compresses it. Below this size
LZF always runs, so DUMP's bytes are redis's (listpacks and quicklist nodes stay under
it with the default ``*-max-listpack-size``)."""

_I8 = struct.Struct("<b")
_I16 = struct.Struct("<h")
_I32 = struct.Struct("<i")
_U32BE = struct.Struct(">I")
_U64BE = struct.Struct(">Q")
DOUBLE = struct.Struct("<d")
MILLIS = struct.Struct("<q")
SECONDS = struct.Struct("<i")


class RdbError(Exception):
    """RDB input we cannot load (damaged, or a type we do not serve); the text says what."""


def length(n: int) -> bytes:
    """The RDB length encoding of ``n``."""
    if n < 1 << 6:
        return bytes((n,))
    if n < 1 << 14:
        return bytes((0x40 | (n >> 8), n & 0xFF))
    if n <= 0xFFFFFFFF:
        return b"\x80" + _U32BE.pack(n)
    return b"\x81" + _U64BE.pack(n)


def _canonical_int(data: bytes) -> int | None:
    """The value of a canonical decimal integer (what ``string2ll`` + round trip
    accepts: no sign on zero, no leading zeros or spaces), else None."""
    if not data or len(data) > 20:
        return None
    try:
        value = int(data)
    except ValueError:
        return None
    if str(value).encode() != data:
        return None
    return value


def int_string(value: int) -> bytes | None:
    """The integer encoding of ``value`` if it fits 32 bits (what redis writes)."""
    if -(1 << 7) <= value < 1 << 7:
        return b"\xc0" + _I8.pack(value)
    if -(1 << 15) <= value < 1 << 15:
        return b"\xc1" + _I16.pack(value)
    if -(1 << 31) <= value < 1 << 31:
        return b"\xc2" + _I32.pack(value)
    return None


def _may_compress(data: bytes) -> bool:
    if len(data) < PROBE_MIN:
        return True
    probe = zlib.compressobj(1, zlib.DEFLATED, -15, 9, zlib.Z_FIXED)
    size = len(probe.compress(data)) + len(probe.flush())
    return size < len(data) - len(data) // 16


def string(data: bytes, *, compress: bool = True) -> bytes:
    """A string as redis's ``rdbSaveRawString`` writes it: a short canonical integer
    as an integer encoding, a longer string LZF-compressed when that saves more than 4
    bytes (``compress``), else length + bytes."""
    size = len(data)
    if size <= 11:
        value = _canonical_int(data)
        if value is not None:
            encoded = int_string(value)
            if encoded is not None:
                return encoded
    if compress and COMPRESS_MIN <= size <= COMPRESS_MAX and _may_compress(data):
        packed = lzf.compress(data, size - 4)
        if packed is not None:
            return b"\xc3" + length(len(packed)) + length(size) + packed
    return length(size) + data


def aux(key: bytes, value: bytes) -> bytes:
    """An aux field (``0xFA key value``)."""
    return bytes((OP_AUX,)) + string(key) + string(value)
