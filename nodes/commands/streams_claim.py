"""XCLAIM and XAUTOCLAIM: moving pending entries to another consumer.

Both propagate an idempotent XCLAIM per entry they changed (claimed, or dropped from the
PEL because the entry is gone), as redis 7.0 does; XCLAIM's LASTID alone propagates as
``XGROUP SETID``.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.commands.streams import c_str, entry_reply, get_stream
from nodes.commands.streams_delivery import setid_argv, xclaim_argv
from nodes.commands.streams_groups import no_key_or_group
from nodes.errors import CommandError, NodeError, NotIntegerError, SyntaxErr
from nodes.resp.values import Reply
from nodes.types import stream_ids
from nodes.types.stream_groups import Consumer, Nack, sorted_pel
from nodes.types.stream_ids import InvalidStreamId

_LONG_MAX = 2**63 - 1


def _int(arg: bytes, message: str) -> int:
    """``getLongLongFromObjectOrReply`` with its own error message."""
    try:
        return parse_int(arg)
    except NotIntegerError:
        raise CommandError(message) from None


@command(
    "xclaim",
    -6,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @stream @fast",
    key_flags="RW update",
    tips="nondeterministic_output",
)
def xclaim(ctx: CommandContext, argv: list[bytes]) -> Reply:
    key, group_name = argv[1], argv[2]
    s = get_stream(ctx, key)
    group = s.groups.get(group_name) if s is not None else None
    if s is None or group is None:
        raise no_key_or_group(key, group_name)
    min_idle = max(_int(argv[4], "Invalid min-idle-time argument for XCLAIM"), 0)
    ids: list[tuple[int, bytes]] = []
    j = 5
    while j < len(argv):
        try:
            ids.append((stream_ids.parse_strict(argv[j]), argv[j]))
        except InvalidStreamId:
            break
        j += 1
    now = ctx.now_ms()
    retry_count = -1
    delivery_time = -1
    force = justid = False
    last_id = 0
    while j < len(argv):
        more = len(argv) - 1 - j
        opt = argv[j].lower()
        if opt == b"force":
            force = True
        elif opt == b"justid":
            justid = True
        elif opt == b"idle" and more:
            j += 1
            delivery_time = now - _int(argv[j], "Invalid IDLE option argument for XCLAIM")
        elif opt == b"time" and more:
            j += 1
            delivery_time = _int(argv[j], "Invalid TIME option argument for XCLAIM")
        elif opt == b"retrycount" and more:
            j += 1
            retry_count = _int(argv[j], "Invalid RETRYCOUNT option argument for XCLAIM")
        elif opt == b"lastid" and more:
            j += 1
            last_id = stream_ids.parse_strict(argv[j])
        else:
            raise NodeError(b"ERR Unrecognized XCLAIM option '%s'" % c_str(argv[j]))
        j += 1
    propagate_last_id = False
    if last_id > group.last_id:
        group.last_id = last_id
        propagate_last_id = True
    if delivery_time == -1 or delivery_time < 0 or delivery_time > now:
        delivery_time = now
    effects: list[list[bytes]] = []
    consumer: Consumer | None = None
    out: list[Reply] = []
    for entry_id, id_arg in ids:
        nack = group.pel.get(entry_id)
        found = s.lookup(entry_id)
        if found is None:
            if nack is not None:
                effects.append(xclaim_argv(key, group_name, group, id_arg, nack))
                propagate_last_id = False
                group.ack(entry_id)
            continue
        if force and nack is None:
            nack = group.pel[entry_id] = Nack(None, now)
        if nack is None:
            continue
        if nack.consumer is not None and min_idle and now - nack.delivery_time < min_idle:
            continue
        if consumer is None:
            consumer = group.consumer(argv[3], now)
            if consumer is None:
                consumer = group.create_consumer(argv[3], now)
                assert consumer is not None
        nack.delivery_time = delivery_time
        if retry_count >= 0:
            nack.delivery_count = retry_count
        elif not justid:
            nack.delivery_count += 1
        group.assign(entry_id, nack, consumer)
        out.append(stream_ids.text(entry_id) if justid else entry_reply(*found))
        effects.append(xclaim_argv(key, group_name, group, id_arg, nack))
        propagate_last_id = False
    if propagate_last_id:
        effects.append(setid_argv(key, group_name, group))
    if effects or consumer is not None:
        ctx.keyspace.modified(key)
    ctx.propagate_as(*effects)
    return out


@command(
    "xautoclaim",
    -6,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @stream @fast",
    key_flags="RW delete",
    tips="nondeterministic_output",
)
def xautoclaim(ctx: CommandContext, argv: list[bytes]) -> Reply:
    key, group_name = argv[1], argv[2]
    min_idle = max(_int(argv[4], "Invalid min-idle-time argument for XAUTOCLAIM"), 0)
    start = stream_ids.start_bound(argv[5])
    count = 100
    justid = False
    j = 6
    while j < len(argv):
        more = len(argv) - 1 - j
        opt = argv[j].lower()
        if opt == b"count" and more:
            count = _int(argv[j + 1], "COUNT must be > 0")
            if not 1 <= count <= _LONG_MAX // 16:
                raise CommandError("COUNT must be > 0")
            j += 1
        elif opt == b"justid":
            justid = True
        else:
            raise SyntaxErr()
        j += 1
    s = get_stream(ctx, key)
    group = s.groups.get(group_name) if s is not None else None
    if s is None or group is None:
        raise no_key_or_group(key, group_name)
    attempts = count * 10
    now = ctx.now_ms()
    pending = sorted_pel(group.pel, start)
    pos = 0
    consumer: Consumer | None = None
    claimed: list[Reply] = []
    deleted: list[Reply] = []
    effects: list[list[bytes]] = []
    while attempts > 0 and count > 0 and pos < len(pending):
        attempts -= 1
        entry_id = pending[pos]
        pos += 1
        nack = group.pel[entry_id]
        found = s.lookup(entry_id)
        id_text = stream_ids.text(entry_id)
        if found is None:
            effects.append(xclaim_argv(key, group_name, group, id_text, nack))
            group.ack(entry_id)
            deleted.append(id_text)
            count -= 1
            continue
        if min_idle and now - nack.delivery_time < min_idle:
            continue
        if consumer is None:
            consumer = group.consumer(argv[3], now)
            if consumer is None:
                consumer = group.create_consumer(argv[3], now)
                assert consumer is not None
        nack.delivery_time = now
        if not justid:
            nack.delivery_count += 1
        group.assign(entry_id, nack, consumer)
        claimed.append(id_text if justid else entry_reply(*found))
        count -= 1
        effects.append(xclaim_argv(key, group_name, group, id_text, nack))
    cursor = stream_ids.text(pending[pos]) if pos < len(pending) else b"0-0"
    if effects or consumer is not None:
        ctx.keyspace.modified(key)
    ctx.propagate_as(*effects)
    return [cursor, claimed, deleted]
