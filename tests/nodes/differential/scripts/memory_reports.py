"""MEMORY STATS / MALLOC-STATS / DOCTOR / PURGE and LOLWUT beside redis-server.

MEMORY STATS's figures are server state: its field names (per database too) and their
reply types must agree, the values need not. Debian's redis-server is built with jemalloc
and ours reports libc, so the allocator's report and the doctor's verdict are texts of
each allocator's own. LOLWUT VERSION 5 and 6 are random drawings in redis (two
redis-servers differ); ours gives only the banner they end with, so those steps compare
the last line.
"""

from tests.nodes.differential.framing import Reply
from tests.nodes.differential.runner import (
    Script,
    both_protocols,
    cmd,
    except_fields,
    same_kind,
)

STATS_FIELDS = (
    b"peak.allocated",
    b"total.allocated",
    b"startup.allocated",
    b"replication.backlog",
    b"clients.slaves",
    b"clients.normal",
    b"cluster.links",
    b"aof.buffer",
    b"lua.caches",
    b"functions.caches",
    b"db.0",
    b"db.3",
    b"overhead.total",
    b"keys.count",
    b"keys.bytes-per-key",
    b"dataset.bytes",
    b"dataset.percentage",
    b"peak.percentage",
    b"allocator.allocated",
    b"allocator.active",
    b"allocator.resident",
    b"allocator-fragmentation.ratio",
    b"allocator-fragmentation.bytes",
    b"allocator-rss.ratio",
    b"allocator-rss.bytes",
    b"rss-overhead.ratio",
    b"rss-overhead.bytes",
    b"fragmentation",
    b"fragmentation.bytes",
)
FIGURES = "memory figures are server state: the names and reply types must agree"
ALLOCATOR = "redis-server here uses jemalloc, ours reports libc: each its own text"


def text_reply(a: Reply, b: Reply) -> bool:
    """Both replies are text (a bulk string, or a verbatim string in RESP3)."""
    return a.kind in "$=" and b.kind in "$="


def same_banner(a: Reply, b: Reply) -> bool:
    """Text replies whose last line ends with the same ``Redis ver. ...`` banner."""

    def banner(r: Reply) -> bytes | None:
        if r.kind not in "$=" or r.value is None:
            return None
        last = r.value.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        at = last.find(b"Redis ver. ")
        return last[at:] if at >= 0 else None

    return banner(a) is not None and banner(a) == banner(b)


DRAWING = "VERSION 5 and 6 draw random pictures in redis; ours gives only their banner"

SCRIPTS: list[Script] = [
    *both_protocols(
        "memory-stats-fields",
        cmd("MEMORY", "STATS", same=except_fields(*STATS_FIELDS), why=FIGURES),
        cmd("SET", "foo", "bar"),
        cmd("SET", "ttl", "v", "EX", "100"),
        cmd("SELECT", "3"),
        cmd("SET", "other", "x"),
        cmd("MEMORY", "STATS", same=except_fields(*STATS_FIELDS), why=FIGURES),
        cmd("SELECT", "0"),
        cmd("MEMORY", "STATS", "extra"),
        cmd("MEMORY", "MALLOC-STATS", same=text_reply, why=ALLOCATOR),
        cmd("MEMORY", "MALLOC-STATS", "x"),
        cmd("MEMORY", "DOCTOR", same=same_kind, why=ALLOCATOR),
        cmd("MEMORY", "DOCTOR", "x"),
        cmd("MEMORY", "PURGE"),
        cmd("MEMORY", "PURGE", "x"),
        cmd("MEMORY", "NOSUCH"),
    ),
    *both_protocols(
        "lolwut-banner",
        cmd("LOLWUT"),
        cmd("LOLWUT", "5", "6", "7", "8"),
        cmd("LOLWUT", "VERSION", "7"),
        cmd("LOLWUT", "VERSION", "7", "10", "20"),
        cmd("LOLWUT", "VERSION", "x"),
        cmd("LOLWUT", "VERSION"),
        cmd("LOLWUT", "VERSION", "5", same=same_banner, why=DRAWING),
        cmd("LOLWUT", "VERSION", "6", "10", same=same_banner, why=DRAWING),
        cmd("LOLWUT", "VERSION", "5", "6", "7", "8", same=same_banner, why=DRAWING),
    ),
]
