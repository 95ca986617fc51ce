"""Frozen values: copies of keyspace values that later writes cannot change, taken at
C speed (``tuple(deque)``, ``tuple(dict.items())``...), so a snapshot of the whole
keyspace is cheap on the event loop and can be encoded afterwards in another thread.
Each frozen form also carries the encoding redis would use (intset, listpack)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import NamedTuple

from nodes.keyspace import Keyspace
from nodes.types.sets import RedisSet
from nodes.types.zset import ZSet


class FrozenList(NamedTuple):
    items: tuple[bytes, ...]


class FrozenSet(NamedTuple):
    intset: bool
    members: tuple[bytes, ...]


class FrozenHash(NamedTuple):
    pairs: tuple[tuple[bytes, bytes], ...]


class FrozenZSet(NamedTuple):
    listpack: bool
    pairs: list[tuple[float, bytes]]
    """(score, member), ascending."""


Frozen = bytes | FrozenList | FrozenSet | FrozenHash | FrozenZSet


class Entry(NamedTuple):
    key: bytes
    value: Frozen
    expire_ms: int | None


def freeze(value: object) -> Frozen:
    """The frozen copy of a keyspace value; TypeError for a type RDB cannot hold."""
    kind = type(value)
    if kind is bytes:
        assert isinstance(value, bytes)
        return value
    if isinstance(value, deque):
        return FrozenList(tuple(value))
    if isinstance(value, dict):
        return FrozenHash(tuple(value.items()))
    if isinstance(value, RedisSet):
        return FrozenSet(value.intset, tuple(value.members))
    if isinstance(value, set):
        return FrozenSet(False, tuple(value))
    if isinstance(value, ZSet):
        return FrozenZSet(value.listpack, value.by_rank(0, len(value) - 1, reverse=False))
    raise TypeError(f"no RDB encoding for a {kind.__name__}")


Entries = Iterator[Entry]


class Snapshot(NamedTuple):
    """The keyspace at one instant: live keys only."""

    entries: list[Entry]
    expires: int
    """How many entries have an expiry (for RESIZEDB)."""


def take(keyspace: Keyspace) -> Snapshot:
    """Freeze every live key of ``keyspace`` (runs on the event loop: C-speed copies)."""
    data = keyspace.data
    expires = keyspace.expires
    entries = [Entry(key, freeze(data[key]), expires.get(key)) for key in keyspace.live_keys()]
    return Snapshot(entries, sum(1 for e in entries if e.expire_ms is not None))
