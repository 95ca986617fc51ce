"""XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP.

``radix-tree-nodes`` is the number of nodes of redis's rax holding the stream's
listpacks; we hold no rax, so it is computed from the keys
(:meth:`nodes.types.stream.Stream.rax_nodes`).
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.commands.streams import entry_reply, get_stream, range_reply
from nodes.commands.streams_groups import help_reply, no_group, subcommand_syntax_error
from nodes.errors import CommandError
from nodes.resp.values import Reply
from nodes.types import stream_ids
from nodes.types.stream import Stream
from nodes.types.stream_groups import ConsumerGroup
from nodes.types.stream_ids import MAX_ID, MIN_ID


def _stream(ctx: CommandContext, key: bytes) -> Stream:
    s = get_stream(ctx, key)
    if s is None:
        raise CommandError("no such key")
    return s


def _entries_read(group: ConsumerGroup) -> Reply:
    return group.entries_read if group.entries_read != -1 else None


@command("xinfo", -2, "", acl="@slow", container=True)
def xinfo(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise CommandError("wrong number of arguments for 'xinfo' command")


@command("help", 2, "loading stale", acl="@stream @slow", parent="xinfo")
def xinfo_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return help_reply(
        argv,
        [
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
        ],
    )


@command(
    "consumers",
    4,
    "readonly",
    keys=(2, 2, 1),
    acl="@read @stream @slow",
    key_flags="RO access",
    tips="nondeterministic_output",
    parent="xinfo",
)
def xinfo_consumers(ctx: CommandContext, argv: list[bytes]) -> Reply:
    s = _stream(ctx, argv[2])
    group = s.groups.get(argv[3])
    if group is None:
        raise no_group(argv[2], argv[3])
    now = ctx.now_ms()
    return [
        {b"name": name, b"pending": len(c.pel), b"idle": max(now - c.seen_time, 0)}
        for name, c in sorted(group.consumers.items())
    ]


@command(
    "groups",
    3,
    "readonly",
    keys=(2, 2, 1),
    acl="@read @stream @slow",
    key_flags="RO access",
    parent="xinfo",
)
def xinfo_groups(ctx: CommandContext, argv: list[bytes]) -> Reply:
    s = _stream(ctx, argv[2])
    return [
        {
            b"name": name,
            b"consumers": len(g.consumers),
            b"pending": len(g.pel),
            b"last-delivered-id": stream_ids.text(g.last_id),
            b"entries-read": _entries_read(g),
            b"lag": s.lag(g),
        }
        for name, g in sorted(s.groups.items())
    ]


def _full_groups(s: Stream, count: int) -> list[Reply]:
    out: list[Reply] = []
    for name, g in sorted(s.groups.items()):
        pel: list[Reply] = []
        for entry_id in sorted(g.pel)[: count or None]:
            nack = g.pel[entry_id]
            owner = nack.consumer.name if nack.consumer is not None else b""
            pel.append([stream_ids.text(entry_id), owner, nack.delivery_time, nack.delivery_count])
        consumers: list[Reply] = []
        for cname, c in sorted(g.consumers.items()):
            own: list[Reply] = [
                [stream_ids.text(i), c.pel[i].delivery_time, c.pel[i].delivery_count]
                for i in sorted(c.pel)[: count or None]
            ]
            consumers.append(
                {
                    b"name": cname,
                    b"seen-time": c.seen_time,
                    b"pel-count": len(c.pel),
                    b"pending": own,
                }
            )
        out.append(
            {
                b"name": name,
                b"last-delivered-id": stream_ids.text(g.last_id),
                b"entries-read": _entries_read(g),
                b"lag": s.lag(g),
                b"pel-count": len(g.pel),
                b"pending": pel,
                b"consumers": consumers,
            }
        )
    return out


@command(
    "stream",
    -3,
    "readonly",
    keys=(2, 2, 1),
    acl="@read @stream @slow",
    key_flags="RO access",
    parent="xinfo",
)
def xinfo_stream(ctx: CommandContext, argv: list[bytes]) -> Reply:
    options = argv[3:]
    full = bool(options)
    count = 10
    if options:
        if len(options) not in (1, 3) or options[0].lower() != b"full":
            raise subcommand_syntax_error(argv)
        if len(options) == 3:
            if options[1].lower() != b"count":
                raise subcommand_syntax_error(argv)
            count = parse_int(options[2])
            if count < 0:
                count = 10
    s = _stream(ctx, argv[2])
    info: dict[bytes, Reply] = {
        b"length": s.length,
        b"radix-tree-keys": len(s.nodes),
        b"radix-tree-nodes": s.rax_nodes(),
        b"last-generated-id": stream_ids.text(s.last_id),
        b"max-deleted-entry-id": stream_ids.text(s.max_deleted),
        b"entries-added": s.entries_added,
        b"recorded-first-entry-id": stream_ids.text(s.first_id),
    }
    if full:
        info[b"entries"] = range_reply(s, MIN_ID, MAX_ID, count)
        info[b"groups"] = _full_groups(s, count)
        return info
    info[b"groups"] = len(s.groups)
    first = next(iter(s.range(MIN_ID, MAX_ID)), None)
    last = next(iter(s.range(MIN_ID, MAX_ID, rev=True)), None)
    info[b"first-entry"] = entry_reply(*first) if first is not None else None
    info[b"last-entry"] = entry_reply(*last) if last is not None else None
    return info
