"""Putting a loaded RDB's keys into a keyspace (start-up, a replica's full sync, an AOF
base file)."""

from __future__ import annotations

from nodes.keyspace import Keyspace
from nodes.rdb.file import Contents


def install(keyspace: Keyspace, contents: Contents) -> int:
    """Store every key of ``contents`` (replacing same-named keys); returns how many."""
    for key, value, expire_ms in contents.entries:
        keyspace.set(key, value)
        if expire_ms is not None:
            keyspace.set_expire_at(key, expire_ms)
    return len(contents.entries)
