"""MEMORY STATS, MALLOC-STATS, DOCTOR and PURGE: the server-wide memory reports.

The figures come from the same place as INFO memory (:func:`nodes.info.used_memory`, the
process's resident set, standing in for redis's allocator counters), so the two agree.
The per-database hash table overheads are *estimates* of what redis's dicts would take
for the same number of keys (an entry per key plus a power-of-two bucket array), not
measurements. The allocator is reported as libc, as redis built without jemalloc does:
MALLOC-STATS says it has no statistics and PURGE has nothing to purge.
"""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.info import used_memory
from nodes.resp.values import OK, Reply, Verbatim

_DICT_ENTRY = 24
"""Bytes of one redis dict entry (key, value and next pointers)."""
_BUCKET = 8
"""Bytes of one bucket pointer of a redis dict."""
_SLOT_TO_KEYS_ENTRY = 16
"""Bytes of the slot-to-keys links redis keeps per key in cluster mode."""
_EMPTY_BELOW = 5 * 1024 * 1024
"""Below this much memory, MEMORY DOCTOR declines to judge (as redis's does)."""
_REPORT_TIPS = "nondeterministic_output request_policy:all_shards response_policy:special"


def _table_bytes(entries: int) -> int:
    """Estimated size of a redis dict holding ``entries`` entries."""
    if entries == 0:
        return 0
    buckets = 1 << (entries - 1).bit_length()
    return entries * _DICT_ENTRY + buckets * _BUCKET


@command("stats", 2, "", acl="@slow", tips=_REPORT_TIPS, parent="memory")
def memory_stats(ctx: CommandContext, argv: list[bytes]) -> Reply:
    server = ctx.server
    total = used_memory()
    repl = server.replication
    backlog = repl.backlog.size if repl is not None and repl.backlog is not None else 0
    head: dict[bytes, Reply] = {
        b"peak.allocated": total,
        b"total.allocated": total,
        b"startup.allocated": 0,
        b"replication.backlog": backlog,
        b"clients.slaves": 0,
        b"clients.normal": 0,
        b"cluster.links": 0,
        b"aof.buffer": 0,
        b"lua.caches": 0,
        b"functions.caches": 0,
    }
    overhead = backlog
    keys = 0
    for index, space in server.databases.live():
        count = len(space)
        if count == 0:
            continue
        keys += count
        main = _table_bytes(count)
        expires = _table_bytes(len(space.expires))
        slot_links = count * _SLOT_TO_KEYS_ENTRY if server.cluster_enabled else 0
        overhead += main + expires + slot_links
        head[f"db.{index}".encode()] = {
            b"overhead.hashtable.main": main,
            b"overhead.hashtable.expires": expires,
            b"overhead.hashtable.slot-to-keys": slot_links,
        }
    overhead = min(overhead, total)
    dataset = total - overhead
    tail: dict[bytes, Reply] = {
        b"overhead.total": overhead,
        b"keys.count": keys,
        b"keys.bytes-per-key": total // keys if keys else 0,
        b"dataset.bytes": dataset,
        b"dataset.percentage": 100.0 * dataset / total if total else 0.0,
        b"peak.percentage": 100.0,
        b"allocator.allocated": total,
        b"allocator.active": total,
        b"allocator.resident": total,
        b"allocator-fragmentation.ratio": 1.0,
        b"allocator-fragmentation.bytes": 0,
        b"allocator-rss.ratio": 1.0,
        b"allocator-rss.bytes": 0,
        b"rss-overhead.ratio": 1.0,
        b"rss-overhead.bytes": 0,
        b"fragmentation": 1.0,
        b"fragmentation.bytes": 0,
    }
    return head | tail


@command("malloc-stats", 2, "", acl="@slow", tips=_REPORT_TIPS, parent="memory")
def memory_malloc_stats(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return b"Stats not supported for the current allocator"


@command("doctor", 2, "", acl="@slow", tips=_REPORT_TIPS, parent="memory")
def memory_doctor(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if used_memory() < _EMPTY_BELOW:
        text = (
            "Hi Sam, this instance is empty or is using very little memory, my issues "
            "detector can't be used in these conditions. Please, leave for your mission on "
            "Earth and fill it with some data. The new Sam and I will be back to our "
            "programming as soon as I finished rebooting.\n"
        )
    else:
        # Every ratio above is 1.0 and nothing is buffered: no issue to report.
        text = (
            "Hi Sam, I can't find any memory issue in your instance. I can only account "
            "for what occurs on this base.\n"
        )
    return Verbatim(text.encode())


@command(
    "purge",
    2,
    "",
    acl="@slow",
    tips="request_policy:all_shards response_policy:all_succeeded",
    parent="memory",
)
def memory_purge(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return OK
