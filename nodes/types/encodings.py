"""Which internal representation redis-server 7.0 would hold for a value (OBJECT
ENCODING), and a rough estimate of its memory (MEMORY USAGE).

* strings: ``int`` for a canonical 64-bit integer of at most 20 characters, ``embstr`` up
  to 44 bytes, ``raw`` beyond (judged from the content: redis also reports ``raw`` for a
  short string that APPEND or SETRANGE made, which this does not track);
* lists: ``quicklist`` (redis 7.0 has no plain listpack lists);
* sets: ``intset`` while :class:`RedisSet` says so, else ``hashtable``;
* sorted sets: ``listpack`` while :class:`ZSet` says so, else ``skiplist``;
* hashes: ``listpack`` while the hash is within ``hash-max-listpack-entries`` and
  ``hash-max-listpack-value`` (judged from the current content; redis never converts a
  hash table back, which this does not track), else ``hashtable``.
"""

from __future__ import annotations

from collections import deque

from nodes.resp.parser import string2ll
from nodes.types.limits import LIMITS
from nodes.types.sets import RedisSet
from nodes.types.zset import ZSet

EMBSTR_SIZE_LIMIT = 44
SHARED_INTEGERS = 10000


def _is_long(value: bytes) -> bool:
    return len(value) <= 20 and string2ll(value) is not None


def encoding_of(value: object) -> bytes:
    if isinstance(value, bytes):
        if _is_long(value):
            return b"int"
        return b"embstr" if len(value) <= EMBSTR_SIZE_LIMIT else b"raw"
    if isinstance(value, deque):
        return b"quicklist"
    if isinstance(value, RedisSet):
        return b"intset" if value.intset else b"hashtable"
    if isinstance(value, ZSet):
        return b"listpack" if value.listpack else b"skiplist"
    if isinstance(value, dict):
        limit = LIMITS.hash_max_listpack_value
        small = len(value) <= LIMITS.hash_max_listpack_entries and all(
            len(f) <= limit and len(v) <= limit for f, v in value.items()
        )
        return b"listpack" if small else b"hashtable"
    return b"unknown"


def shared_integer(value: object) -> bool:
    """Whether redis would store ``value`` as one of its shared integer objects."""
    if not isinstance(value, bytes) or not _is_long(value):
        return False
    number = string2ll(value)
    return number is not None and 0 <= number < SHARED_INTEGERS


_OBJECT = 16
_ENTRY = 24
"""Bytes of a redis object header and of a dict entry (64-bit build)."""


def estimated_memory(key: bytes, value: object) -> int:
    """An estimate of the bytes redis would use for ``key`` and ``value``."""
    total = _ENTRY + len(key) + 9 + _OBJECT
    if isinstance(value, bytes):
        return total + (0 if _is_long(value) else len(value) + 3)
    if isinstance(value, deque):
        return total + 48 + sum(len(item) + 2 for item in value)
    if isinstance(value, RedisSet):
        return total + 64 + sum(len(m) + _ENTRY + 9 for m in value)
    if isinstance(value, ZSet):
        return total + 96 + sum(len(m) + 48 for m, _ in value.items())
    if isinstance(value, dict):
        return total + 64 + sum(len(f) + len(v) + _ENTRY + 18 for f, v in value.items())
    return total
