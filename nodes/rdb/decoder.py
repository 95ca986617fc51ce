"""RDB value -> keyspace value (``bytes``, ``deque``, :class:`RedisSet`, ``dict``,
:class:`ZSet`), for every type redis 7.0 writes and the ziplist-era ones older files
hold (10 list, 12 zset, 13 hash, 14 quicklist; 3 the old text-score zset).

Malformed data raises :class:`RdbError` (RESTORE answers ``Bad data format``): bad
containers, duplicate hash fields or set members, NaN scores, empty collections.
Streams, modules and the zipmap hash are recognised and refused by name.
"""

from __future__ import annotations

import math
from collections import deque

from nodes.rdb import intset, listpack, ziplist
from nodes.rdb.format import (
    DOUBLE,
    TYPE_HASH,
    TYPE_HASH_LISTPACK,
    TYPE_HASH_ZIPLIST,
    TYPE_LIST,
    TYPE_LIST_QUICKLIST,
    TYPE_LIST_QUICKLIST_2,
    TYPE_LIST_ZIPLIST,
    TYPE_NAMES,
    TYPE_SET,
    TYPE_SET_INTSET,
    TYPE_STRING,
    TYPE_ZSET,
    TYPE_ZSET_2,
    TYPE_ZSET_LISTPACK,
    TYPE_ZSET_ZIPLIST,
    RdbError,
)
from nodes.rdb.reader import Reader
from nodes.types.sets import RedisSet
from nodes.types.zset import ZSet

VALUE_TYPES = frozenset(
    {
        TYPE_STRING,
        TYPE_LIST,
        TYPE_SET,
        TYPE_ZSET,
        TYPE_HASH,
        TYPE_ZSET_2,
        TYPE_LIST_ZIPLIST,
        TYPE_SET_INTSET,
        TYPE_ZSET_ZIPLIST,
        TYPE_HASH_ZIPLIST,
        TYPE_LIST_QUICKLIST,
        TYPE_HASH_LISTPACK,
        TYPE_ZSET_LISTPACK,
        TYPE_LIST_QUICKLIST_2,
    }
)
"""The value types we load."""


class UnsupportedType(RdbError):
    """A value type we recognise (or not) but do not serve; ``name`` says which."""

    def __init__(self, rdb_type: int) -> None:
        self.name = TYPE_NAMES.get(rdb_type, f"unknown type {rdb_type}")
        super().__init__(f"RDB value type {rdb_type} ({self.name}) is not supported")


def _score(text: bytes) -> float:
    try:
        score = float(text)
    except ValueError:
        raise RdbError(f"bad sorted set score {text[:40]!r}") from None
    if math.isnan(score):
        raise RdbError("NaN sorted set score")
    return score


def _list(items: list[bytes]) -> deque[bytes]:
    if not items:
        raise RdbError("empty list")
    return deque(items)


def _set(members: list[bytes], *, intset_encoded: bool) -> RedisSet:
    if not members:
        raise RdbError("empty set")
    value = RedisSet(intset=intset_encoded or len(members) <= 512)
    if value.add_all(members) != len(members):
        raise RdbError("duplicate set member")
    return value


def _hash(flat: list[bytes]) -> dict[bytes, bytes]:
    if not flat or len(flat) % 2:
        raise RdbError("empty hash or odd number of hash entries")
    value = dict(zip(flat[0::2], flat[1::2], strict=True))
    if len(value) * 2 != len(flat):
        raise RdbError("duplicate hash field")
    return value


def _zset(pairs: list[tuple[bytes, float]]) -> ZSet:
    if not pairs:
        raise RdbError("empty sorted set")
    value = ZSet(listpack=True)
    for member, score in pairs:
        if member in value:
            raise RdbError("duplicate sorted set member")
        value.insert(member, score)
    return value


def _quicklist(r: Reader, rdb_type: int) -> deque[bytes]:
    items: list[bytes] = []
    for _ in range(r.count()):
        container = r.length() if rdb_type == TYPE_LIST_QUICKLIST_2 else 2
        blob = r.string()
        if container == 1:  # a plain node: one big element
            items.append(blob)
        elif container == 2:
            node = listpack.entries(blob) if rdb_type == TYPE_LIST_QUICKLIST_2 else None
            items += ziplist.entries(blob) if node is None else node
        else:
            raise RdbError(f"bad quicklist container {container}")
    return _list(items)


def decode(rdb_type: int, r: Reader) -> object:
    """The value of type ``rdb_type`` at ``r``'s position (the cursor moves past it)."""
    if rdb_type == TYPE_STRING:
        return r.string()
    if rdb_type == TYPE_LIST:
        return _list([r.string() for _ in range(r.count())])
    if rdb_type == TYPE_SET:
        return _set([r.string() for _ in range(r.count())], intset_encoded=False)
    if rdb_type == TYPE_HASH:
        return _hash([r.string() for _ in range(r.count(2) * 2)])
    if rdb_type == TYPE_ZSET_2:
        return _zset([(r.string(), DOUBLE.unpack(r.take(8))[0]) for _ in range(r.count(9))])
    if rdb_type == TYPE_ZSET:
        pairs = []
        for _ in range(r.count(2)):
            member = r.string()
            size = r.byte()
            text = {253: b"nan", 254: b"inf", 255: b"-inf"}.get(size)
            pairs.append((member, _score(text if text is not None else r.take(size))))
        return _zset(pairs)
    if rdb_type in (TYPE_LIST_QUICKLIST, TYPE_LIST_QUICKLIST_2):
        return _quicklist(r, rdb_type)
    if rdb_type not in VALUE_TYPES:
        raise UnsupportedType(rdb_type)
    blob = r.string()
    if rdb_type == TYPE_SET_INTSET:
        return _set(intset.members(blob), intset_encoded=True)
    if rdb_type == TYPE_LIST_ZIPLIST:
        return _list(ziplist.entries(blob))
    if rdb_type in (TYPE_HASH_LISTPACK, TYPE_HASH_ZIPLIST):
        flat = listpack.entries(blob) if rdb_type == TYPE_HASH_LISTPACK else ziplist.entries(blob)
        return _hash(flat)
    flat = listpack.entries(blob) if rdb_type == TYPE_ZSET_LISTPACK else ziplist.entries(blob)
    if len(flat) % 2:
        raise RdbError("odd number of sorted set entries")
    return _zset([(m, _score(s)) for m, s in zip(flat[0::2], flat[1::2], strict=True)])
