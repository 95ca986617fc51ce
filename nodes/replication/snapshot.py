"""The full-resynchronisation snapshot: our own format, not an RDB file.

On the wire it travels like redis's RDB transfer, ``$<len>\\r\\n<payload>`` (no CRLF
after it); a real redis replica cannot parse the payload. The payload is::

    SBSNAP1\\n  <RESP commands that rebuild the dataset>  <crc32 of those, 8 hex digits>

The commands are the ones an AOF rewrite writes (SET, RPUSH, SADD, HSET, ZADD...,
then PEXPIREAT for keys with a TTL), so every value type the server knows round-trips.
"""

from __future__ import annotations

import zlib

from nodes.aof import SNAPSHOT_WRITERS, encode_command, read_commands
from nodes.keyspace import Keyspace

MAGIC = b"SBSNAP1\n"


class SnapshotError(Exception):
    """A snapshot payload that is cut short or fails its checksum."""


def encode_snapshot(keyspace: Keyspace) -> bytes:
    """The payload for the current dataset (expired keys left out)."""
    parts: list[bytes] = []
    for key in list(keyspace.live_keys()):
        value = keyspace.data[key]
        for argv in SNAPSHOT_WRITERS[type(value)](key, value):
            parts.append(encode_command(argv))
        when = keyspace.expires.get(key)
        if when is not None:
            parts.append(encode_command([b"PEXPIREAT", key, str(when).encode()]))
    body = b"".join(parts)
    return MAGIC + body + b"%08x" % zlib.crc32(body)


def decode_snapshot(payload: bytes) -> list[list[bytes]]:
    """The commands in a payload; raises :class:`SnapshotError` if it is damaged."""
    if not payload.startswith(MAGIC) or len(payload) < len(MAGIC) + 8:
        raise SnapshotError("not a splitbrain snapshot (bad magic)")
    body = payload[len(MAGIC) : -8]
    try:
        expected = int(payload[-8:], 16)
    except ValueError:
        raise SnapshotError("snapshot checksum unreadable") from None
    if zlib.crc32(body) != expected:
        raise SnapshotError("snapshot checksum mismatch")
    try:
        commands, valid = read_commands(body, "snapshot")
    except Exception as exc:  # AofError: corruption inside a payload whose crc matched
        raise SnapshotError(f"snapshot unreadable: {exc}") from None
    if valid != len(body):
        raise SnapshotError("snapshot cut short")
    return [argv for _, argv in commands]
