"""The keyspace: typed values, expiry (lazy on access, active from the event loop), WATCH
signalling, and an optional slot -> keys index for cluster mode.

Values are plain Python objects; their type decides the Redis type (see
:data:`VALUE_TYPES`): ``bytes`` is a string, ``collections.deque`` a list, ``set`` a set,
``dict`` a hash; the zset class registers itself with :func:`register_value_type`.

Contract for command handlers:
- read with :meth:`Keyspace.get` / :meth:`Keyspace.get_typed` (expired keys vanish here);
- store a new value with :meth:`Keyspace.set`, delete with :meth:`Keyspace.delete`;
- after mutating a stored collection *in place*, call :meth:`Keyspace.modified` (this
  counts the change in ``dirty``, which is what makes the dispatcher propagate the
  command to the AOF and replicas, and it breaks the WATCH of other clients);
- a collection that becomes empty must be deleted (Redis never keeps empty keys).
"""

from __future__ import annotations

import bisect
import heapq
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

from nodes.errors import WrongTypeError
from nodes.keyslot import HASH_SLOTS, keyslot

T = TypeVar("T")

VALUE_TYPES: dict[type, bytes] = {bytes: b"string", deque: b"list", set: b"set", dict: b"hash"}


def register_value_type(cls: type, name: bytes) -> None:
    """Declare that values of ``cls`` are of Redis type ``name`` (for TYPE, SCAN TYPE)."""
    VALUE_TYPES[cls] = name


def type_name(value: object) -> bytes:
    return VALUE_TYPES[type(value)]


class Watcher(Protocol):
    """A client that WATCHes keys: its ``dirty_cas`` becomes True when one changes."""

    dirty_cas: bool


ExpiredListener = Callable[[bytes], None]


