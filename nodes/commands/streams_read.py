"""XREAD and XREADGROUP (``xreadCommand`` of redis 7.0), and the delivery of entries to
a consumer group that XREADGROUP does.

XREADGROUP propagates its effects, not itself: an XCLAIM per delivered entry (owner,
delivery time and count, the group's last ID), ``XGROUP SETID ... ENTRIESREAD`` after a
NOACK read, ``XGROUP CREATECONSUMER`` for a consumer a NOACK read created. BLOCK with
nothing to serve goes to :func:`nodes.commands.streams_wakeup.block_for_streams`.
"""

from __future__ import annotations

from collections.abc import Sequence

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.commands.streams import entry_reply, get_stream
from nodes.commands.streams_wakeup import BlockedRead, block_for_streams
from nodes.errors import CommandError, NodeError, NotIntegerError, SyntaxErr
from nodes.resp.encoder import encode
from nodes.resp.values import NULL_ARRAY, Blocked, Error, Raw, Reply
from nodes.types import stream_ids
from nodes.types.stream import INVALID_ENTRIES_READ, Stream, StreamEntry, StreamNode
from nodes.types.stream_groups import Consumer, ConsumerGroup, Nack, sorted_pel
from nodes.types.stream_ids import MAX_ID


def c_str(arg: bytes) -> bytes:
    """What C's ``%s`` prints of an argument: up to its first NUL byte."""
    nul = arg.find(b"\0")
    return arg if nul < 0 else arg[:nul]


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
        entries: list[Reply] = [entry_reply(n, e) for n, e in _take(s, start, count)]
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


def _take(s: Stream, start: int, count: int) -> list[tuple[StreamNode, StreamEntry]]:
    taken = []
    for pair in s.range(start, MAX_ID):
        taken.append(pair)
        if count and len(taken) == count:
            break
    return taken


