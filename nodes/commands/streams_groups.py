"""Consumer group commands: XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER/HELP,
XSETID, XACK, XPENDING (summary and extended, IDLE).

Redis's own ``xgroupCommand`` checks in one order for every subcommand (options, then
the key, then the group): :func:`_group_prelude` keeps that order, so errors match.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.commands.streams import c_str, get_stream
from nodes.commands.streams_wakeup import signal_stream
from nodes.errors import CommandError, NodeError, SyntaxErr
from nodes.resp.values import NULL_ARRAY, OK, Reply, Simple
from nodes.types import stream_ids
from nodes.types.stream import INVALID_ENTRIES_READ, Stream
from nodes.types.stream_groups import ConsumerGroup, sorted_pel

_NEEDS_KEY = (
    "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
    "to use the MKSTREAM option to create an empty stream automatically."
)


def subcommand_syntax_error(argv: list[bytes]) -> NodeError:
    """``addReplySubcommandSyntaxError``."""
    return NodeError(
        b"ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
        % (c_str(argv[1])[:128], c_str(argv[0]).upper())
    )


def help_reply(argv: list[bytes], lines: list[str]) -> Reply:
    """``addReplyHelp``: the header naming the command as sent, the lines, HELP."""
    head = b"%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" % c_str(argv[0]).upper()
    body = [line.encode() for line in lines]
    return [Simple(t) for t in (head, *body, b"HELP", b"    Prints this help.")]


def no_group(key: bytes, group: bytes) -> NodeError:
    return NodeError(
        b"NOGROUP No such consumer group '%s' for key name '%s'" % (c_str(group), c_str(key))
    )


def no_key_or_group(key: bytes, group: bytes) -> NodeError:
    return NodeError(
        b"NOGROUP No such key '%s' or consumer group '%s'" % (c_str(key), c_str(group))
    )


class _Prelude:
    __slots__ = ("entries_read", "group", "mkstream", "stream")

    def __init__(self) -> None:
        self.stream: Stream | None = None
        self.group: ConsumerGroup | None = None
        self.mkstream = False
        self.entries_read = INVALID_ENTRIES_READ


def _group_prelude(ctx: CommandContext, argv: list[bytes]) -> _Prelude:
    p = _Prelude()
    sub = argv[1].lower()
    i = 5
    while i < len(argv):
        opt = argv[i].lower()
        if sub == b"create" and opt == b"mkstream":
            p.mkstream = True
            i += 1
        elif sub in (b"create", b"setid") and opt == b"entriesread" and i + 1 < len(argv):
            p.entries_read = parse_int(argv[i + 1])
            if p.entries_read < 0 and p.entries_read != INVALID_ENTRIES_READ:
                raise CommandError("value for ENTRIESREAD must be positive or -1")
            i += 2
        else:
            raise subcommand_syntax_error(argv)
    p.stream = get_stream(ctx, argv[2])
    if not p.mkstream:
        if p.stream is None:
            raise CommandError(_NEEDS_KEY)
        p.group = p.stream.groups.get(argv[3])
        if p.group is None and sub in (b"setid", b"createconsumer", b"delconsumer"):
            raise no_group(argv[2], argv[3])
    return p


@command("xgroup", -2, "", acl="@slow", container=True)
def xgroup(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise CommandError("wrong number of arguments for 'xgroup' command")


@command("help", 2, "loading stale", acl="@stream @slow", parent="xgroup")
def xgroup_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return help_reply(
        argv,
        [
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.",
        ],
    )


@command(
    "create",
    -5,
    "write denyoom",
    keys=(2, 2, 1),
    acl="@write @stream @slow",
    key_flags="RW insert",
    parent="xgroup",
)
def xgroup_create(ctx: CommandContext, argv: list[bytes]) -> Reply:
    p = _group_prelude(ctx, argv)
    if len(argv) > 8:
        raise subcommand_syntax_error(argv)
    s = p.stream
    if argv[4] == b"$":
        last_id = s.last_id if s is not None else 0
    else:
        last_id = stream_ids.parse_strict(argv[4])
    key = argv[2]
    if s is None:
        s = Stream()
        ctx.keyspace.set(key, s)
    if argv[3] in s.groups:
        raise NodeError(b"BUSYGROUP Consumer Group name already exists")
    s.groups[argv[3]] = ConsumerGroup(last_id, p.entries_read)
    ctx.keyspace.modified(key)
    return OK


@command(
    "setid",
    -5,
    "write",
    keys=(2, 2, 1),
    acl="@write @stream @slow",
    key_flags="RW update",
    parent="xgroup",
)
def xgroup_setid(ctx: CommandContext, argv: list[bytes]) -> Reply:
    p = _group_prelude(ctx, argv)
    if len(argv) not in (5, 7):
        raise subcommand_syntax_error(argv)
    assert p.stream is not None and p.group is not None
    p.group.last_id = p.stream.last_id if argv[4] == b"$" else stream_ids.parse_loose(argv[4])
    p.group.entries_read = p.entries_read
    ctx.keyspace.modified(argv[2])
    return OK


@command(
    "destroy",
    4,
    "write",
    keys=(2, 2, 1),
    acl="@write @stream @slow",
    key_flags="RW delete",
    parent="xgroup",
)
def xgroup_destroy(ctx: CommandContext, argv: list[bytes]) -> Reply:
    p = _group_prelude(ctx, argv)
    assert p.stream is not None
    if p.group is None:
        return 0
    del p.stream.groups[argv[3]]
    ctx.keyspace.modified(argv[2])
    signal_stream(ctx, argv[2])
    return 1


@command(
    "createconsumer",
    5,
    "write denyoom",
    keys=(2, 2, 1),
    acl="@write @stream @slow",
    key_flags="RW insert",
    parent="xgroup",
)
def xgroup_createconsumer(ctx: CommandContext, argv: list[bytes]) -> Reply:
    p = _group_prelude(ctx, argv)
    assert p.group is not None
    if p.group.create_consumer(argv[4], ctx.now_ms()) is None:
        return 0
    ctx.keyspace.modified(argv[2])
    return 1


@command(
    "delconsumer",
    5,
    "write",
    keys=(2, 2, 1),
    acl="@write @stream @slow",
    key_flags="RW delete",
    parent="xgroup",
)
def xgroup_delconsumer(ctx: CommandContext, argv: list[bytes]) -> Reply:
    p = _group_prelude(ctx, argv)
    assert p.group is not None
    consumer = p.group.consumer(argv[4], ctx.now_ms(), refresh=False)
    if consumer is None:
        return 0
    pending = p.group.delete_consumer(consumer)
    ctx.keyspace.modified(argv[2])
    return pending


@command(
    "xsetid",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @stream @fast",
    key_flags="RW update",
)
def xsetid(ctx: CommandContext, argv: list[bytes]) -> Reply:
    new_id = stream_ids.parse_strict(argv[2])
    max_deleted = 0
    entries_added = -1
    i = 3
    while i < len(argv):
        more = len(argv) - 1 - i
        opt = argv[i].lower()
        if opt == b"entriesadded" and more:
            entries_added = parse_int(argv[i + 1])
            if entries_added < 0:
                raise CommandError("entries_added must be positive")
        elif opt == b"maxdeletedid" and more:
            max_deleted = stream_ids.parse_strict(argv[i + 1])
            if new_id < max_deleted:
                raise CommandError(
                    "The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
                )
        else:
            raise SyntaxErr()
        i += 2
    s = get_stream(ctx, argv[1])
    if s is None:
        raise CommandError("no such key")
    if s.length > 0:
        if new_id < s.last_valid_id():
            raise CommandError(
                "The ID specified in XSETID is smaller than the target stream top item"
            )
        if entries_added != -1 and s.length > entries_added:
            raise CommandError(
                "The entries_added specified in XSETID is smaller than the target stream length"
            )
    s.last_id = new_id
    if entries_added != -1:
        s.entries_added = entries_added
    if max_deleted:
        s.max_deleted = max_deleted
    ctx.keyspace.modified(argv[1])
    return OK


@command(
    "xack",
    -4,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @stream @fast",
    key_flags="RW update",
)
def xack(ctx: CommandContext, argv: list[bytes]) -> Reply:
    s = get_stream(ctx, argv[1])
    group = s.groups.get(argv[2]) if s is not None else None
    if group is None:
        return 0
    ids = [stream_ids.parse_strict(a) for a in argv[3:]]
    acknowledged = 0
    for entry_id in ids:
        if group.ack(entry_id):
            acknowledged += 1
    if acknowledged:
        ctx.keyspace.modified(argv[1])
    return acknowledged


@command(
    "xpending",
    -3,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @stream @slow",
    key_flags="RO access",
    tips="nondeterministic_output",
)
def xpending(ctx: CommandContext, argv: list[bytes]) -> Reply:
    argc = len(argv)
    if argc != 3 and not 6 <= argc <= 9:
        raise SyntaxErr()
    start = end = count = min_idle = 0
    consumer_name: bytes | None = None
    if argc >= 6:
        at = 3
        if argv[3].lower() == b"idle":
            min_idle = parse_int(argv[4])
            if argc < 8:
                raise SyntaxErr()
            at += 2
        count = max(parse_int(argv[at + 2]), 0)
        start = stream_ids.start_bound(argv[at])
        end = stream_ids.end_bound(argv[at + 1])
        if at + 3 < argc:
            consumer_name = argv[at + 3]
    s = get_stream(ctx, argv[1])
    group = s.groups.get(argv[2]) if s is not None else None
    if group is None:
        raise no_key_or_group(argv[1], argv[2])
    if argc == 3:
        if not group.pel:
            return [0, None, None, NULL_ARRAY]
        owners: list[Reply] = [
            [name, b"%d" % len(c.pel)] for name, c in sorted(group.consumers.items()) if c.pel
        ]
        return [
            len(group.pel),
            stream_ids.text(min(group.pel)),
            stream_ids.text(max(group.pel)),
            owners,
        ]
    pel = group.pel
    if consumer_name is not None:
        consumer = group.consumer(consumer_name, 0, refresh=False)
        if consumer is None:
            return []
        pel = consumer.pel
    now = ctx.now_ms()
    out: list[Reply] = []
    for entry_id in sorted_pel(pel, start):
        if not count or entry_id > end:
            break
        nack = pel[entry_id]
        if min_idle and now - nack.delivery_time < min_idle:
            continue
        count -= 1
        owner = nack.consumer.name if nack.consumer is not None else b""
        out.append(
            [
                stream_ids.text(entry_id),
                owner,
                max(now - nack.delivery_time, 0),
                nack.delivery_count,
            ]
        )
    return out
