"""Putting a loaded RDB's keys into a keyspace (start-up, a replica's full sync, an AOF
base file)."""

from __future__ import annotations

import asyncio

from nodes.keyspace import Keyspace
from nodes.rdb.file import Contents


def install(keyspace: Keyspace, contents: Contents) -> int:
    """Store every key of ``contents`` (replacing same-named keys); returns how many."""
    for key, value, expire_ms in contents.entries:
        keyspace.set(key, value)
        if expire_ms is not None:
            keyspace.set_expire_at(key, expire_ms)
    return len(contents.entries)


async def install_paced(keyspace: Keyspace, contents: Contents, key_delay_us: int) -> int:
    """:func:`install` with redis's ``key-load-delay`` after each key, yielding to the
    event loop while it waits (so the cluster bus and clients are served during the
    load, as redis processes events while loading). A negative delay is redis's
    "statistical" one: 1 µs every ``-key_delay_us`` keys."""
    waited_us = 0.0
    per_key = key_delay_us if key_delay_us > 0 else 1 / -key_delay_us
    for key, value, expire_ms in contents.entries:
        keyspace.set(key, value)
        if expire_ms is not None:
            keyspace.set_expire_at(key, expire_ms)
        waited_us += per_key
        if waited_us >= 1000:
            await asyncio.sleep(waited_us / 1_000_000)
            waited_us = 0.0
    return len(contents.entries)
