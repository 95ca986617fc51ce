"""Putting a loaded RDB's keys into a server's databases (start-up, a replica's full
sync, an AOF base file)."""

from __future__ import annotations

import asyncio

from nodes.databases import Databases
from nodes.rdb.file import Contents
from nodes.rdb.format import RdbError


def check_databases(databases: Databases, contents: Contents) -> None:
    """:class:`RdbError` when a key is in a database this server does not have (cluster
    mode has db 0 only), before anything is installed."""
    top = max((db for db, _, _, _ in contents.entries), default=0)
    if top >= databases.count:
        raise RdbError(
            f"Data file was created with a Redis server configured to handle more than "
            f"{databases.count} databases (a key in db {top})"
        )


def _prepare(databases: Databases, contents: Contents, *, replace: bool) -> None:
    """The check before any change, then (``replace``) every database emptied."""
    check_databases(databases, contents)
    if replace:
        databases.flush_all()


def install(databases: Databases, contents: Contents, *, replace: bool = False) -> int:
    """Store every key of ``contents`` in its database (replacing same-named keys);
    returns how many. Checks the database numbers first (:func:`check_databases`), then,
    when ``replace``, empties every database (nothing is touched when the check fails)."""
    _prepare(databases, contents, replace=replace)
    space = databases.get(0)
    current = 0
    for db, key, value, expire_ms in contents.entries:
        if db != current:
            space, current = databases.get(db), db
        space.set(key, value)
        if expire_ms is not None:
            space.set_expire_at(key, expire_ms)
    return len(contents.entries)


async def install_paced(
    databases: Databases, contents: Contents, key_delay_us: int, *, replace: bool = False
) -> int:
    """:func:`install` with redis's ``key-load-delay`` after each key, yielding to the
    event loop while it waits (so the cluster bus and clients are served during the
    load, as redis processes events while loading). A negative delay is redis's
    "statistical" one: 1 µs every ``-key_delay_us`` keys."""
    _prepare(databases, contents, replace=replace)
    waited_us = 0.0
    per_key = key_delay_us if key_delay_us > 0 else 1 / -key_delay_us
    for db, key, value, expire_ms in contents.entries:
        space = databases.get(db)
        space.set(key, value)
        if expire_ms is not None:
            space.set_expire_at(key, expire_ms)
        waited_us += per_key
        if waited_us >= 1000:
            await asyncio.sleep(waited_us / 1_000_000)
            waited_us = 0.0
    return len(contents.entries)
