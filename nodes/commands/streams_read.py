"""XREAD and XREADGROUP (``xreadCommand`` of redis 7.0): options, IDs, which streams are
served now, and the keys redis 7.0 finds in them.

XREADGROUP propagates its effects, not itself (:mod:`nodes.commands.streams_delivery`):
an XCLAIM per delivered entry, ``XGROUP SETID ... ENTRIESREAD`` after a NOACK read,
``XGROUP CREATECONSUMER`` for a consumer a NOACK read created. BLOCK with nothing to
serve goes to :func:`nodes.commands.streams_blocking.block_for_streams`.
"""

from __future__ import annotations

from collections.abc import Sequence

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.commands.streams import c_str, entry_reply, get_stream
from nodes.commands.streams_blocking import block_for_streams
from nodes.commands.streams_delivery import deliver_history, deliver_new, take
from nodes.commands.streams_wakeup import BlockedRead
from nodes.errors import CommandError, NodeError, NotIntegerError, SyntaxErr
from nodes.resp.encoder import encode
from nodes.resp.values import NULL_ARRAY, Blocked, Raw, Reply
from nodes.types import stream_ids
from nodes.types.stream_groups import ConsumerGroup
from nodes.types.stream_ids import MAX_ID


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
            entries: list[Reply] = [entry_reply(n, e) for n, e in take(s, start, count)]
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
