"""Delivering stream entries to consumer groups (``streamReplyWithRange`` with a group,
and its consumer-PEL variant), the XCLAIM / XGROUP SETID commands that propagate those
deliveries, and :func:`serve_blocked`, what the blocking layer calls for a blocked
XREAD / XREADGROUP when its stream grows."""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.streams import entry_reply, get_stream
from nodes.commands.streams_wakeup import BlockedRead
from nodes.resp.values import NULL_ARRAY, Error, Reply
from nodes.types import stream_ids
from nodes.types.stream import INVALID_ENTRIES_READ, Stream, StreamEntry, StreamNode
from nodes.types.stream_groups import Consumer, ConsumerGroup, Nack, sorted_pel
from nodes.types.stream_ids import MAX_ID


def xclaim_argv(
    key: bytes, group_name: bytes, group: ConsumerGroup, id_arg: bytes, nack: Nack
) -> list[bytes]:
    """``streamPropagateXCLAIM``: the idempotent XCLAIM that recreates ``nack``."""
    assert nack.consumer is not None
    return [
        b"XCLAIM",
        key,
        group_name,
        nack.consumer.name,
        b"0",
        id_arg,
        b"TIME",
        b"%d" % nack.delivery_time,
        b"RETRYCOUNT",
        b"%d" % nack.delivery_count,
        b"FORCE",
        b"JUSTID",
        b"LASTID",
        stream_ids.text(group.last_id),
    ]


def setid_argv(key: bytes, group_name: bytes, group: ConsumerGroup) -> list[bytes]:
    """``streamPropagateGroupID``."""
    return [
        b"XGROUP",
        b"SETID",
        key,
        group_name,
        stream_ids.text(group.last_id),
        b"ENTRIESREAD",
        b"%d" % group.entries_read,
    ]


def _advance(s: Stream, group: ConsumerGroup, entry_id: int) -> None:
    """Move the group's last delivered ID to ``entry_id`` and keep its read counter."""
    if group.entries_read != INVALID_ENTRIES_READ and not s.range_has_tombstones(entry_id):
        group.entries_read += 1
    elif s.entries_added:
        group.entries_read = s.estimate_distance(entry_id)
    group.last_id = entry_id


def deliver_new(
    ctx: CommandContext,
    s: Stream,
    target: tuple[bytes, bytes, ConsumerGroup, Consumer],
    start: int,
    *,
    count: int,
    noack: bool,
    effects: list[list[bytes]],
) -> list[Reply]:
    """Entries from ``start`` on, delivered to the consumer (PEL entries unless
    ``noack``); their effects are appended to ``effects``."""
    key, group_name, group, consumer = target
    out: list[Reply] = []
    moved_last_id = False
    for node, entry in s.range(start, MAX_ID):
        if entry.id > group.last_id:
            _advance(s, group, entry.id)
            moved_last_id = noack
        out.append(entry_reply(node, entry))
        if not noack:
            now = ctx.now_ms()
            nack = group.pel.get(entry.id)
            if nack is None:
                nack = group.pel[entry.id] = Nack(consumer, now)
                consumer.pel[entry.id] = nack
            else:
                if nack.consumer is not None:
                    nack.consumer.pel.pop(entry.id, None)
                nack.consumer = consumer
                nack.delivery_time = now
                nack.delivery_count = 1
                consumer.pel[entry.id] = nack
            effects.append(xclaim_argv(key, group_name, group, stream_ids.text(entry.id), nack))
        if count and len(out) == count:
            break
    if moved_last_id:
        effects.append(setid_argv(key, group_name, group))
    return out


def deliver_history(
    ctx: CommandContext, s: Stream, consumer: Consumer, start: int, count: int
) -> list[Reply]:
    """The consumer's own pending entries from ``start`` on (a deleted entry shows as
    ``[id, nil]``); each served one counts as delivered again."""
    out: list[Reply] = []
    for entry_id in sorted_pel(consumer.pel, start):
        if count and len(out) >= count:
            break
        found = s.lookup(entry_id)
        if found is None:
            out.append([stream_ids.text(entry_id), NULL_ARRAY])
            continue
        out.append(entry_reply(*found))
        nack = consumer.pel[entry_id]
        nack.delivery_time = ctx.now_ms()
        nack.delivery_count += 1
    return out


BLOCKED_DEFAULT_COUNT = 1000
"""``XREAD_BLOCKED_DEFAULT_COUNT``: a blocked read without COUNT takes at most this many."""


def serve_blocked(
    ctx: CommandContext, request: BlockedRead, key: bytes
) -> tuple[Reply, list[list[bytes]]] | None:
    """``serveClientsBlockedOnStreamKey`` for one blocked client and the stream at
    ``key`` that just grew: (its reply, the commands to propagate), or None while there
    is still nothing above the ID it waits for. For the blocking layer to call."""
    s = get_stream(ctx, key)
    if s is None:
        return None
    above = request.ids[request.keys.index(key)]
    group = None
    if request.group is not None:
        group = s.groups.get(request.group)
        if group is None:
            error = b"NOGROUP the consumer group this client was blocked on no longer exists"
            return Error(error), []
        above = group.last_id
    if s.last_id <= above:
        return None
    start = (above + 1) & MAX_ID
    count = request.count or BLOCKED_DEFAULT_COUNT
    effects: list[list[bytes]] = []
    if group is None or request.group is None or request.consumer is None:
        entries: list[Reply] = [entry_reply(n, e) for n, e in take(s, start, count)]
    else:
        now = ctx.now_ms()
        consumer = group.consumer(request.consumer, now)
        if consumer is None:
            consumer = group.create_consumer(request.consumer, now)
            assert consumer is not None
            if request.noack:
                effects.append([b"XGROUP", b"CREATECONSUMER", key, request.group, request.consumer])
        target = (key, request.group, group, consumer)
        entries = deliver_new(
            ctx, s, target, start, count=count, noack=request.noack, effects=effects
        )
        ctx.keyspace.modified(key)
    if ctx.client.resp == 2:
        return [[key, entries]], effects
    return {key: entries}, effects


def take(s: Stream, start: int, count: int) -> list[tuple[StreamNode, StreamEntry]]:
    taken = []
    for pair in s.range(start, MAX_ID):
        taken.append(pair)
        if count and len(taken) == count:
            break
    return taken
