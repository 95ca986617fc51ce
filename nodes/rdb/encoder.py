"""A frozen value -> its RDB type byte and encoding, choosing what redis 7.0 writes:

- string: type 0 (integer or LZF string encodings as :func:`nodes.rdb.format.string`);
- list: quicklist 2 (type 18), nodes of listpacks filled to 8 KB as redis's
  ``list-max-listpack-size -2`` fills them on RPUSH;
- set: intset (11) when the set is an intset, else a plain set (2);
- hash: listpack (16) up to 128 fields with fields and values of at most 64 bytes
  (``hash-max-listpack-*``), else a plain hash (4);
- sorted set: listpack (17) when the set is a listpack (scores written with redis's
  ``d2string``), else type 5 (binary doubles, highest score first as redis writes).

For these (small, deterministic) encodings the bytes equal redis-server's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Final

from nodes.rdb import intset, listpack
from nodes.rdb.format import (
    DOUBLE,
    TYPE_HASH,
    TYPE_HASH_LISTPACK,
    TYPE_LIST_QUICKLIST_2,
    TYPE_SET,
    TYPE_SET_INTSET,
    TYPE_STRING,
    TYPE_ZSET_2,
    TYPE_ZSET_LISTPACK,
    length,
    string,
)
from nodes.rdb.snapshot import Frozen, FrozenHash, FrozenList, FrozenSet, FrozenZSet

HASH_MAX_LISTPACK_ENTRIES: Final = 128
HASH_MAX_LISTPACK_VALUE: Final = 64
LIST_NODE_BYTES: Final = 8192
"""``list-max-listpack-size -2``: a quicklist node's listpack stays within 8 KB."""
_NODE_OVERHEAD: Final = 8
"""redis's ``SIZE_ESTIMATE_OVERHEAD`` in the node-full test."""
_QUICKLIST_PACKED: Final = 2
_HALF_LLONG: Final = float((2**63 - 1) // 2)


def d2string(score: float) -> bytes:
    """A score as redis's ``d2string`` prints it (integers without a fraction)."""
    if math.isnan(score):
        return b"nan"
    if math.isinf(score):
        return b"inf" if score > 0 else b"-inf"
    if score == 0:
        return b"-0" if math.copysign(1.0, score) < 0 else b"0"
    if -_HALF_LLONG <= score <= _HALF_LLONG and score == int(score):
        return b"%d" % int(score)
    return b"%.17g" % score


def _quicklist(items: tuple[bytes, ...], put: Callable[[bytes], bytes]) -> bytes:
    nodes: list[list[bytes]] = []
    current: list[bytes] = []
    size = 0
    for item in items:
        if current and size + len(item) + _NODE_OVERHEAD > LIST_NODE_BYTES:
            nodes.append(current)
            current = []
        if not current:
            size = listpack.HEADER + 1
        current.append(item)
        size += len(listpack.entry(item))
    if current:
        nodes.append(current)
    parts = [length(len(nodes))]
    for node in nodes:
        parts.append(length(_QUICKLIST_PACKED))
        parts.append(put(listpack.build(node)))
    return b"".join(parts)


def _hash_is_listpack(pairs: tuple[tuple[bytes, bytes], ...]) -> bool:
    if len(pairs) > HASH_MAX_LISTPACK_ENTRIES:
        return False
    limit = HASH_MAX_LISTPACK_VALUE
    return all(len(f) <= limit and len(v) <= limit for f, v in pairs)


def encode(value: Frozen, *, compress: bool = True) -> tuple[int, bytes]:
    """(RDB type, encoded value) of a frozen value; ``compress``: LZF-compress strings
    as redis does (DUMP payloads; files are written without, see COMPRESS_MAX)."""
    put = functools.partial(string, compress=compress)
    if isinstance(value, bytes):
        return TYPE_STRING, put(value)
    if isinstance(value, FrozenList):
        return TYPE_LIST_QUICKLIST_2, _quicklist(value.items, put)
    if isinstance(value, FrozenSet):
        if value.intset:
            numbers = [listpack.as_int64(m) for m in value.members]
            if all(n is not None for n in numbers):
                return TYPE_SET_INTSET, put(intset.build(n for n in numbers if n is not None))
        parts = [length(len(value.members)), *(put(m) for m in value.members)]
        return TYPE_SET, b"".join(parts)
    if isinstance(value, FrozenHash):
        if _hash_is_listpack(value.pairs):
            flat = [x for pair in value.pairs for x in pair]
            return TYPE_HASH_LISTPACK, put(listpack.build(flat))
        parts = [length(len(value.pairs))]
        for field, item in value.pairs:
            parts.append(put(field))
            parts.append(put(item))
        return TYPE_HASH, b"".join(parts)
    if isinstance(value, FrozenZSet):
        if value.listpack:
            flat = [x for score, member in value.pairs for x in (member, d2string(score))]
            return TYPE_ZSET_LISTPACK, put(listpack.build(flat))
        parts = [length(len(value.pairs))]
        pack = DOUBLE.pack
        for score, member in reversed(value.pairs):
            parts.append(put(member))
            parts.append(pack(score))
        return TYPE_ZSET_2, b"".join(parts)
    raise TypeError(f"no RDB encoding for {type(value).__name__}")
