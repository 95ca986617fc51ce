"""DEBUG DIGEST and DIGEST-VALUE: redis 7.0's dataset digest, bit for bit.

A digest is 20 bytes built from SHA-1 in two ways (redis's ``debug.c``):

- *xor* ``d ^= SHA1(data)``: order-free, for the members of sets, hashes, sorted sets
  and for the keys of a database;
- *mix* ``d = SHA1(d ^ SHA1(data))``: ordered, for list elements and for the parts of one
  key (its name, its type, its value).

One key's digest mixes the key name, the 32-bit big-endian type number, then the value;
a key with an expiry xors in ``"!!expire!!"``. The dataset digest mixes each non-empty
database's number and xors in each of its keys' digests. Keys are read as stored, expired
or not (redis walks the dict without expiring). So a replica that holds the same data as
its primary answers the same digest, and so does redis-server for the same dataset: what
redis's own tests compare.

Pure: reads values, writes nothing.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable

from nodes.keyspace import Keyspace, type_name

DIGEST_LEN = 20
_EXPIRE_MARK = b"!!expire!!"

OBJECT_TYPES: dict[bytes, int] = {
    b"string": 0,
    b"list": 1,
    b"set": 2,
    b"zset": 3,
    b"hash": 4,
    b"stream": 6,
}
"""redis's ``OBJ_*`` type numbers, by TYPE name."""


def _xor(digest: bytearray, data: bytes) -> None:
    for i, byte in enumerate(hashlib.sha1(data).digest()):
        digest[i] ^= byte


def _mix(digest: bytearray, data: bytes) -> None:
    _xor(digest, data)
    digest[:] = hashlib.sha1(bytes(digest)).digest()


def _score(score: float) -> bytes:
    """C's ``%.17g`` of a double (``inf``, ``-inf`` as C prints them)."""
    return b"%.17g" % score


def _mix_value(digest: bytearray, value: object) -> None:
    kind = type_name(value)
    _mix(digest, OBJECT_TYPES[kind].to_bytes(4, "big"))
    if kind == b"string":
        assert isinstance(value, bytes)
        _mix(digest, value)
    elif kind == b"list":
        assert isinstance(value, deque)
        for element in value:
            _mix(digest, element)
    elif kind == b"set":
        assert isinstance(value, Iterable)
        for member in value:
            _xor(digest, member)
    elif kind == b"hash":
        assert isinstance(value, dict)
        for field, text in value.items():
            pair = bytearray(DIGEST_LEN)
            _mix(pair, field)
            _mix(pair, text)
            _xor(digest, bytes(pair))
    elif kind == b"zset":
        for member, score in value.items():  # type: ignore[attr-defined]
            pair = bytearray(DIGEST_LEN)
            _mix(pair, member)
            _mix(pair, _score(score))
            _xor(digest, bytes(pair))
    elif kind == b"stream":
        for part in value.digest_parts():  # type: ignore[attr-defined]
            _mix(digest, part)
    else:  # a type without a digest rule yet: its name stands for it
        _mix(digest, kind)


def _mix_stored(digest: bytearray, space: Keyspace, key: bytes, value: object) -> None:
    """A stored key's value, then its expiry mark if it has one."""
    _mix_value(digest, value)
    if key in space.expires:
        _xor(digest, _EXPIRE_MARK)


def value_digest(space: Keyspace, key: bytes) -> bytes:
    """DEBUG DIGEST-VALUE of ``key``: 20 zero bytes when the key is not stored."""
    digest = bytearray(DIGEST_LEN)
    value = space.data.get(key)
    if value is not None:
        _mix_stored(digest, space, key, value)
    return bytes(digest)


def dataset_digest(databases: Iterable[tuple[int, Keyspace]]) -> bytes:
    """DEBUG DIGEST over ``(db number, keyspace)`` pairs: 20 zero bytes when all are empty."""
    final = bytearray(DIGEST_LEN)
    for index, space in databases:
        if not space.data:
            continue
        _mix(final, index.to_bytes(4, "big"))
        for key, value in space.data.items():
            digest = bytearray(DIGEST_LEN)
            _mix(digest, key)
            _mix_stored(digest, space, key, value)
            _xor(final, bytes(digest))
    return bytes(final)
