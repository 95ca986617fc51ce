"""The commands an AOF rewrite (with ``aof-use-rdb-preamble no``) writes to recreate a
stream, as redis 7.0's ``rewriteStreamObject`` writes them: an XADD per live entry (an
empty stream: ``XADD key MAXLEN 0 0-1 x y``), XSETID with the last ID, entries added and
largest deleted ID, then per group XGROUP CREATE ... ENTRIESREAD, and per consumer its
pending entries as XCLAIM ... TIME RETRYCOUNT JUSTID FORCE (or XGROUP CREATECONSUMER when
it has none)."""

from __future__ import annotations

from nodes.types import stream_ids
from nodes.types.stream import Stream
from nodes.types.stream_ids import MAX_ID, MIN_ID


def rewrite_commands(key: bytes, value: object) -> list[list[bytes]]:
    assert isinstance(value, Stream)
    s = value
    text = stream_ids.text
    out: list[list[bytes]] = []
    if s.length:
        for node, entry in s.range(MIN_ID, MAX_ID):
            out.append([b"XADD", key, text(entry.id), *node.pairs(entry)])
    else:
        out.append([b"XADD", key, b"MAXLEN", b"0", b"0-1", b"x", b"y"])
    out.append(
        [
            b"XSETID",
            key,
            text(s.last_id),
            b"ENTRIESADDED",
            b"%d" % s.entries_added,
            b"MAXDELETEDID",
            text(s.max_deleted),
        ]
    )
    for name, group in sorted(s.groups.items()):
        out.append(
            [
                b"XGROUP",
                b"CREATE",
                key,
                name,
                text(group.last_id),
                b"ENTRIESREAD",
                b"%d" % group.entries_read,
            ]
        )
        for consumer_name, consumer in sorted(group.consumers.items()):
            if not consumer.pel:
                out.append([b"XGROUP", b"CREATECONSUMER", key, name, consumer_name])
                continue
            for entry_id in sorted(consumer.pel):
                nack = consumer.pel[entry_id]
                out.append(
                    [
                        b"XCLAIM",
                        key,
                        name,
                        consumer_name,
                        b"0",
                        text(entry_id),
                        b"TIME",
                        b"%d" % nack.delivery_time,
                        b"RETRYCOUNT",
                        b"%d" % nack.delivery_count,
                        b"JUSTID",
                        b"FORCE",
                    ]
                )
    return out