def _parsed_read_keys(argv: Sequence[bytes]) -> list[int]:
    """``xreadGetKeys``: the stream keys after the first STREAMS option."""
    streams_pos = -1
    i = 1
    while i < len(argv):
        arg = argv[i].lower()
        if arg in (b"block", b"count"):
            i += 1
        elif arg == b"group":
            i += 2
        elif arg == b"noack":
            pass
        elif arg == b"streams":
            streams_pos = i
            break
        else:
            break
        i += 1
    if streams_pos < 0:
        return []
    num = len(argv) - streams_pos - 1
    if num == 0 or num % 2:
        return []
    return list(range(streams_pos + 1, streams_pos + 1 + num // 2))


def _spec_keys(argv: Sequence[bytes], start_from: int) -> list[int] | None:
    """What redis 7.0 finds first (COMMAND GETKEYS, cluster routing): the key spec, a
    STREAMS keyword searched from ``start_from``, half of what follows it; None when the
    spec does not apply (then :func:`_parsed_read_keys` decides)."""
    first = 0
    for i in range(start_from, len(argv) - 1):
        if argv[i].lower() == b"streams":
            first = i + 1
            break
    if not first:
        return []
    last = first + (len(argv) - first) // 2 - 1
    if last >= len(argv) or last < first:
        return None
    return list(range(first, last + 1))


def read_keys(argv: Sequence[bytes]) -> list[int]:
    found = _spec_keys(argv, 1)
    return _parsed_read_keys(argv) if found is None else found


def readgroup_keys(argv: Sequence[bytes]) -> list[int]:
    found = _spec_keys(argv, 4)
    return _parsed_read_keys(argv) if found is None else found


def _map_with_repeats(served: list[tuple[bytes, list[Reply]]]) -> Reply:
    """A RESP3 map that names a key twice (``XREAD STREAMS k k 0 0``), as redis sends
    it: a dict cannot hold it, so it goes pre-encoded."""
    parts = [b"%%%d\r\n" % len(served)]
    for key, entries in served:
        parts.append(encode(key, True))
        parts.append(encode(entries, True))
    return Raw(b"".join(parts))


def _from_script(ctx: CommandContext) -> bool:
    return ctx.client.id == 0 and ctx.client.addr == ""


def _xread(ctx: CommandContext, argv: list[bytes], *, xreadgroup: bool) -> Reply | Blocked:
    timeout = -1
    count = 0
    streams_arg = 0
    noack = False
    group_name: bytes | None = None
    consumer_name = b""
    i = 1
    while i < len(argv):
        more = len(argv) - i - 1
        opt = argv[i].lower()
        if opt == b"block" and more:
            if _from_script(ctx):
                raise CommandError(
                    b"%s command is not allowed with BLOCK option from scripts" % c_str(argv[0])
                )
            i += 1
            try:
                timeout = parse_int(argv[i])
            except NotIntegerError:
                raise CommandError("timeout is not an integer or out of range") from None
            if timeout < 0:
                raise CommandError("timeout is negative")
        elif opt == b"count" and more:
            i += 1
            count = max(parse_int(argv[i]), 0)
        elif opt == b"streams" and more:
            streams_arg = i + 1
            if (len(argv) - streams_arg) % 2:
                raise CommandError(
                    "Unbalanced XREAD list of streams: for each stream key an ID or '$' "
                    "must be specified."
                )
            break
        elif opt == b"group" and more >= 2:
            if not xreadgroup:
                raise CommandError(
                    "The GROUP option is only supported by XREADGROUP. You called XREAD instead."
                )
            group_name, consumer_name = argv[i + 1], argv[i + 2]
            i += 2
        elif opt == b"noack":
            if not xreadgroup:
                raise CommandError(
                    "The NOACK option is only supported by XREADGROUP. You called XREAD instead."
                )
            noack = True
        else:
            raise SyntaxErr()
        i += 1
    if streams_arg == 0:
        raise SyntaxErr()
    if xreadgroup and group_name is None:
        raise CommandError("Missing GROUP option for XREADGROUP")
    n = (len(argv) - streams_arg) // 2
    keys = argv[streams_arg : streams_arg + n]
    ids: list[int] = []
    groups: list[ConsumerGroup | None] = []
    for key, id_arg in zip(keys, argv[streams_arg + n :], strict=True):
        s = get_stream(ctx, key)
        group = None
        if group_name is not None:
            group = s.groups.get(group_name) if s is not None else None
            if group is None:
                raise NodeError(
                    b"NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with "
                    b"GROUP option" % (c_str(key), c_str(group_name))
                )
        groups.append(group)
        if id_arg == b"$":
            if xreadgroup:
                raise CommandError(
                    "The $ ID is meaningless in the context of XREADGROUP: you want to read "
                    "the history of this consumer by specifying a proper ID, or use the > ID "
                    "to get new messages. The $ ID would just return an empty result set."
                )
            ids.append(s.last_id if s is not None else 0)
        elif id_arg == b">":
            if not xreadgroup:
                raise CommandError(
                    "The > ID can be specified only when calling XREADGROUP using the GROUP "
                    "<group> <consumer> option."
                )
            ids.append(MAX_ID)
        else:
            ids.append(stream_ids.parse_strict(id_arg))
    served: list[tuple[bytes, list[Reply]]] = []
    effects: list[list[bytes]] = []
    for key, asked, group in zip(keys, ids, groups, strict=True):
        s = get_stream(ctx, key)
        if s is None:
            continue
        history = False
        above = asked
        if group is not None:
            if asked != MAX_ID:
                history = True
            elif s.length and s.last_valid_id() > group.last_id:
                above = group.last_id
            else:
                continue
        elif not (s.length and s.last_valid_id() > asked):
            continue
        start = (above + 1) & MAX_ID
        if group is None:
            entries: list[Reply] = [entry_reply(n, e) for n, e in _take(s, start, count)]
            served.append((key, entries))
            continue
        assert group_name is not None
        now = ctx.now_ms()
        consumer = group.consumer(consumer_name, now)
        if consumer is None:
            consumer = group.create_consumer(consumer_name, now)
            assert consumer is not None
            if noack:
                effects.append([b"XGROUP", b"CREATECONSUMER", key, group_name, consumer_name])
        if history:
            entries = deliver_history(ctx, s, consumer, start, count)
        else:
            target = (key, group_name, group, consumer)
            entries = deliver_new(ctx, s, target, start, count=count, noack=noack, effects=effects)
        served.append((key, entries))
        ctx.keyspace.modified(key)
    if xreadgroup:
        ctx.propagate_as(*effects)
    if served:
        if ctx.client.resp == 2:
            return [[key, entries] for key, entries in served]
        if len({key for key, _ in served}) < len(served):
            return _map_with_repeats(served)
        return {key: entries for key, entries in served}
    if timeout != -1 and not ctx.in_exec and not _from_script(ctx):
        request = BlockedRead(
            tuple(keys), tuple(ids), timeout, count, group_name, consumer_name, noack
        )
        return block_for_streams(ctx, request)
    return NULL_ARRAY


_READ_SPEC = KeySpec(
    ("RO", "access"), begin_keyword=b"STREAMS", keyword_start=1, lastkey=-1, limit=2
)


@command(
    "xread",
    -4,
    "readonly blocking",
    acl="@read @stream @slow @blocking",
    key_specs=(_READ_SPEC,),
    getkeys=read_keys,
)
def xread(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    return _xread(ctx, argv, xreadgroup=False)


@command(
    "xreadgroup",
    -7,
    "write blocking",
    acl="@write @stream @slow @blocking",
    key_specs=(
        KeySpec(("RO", "access"), begin_keyword=b"STREAMS", keyword_start=4, lastkey=-1, limit=2),
    ),
    getkeys=readgroup_keys,
)
def xreadgroup(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    return _xread(ctx, argv, xreadgroup=True)
