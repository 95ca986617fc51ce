"""DUMP / RESTORE payloads in redis's format (``createDumpPayload``): the value's RDB
type byte and encoding, the RDB version as 2 bytes little-endian (10), then the CRC-64
of all that, 8 bytes little-endian. So payloads move between splitbrain-server and
redis-server both ways, and equal values of deterministic encodings give equal bytes.

:func:`verify` is redis's ``verifyDumpPayload`` (version not newer than ours, checksum
right: else ``DUMP payload version or checksum are wrong``); :func:`decode` raises
:class:`BadPayload` on a body that does not parse (``Bad data format``).
"""

from __future__ import annotations

import struct

from nodes.rdb import encoder
from nodes.rdb.crc64 import crc64
from nodes.rdb.decoder import decode as decode_value
from nodes.rdb.format import RDB_VERSION, RdbError
from nodes.rdb.reader import Reader
from nodes.rdb.snapshot import freeze

_FOOTER = struct.Struct("<HQ")


class BadPayload(Exception):
    """A payload whose checksum is right but whose body cannot be loaded."""


def encode(value: object) -> bytes:
    """The DUMP payload of a keyspace value."""
    rdb_type, body = encoder.encode(freeze(value))
    head = bytes((rdb_type,)) + body + struct.pack("<H", RDB_VERSION)
    return head + struct.pack("<Q", crc64(head))


def verify(payload: bytes) -> bool:
    """True when the version is one we read and the CRC-64 matches."""
    if len(payload) < 10:
        return False
    version: int
    stored: int
    version, stored = _FOOTER.unpack_from(payload, len(payload) - 10)
    if version > RDB_VERSION:
        return False
    return crc64(memoryview(payload)[:-8]) == stored


def decode(payload: bytes) -> object:
    """The value of a payload that passed :func:`verify`."""
    r = Reader(payload, 0, len(payload) - 10)
    try:
        return decode_value(r.byte(), r)
    except RdbError as exc:
        raise BadPayload(str(exc)) from None
