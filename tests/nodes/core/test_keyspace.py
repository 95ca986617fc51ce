"""Keyspace: expiry on an injected clock, WATCH signalling, SCAN guarantee, slot index."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nodes.errors import WrongTypeError
from nodes.keyslot import keyslot
from nodes.keyspace import Keyspace


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000

    def __call__(self) -> int:
        return self.now


class Watcher:
    dirty_cas = False


def test_lazy_expiry_on_read_and_propagated_delete():
    clock = Clock()
    ks = Keyspace(clock)
    expired: list[bytes] = []
    ks.expired_listeners.append(expired.append)
    ks.set(b"k", b"v")
    ks.set_expire_at(b"k", clock.now + 100)
    clock.now += 99
    assert ks.get(b"k") == b"v"
    clock.now += 1
    assert ks.get(b"k") is None
    assert expired == [b"k"]
    assert len(ks) == 0


def test_active_expiry_deletes_due_keys_in_time_order_within_budget():
    clock = Clock()
    ks = Keyspace(clock)
    for i in range(10):
        ks.set(b"k%d" % i, b"v")
        ks.set_expire_at(b"k%d" % i, clock.now + i)
    ks.set(b"forever", b"v")
    clock.now += 5
    assert ks.active_expire(max_keys=3) == 3
    assert ks.active_expire() == 3
    assert sorted(ks.data) == [b"forever", b"k6", b"k7", b"k8", b"k9"]


def test_a_replica_hides_expired_keys_without_deleting_them():
    clock = Clock()
    ks = Keyspace(clock)
    ks.expire_enabled = False
    ks.set(b"k", b"v")
    ks.set_expire_at(b"k", clock.now + 1)
    clock.now += 1
    assert ks.get(b"k") is None
    assert ks.active_expire() == 0
    assert b"k" in ks.data


def test_set_clears_ttl_unless_keep_ttl_and_persist():
    clock = Clock()
    ks = Keyspace(clock)
    ks.set(b"k", b"v")
    ks.set_expire_at(b"k", clock.now + 10)
    ks.set(b"k", b"w", keep_ttl=True)
    assert ks.expire_time(b"k") == clock.now + 10
    assert ks.persist(b"k") is True
    assert ks.expire_time(b"k") is None
    ks.set_expire_at(b"k", clock.now + 10)
    ks.set(b"k", b"x")
    assert ks.expire_time(b"k") is None


def test_typed_lookups_raise_wrongtype():
    ks = Keyspace(Clock())
    ks.set(b"l", deque([b"a"]))
    assert ks.get_typed(b"l", deque) == deque([b"a"])
    with pytest.raises(WrongTypeError):
        ks.get_string(b"l")
    with pytest.raises(WrongTypeError):
        ks.get_typed(b"l", dict)
    assert ks.get_typed(b"missing", dict) is None


def _dirty(watcher: Watcher) -> bool:
    return watcher.dirty_cas


def test_watch_is_broken_by_writes_in_place_changes_and_flush():
    ks = Keyspace(Clock())
    for change in (
        lambda: ks.set(b"w", b"1"),
        lambda: ks.modified(b"w"),
        lambda: ks.delete(b"w"),
        ks.flush,
    ):
        ks.set(b"w", b"0")
        watcher = Watcher()
        ks.watch(b"w", watcher)
        ks.set(b"other", b"x")
        assert not _dirty(watcher)
        change()
        assert _dirty(watcher)
        ks.unwatch(b"w", watcher)


@given(
    st.sets(st.binary(min_size=1, max_size=6), max_size=60),
    st.integers(1, 15),
    st.sets(st.binary(min_size=1, max_size=6), max_size=20),
    st.booleans(),
)
def test_scan_returns_every_key_present_for_the_whole_scan(keys, count, churn, slot_index):
    ks = Keyspace(Clock(), slot_index=slot_index)
    for key in keys:
        ks.set(key, b"v")
    seen: set[bytes] = set()
    cursor = 0
    for step in range(20_000):
        cursor, found = ks.scan(cursor, count)
        seen.update(found)
        # keys that come and go during the scan must not disturb the guarantee
        for i, key in enumerate(sorted(churn)):
            if (i + step) % 2 and key not in keys:
                ks.set(key, b"x")
            elif key not in keys:
                ks.delete(key)
        if cursor == 0:
            break
    assert keys <= seen


def test_slot_index_counts_and_lists_keys():
    ks = Keyspace(Clock(), slot_index=True)
    keys = [b"{user1}:a", b"{user1}:b", b"other"]
    for key in keys:
        ks.set(key, b"v")
    slot = keyslot(b"user1")
    assert ks.count_keys_in_slot(slot) == 2
    assert sorted(ks.keys_in_slot(slot, 10)) == [b"{user1}:a", b"{user1}:b"]
    assert ks.keys_in_slot(slot, 1) in ([b"{user1}:a"], [b"{user1}:b"])
    ks.delete(b"{user1}:a")
    assert ks.count_keys_in_slot(slot) == 1
    ks.flush()
    assert ks.count_keys_in_slot(slot) == 0
