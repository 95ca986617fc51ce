"""Frozen values: copies of keyspace values that later writes cannot change, taken at
C speed (``tuple(deque)``, ``tuple(dict.items())``...), so a snapshot of the whole
keyspace is cheap on the event loop and can be encoded afterwards in another thread.
Each frozen form also carries the encoding redis would use (intset, listpack)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from nodes.keyspace import Keyspace
from nodes.rdb.stream_codec import FrozenStream
from nodes.rdb.stream_codec import freeze as freeze_stream
from nodes.types.sets import RedisSet
from nodes.types.stream import Stream
from nodes.types.zset import ZSet

if TYPE_CHECKING:
    from nodes.databases import Databases


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


Frozen = bytes | FrozenList | FrozenSet | FrozenHash | FrozenZSet | FrozenStream


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
    if isinstance(value, Stream):
        return freeze_stream(value)
    raise TypeError(f"no RDB encoding for a {kind.__name__}")


class Snapshot:
    """The keyspace at one instant. Taking it costs two C-speed dict copies and a
    freeze of the collection values only (strings are immutable already); the per-key
    work (expiry filter, entries) happens later, in whichever thread encodes."""

    __slots__ = ("collections", "data", "expires", "now_ms")

    def __init__(self, keyspace: Keyspace) -> None:
        self.data = dict(keyspace.data)
        self.expires = dict(keyspace.expires)
        self.now_ms = keyspace.clock_ms()
        self.collections = {k: freeze(v) for k, v in self.data.items() if type(v) is not bytes}

    def _live(self, key: bytes) -> bool:
        when = self.expires.get(key)
        return when is None or when > self.now_ms

    def counts(self) -> tuple[int, int]:
        """(live keys, live keys with an expiry), for RESIZEDB."""
        live = sum(1 for k in self.data if self._live(k))
        with_ttl = sum(1 for k in self.expires if k in self.data and self._live(k))
        return live, with_ttl

    def entries(self) -> Iterator[Entry]:
        """Every live key, frozen."""
        collections = self.collections
        expires = self.expires
        for key, value in self.data.items():
            if not self._live(key):
                continue
            frozen = collections.get(key)
            if frozen is None:
                assert isinstance(value, bytes)
                frozen = value
            yield Entry(key, frozen, expires.get(key))


def take(keyspace: Keyspace) -> Snapshot:
    """Freeze ``keyspace`` (on the event loop)."""
    return Snapshot(keyspace)


Dataset = list[tuple[int, Snapshot]]
"""Every database of a server, frozen: (number, snapshot), in number order."""


def take_all(databases: Databases) -> Dataset:
    """Freeze every database made so far (on the event loop); SAVE, BGSAVE, the AOF base
    and a full sync write them all, each after its SELECTDB, as redis does."""
    return [(index, Snapshot(space)) for index, space in databases.live()]