class Keyspace:
    """One database (Redis db 0). ``clock_ms`` gives the current time in milliseconds
    (the event loop clock, so tests can control it)."""

    def __init__(self, clock_ms: Callable[[], int], *, slot_index: bool = False) -> None:
        self.clock_ms = clock_ms
        self.data: dict[bytes, object] = {}
        self.expires: dict[bytes, int] = {}
        self._expiry_heap: list[tuple[int, bytes]] = []
        self.dirty = 0
        """Number of changes so far (like ``server.dirty``); dispatch compares it."""
        self.expire_enabled = True
        """False on a replica: expired keys read as missing but are not deleted."""
        self.expired_listeners: list[ExpiredListener] = []
        """Called with the key after an expired key was deleted (to propagate a DEL)."""
        self.expired_keys = 0
        self._watched: dict[bytes, set[Watcher]] = {}
        self._scan_order: tuple[int, list[tuple[int, bytes]]] | None = None
        self.change_listener: Callable[[bytes], None] | None = None
        """Told of every changed key (client-side caching: :mod:`nodes.tracking`)."""
        self.flush_listener: Callable[[], None] | None = None
        """Told when this database is emptied (:mod:`nodes.tracking`)."""
        self.waited_keys: set[bytes] = set()
        """Keys clients are blocked on (maintained by :mod:`nodes.blocking`)."""
        self.ready_keys: dict[bytes, None] = {}
        """Waited keys that received a value since the blocked clients were last served."""
        self._slots: list[dict[bytes, None]] | None = (
            [{} for _ in range(HASH_SLOTS)] if slot_index else None
        )

    # ---- lookups -------------------------------------------------------------------
    def get(self, key: bytes) -> object | None:
        """The live value of ``key`` or ``None`` (an expired key is removed here)."""
        value = self.data.get(key)
        if value is not None and self.expires and key in self.expires:
            when = self.expires[key]
            if when <= self.clock_ms():
                self._expire(key)
                return None
        return value

    def get_typed(self, key: bytes, kind: type[T]) -> T | None:
        """The value of ``key`` if it is a ``kind``; ``None`` if missing; raises
        :class:`WrongTypeError` if it holds another type."""
        value = self.get(key)
        if value is None:
            return None
        if type(value) is not kind:
            raise WrongTypeError()
        return value

    def get_string(self, key: bytes) -> bytes | None:
        """The string at ``key`` or ``None``; :class:`WrongTypeError` for another type.
        (``get`` inlined: this is GET's hot path.)"""
        value = self.data.get(key)
        if value is None:
            return None
        expires = self.expires
        if expires and key in expires and expires[key] <= self.clock_ms():
            self._expire(key)
            return None
        if type(value) is bytes:
            return value
        raise WrongTypeError()

    def exists(self, key: bytes) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None

    # ---- writes --------------------------------------------------------------------
    def set(self, key: bytes, value: object, *, keep_ttl: bool = False) -> None:
        """Store ``value`` (replacing any value of any type); the TTL is cleared unless
        ``keep_ttl``."""
        data = self.data
        if self._slots is not None and key not in data:
            self._slots[keyslot(key)][key] = None
        data[key] = value
        if not keep_ttl and self.expires:
            self.expires.pop(key, None)
        self.dirty += 1
        if self._watched or self.change_listener is not None:
            self._touch(key)
        if self.waited_keys and key in self.waited_keys:
            self.ready_keys[key] = None

    def delete(self, key: bytes) -> bool:
        """Remove ``key``; True if it existed (and was not expired)."""
        if self.get(key) is None:
            return False
        self._remove(key)
        self.dirty += 1
        if self._watched or self.change_listener is not None:
            self._touch(key)
        return True

    def modified(self, key: bytes) -> None:
        """Signal an in-place change of ``key``'s value (dirty count and WATCH)."""
        self.dirty += 1
        if self._watched or self.change_listener is not None:
            self._touch(key)

    def flush(self) -> int:
        """Remove every key; returns how many there were."""
        count = len(self.data)
        if self._watched:
            for key, watchers in self._watched.items():
                if key in self.data:
                    for watcher in watchers:
                        watcher.dirty_cas = True
        self.data = {}
        self.expires = {}
        self._expiry_heap = []
        if self.flush_listener is not None:
            self.flush_listener()
        if self._slots is not None:
            self._slots = [{} for _ in range(HASH_SLOTS)]
        self.dirty += 1
        return count

    # ---- expiry --------------------------------------------------------------------
    def set_expire_at(self, key: bytes, when_ms: int) -> None:
        """Give an existing ``key`` an absolute expiry time (ms since the epoch)."""
        self.expires[key] = when_ms
        heapq.heappush(self._expiry_heap, (when_ms, key))
        if len(self._expiry_heap) > 2 * len(self.expires) + 1024:
            self._expiry_heap = [(w, k) for k, w in self.expires.items()]
            heapq.heapify(self._expiry_heap)
        self.modified(key)

    def persist(self, key: bytes) -> bool:
        if self.get(key) is None or key not in self.expires:
            return False
        del self.expires[key]
        self.modified(key)
        return True

    def expire_time(self, key: bytes) -> int | None:
        """Absolute expiry (ms) of a live key, ``None`` when it has no TTL."""
        return self.expires.get(key)

    def active_expire(self, max_keys: int = 200) -> int:
        """Delete up to ``max_keys`` keys whose time has come; returns how many."""
        if not self.expire_enabled:
            return 0
        now = self.clock_ms()
        heap = self._expiry_heap
        done = 0
        while heap and heap[0][0] <= now and done < max_keys:
            when, key = heapq.heappop(heap)
            if self.expires.get(key) == when:
                self._expire(key)
                done += 1
        return done

    def _expire(self, key: bytes) -> None:
        if not self.expire_enabled:
            return
        self._remove(key)
        self.expired_keys += 1
        self.dirty += 1
        if self._watched or self.change_listener is not None:
            self._touch(key)
        for listener in self.expired_listeners:
            listener(key)

    def _remove(self, key: bytes) -> None:
        del self.data[key]
        if self.expires:
            self.expires.pop(key, None)
        if self._slots is not None:
            self._slots[keyslot(key)].pop(key, None)

    # ---- iteration -----------------------------------------------------------------
    def live_keys(self) -> Iterator[bytes]:
        """Live keys (a snapshot; expired keys skipped, not removed)."""
        now = self.clock_ms()
        expires = self.expires
        for key in list(self.data):
            when = expires.get(key)
            if when is None or when > now:
                yield key

    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        """One SCAN step: keys whose 32-bit hash is >= ``cursor`` in hash order, about
        ``count`` of them, and the next cursor (0 when done). A key present for the whole
        iteration is returned at least once. With the slot index the cursor is a slot
        number and a step costs O(count), not O(keys)."""
        if self._slots is not None:
            return self._scan_slots(cursor, count)
        # Keys sorted by hash, rebuilt only after a change: a SCAN loop over an idle
        # keyspace costs O(log n + count) per step.
        if self._scan_order is None or self._scan_order[0] != self.dirty:
            ordered = sorted((zlib.crc32(k), k) for k in self.data)
            self._scan_order = (self.dirty, ordered)
        ordered = self._scan_order[1]
        i = bisect.bisect_left(ordered, (cursor, b""))
        end = min(i + count, len(ordered))
        if end < len(ordered):
            last = ordered[end - 1][0]
            while end < len(ordered) and ordered[end][0] == last:
                end += 1
        now = self.clock_ms()
        expires = self.expires
        found = [k for _, k in ordered[i:end] if expires.get(k, now + 1) > now]
        if end >= len(ordered):
            self._scan_order = None  # a finished scan releases its snapshot
            return 0, found
        return ordered[end][0], found

    def _scan_slots(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        slots = self._slots
        assert slots is not None
        now = self.clock_ms()
        expires = self.expires
        slot = cursor
        found: list[bytes] = []
        while slot < HASH_SLOTS and len(found) < count:
            for key in slots[slot]:
                when = expires.get(key)
                if when is None or when > now:
                    found.append(key)
            slot += 1
        return (0 if slot >= HASH_SLOTS else slot), found

    # ---- cluster slot index --------------------------------------------------------
    def count_keys_in_slot(self, slot: int) -> int:
        if self._slots is None:
            return sum(1 for k in self.data if keyslot(k) == slot)
        return len(self._slots[slot])

    def keys_in_slot(self, slot: int, count: int) -> list[bytes]:
        if self._slots is None:
            return [k for k in self.data if keyslot(k) == slot][:count]
        result: list[bytes] = []
        for key in self._slots[slot]:
            if len(result) >= count:
                break
            result.append(key)
        return result

    # ---- WATCH ---------------------------------------------------------------------
    def watch(self, key: bytes, watcher: Watcher) -> None:
        self._watched.setdefault(key, set()).add(watcher)

    def unwatch(self, key: bytes, watcher: Watcher) -> None:
        watchers = self._watched.get(key)
        if watchers is not None:
            watchers.discard(watcher)
            if not watchers:
                del self._watched[key]

    def touch_all_watched(self) -> None:
        """Fail every transaction WATCHing a key here (SWAPDB replaced the contents)."""
        for key in list(self._watched):
            self._touch(key)

    def _touch(self, key: bytes) -> None:
        for watcher in self._watched.get(key, ()):
            watcher.dirty_cas = True
        if self.change_listener is not None:
            self.change_listener(key)
