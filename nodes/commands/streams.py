"""Stream commands without consumer groups: XADD XLEN XRANGE XREVRANGE XDEL XTRIM, and
what the other stream families share (lookup, entry replies, trim options).

Propagation is redis 7.0's: XADD goes out with the ID it generated (``*``, ``<ms>-*``),
and an approximate trim (``~``, LIMIT) is rewritten as the exact trim it turned out to
be (``= <length>`` or ``= <first id>``), so a replica or an AOF replay ends identical.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodes.aof import SNAPSHOT_WRITERS
from nodes.client import MASTER_FLAGS
from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.commands.streams_aof import rewrite_commands
from nodes.commands.streams_wakeup import signal_stream
from nodes.errors import ArityError, CommandError, SyntaxErr
from nodes.resp.values import NULL_ARRAY, Reply
from nodes.types import stream_ids
from nodes.types.limits import LIMITS
from nodes.types.stream import LISTPACK_MAX_SIZE, Stream, StreamEntry, StreamNode
from nodes.types.stream_ids import MASK64, MAX_ID, MIN_ID

MAXLEN_OR_MINID = "syntax error, MAXLEN and MINID options at the same time are not compatible"


def c_str(arg: bytes) -> bytes:
    """What C's ``%s`` prints of an argument: up to its first NUL byte."""
    nul = arg.find(b"\0")
    return arg if nul < 0 else arg[:nul]


def get_stream(ctx: CommandContext, key: bytes) -> Stream | None:
    """The stream at ``key`` (None if missing; WRONGTYPE for another type)."""
    return ctx.keyspace.get_typed(key, Stream)


def obeys_without_limits(ctx: CommandContext) -> bool:
    """redis's ``mustObeyClient``: the command comes from our master or the AOF (then
    trimming takes no LIMIT and a LIMIT without ``~`` is no error)."""
    client = ctx.client
    return client.flags == MASTER_FLAGS or (client.id == 0 and client.addr == "aof")


def entry_reply(node: StreamNode, entry: StreamEntry) -> list[Reply]:
    """``[id, [field, value, ...]]``."""
    return [stream_ids.text(entry.id), list[Reply](node.pairs(entry))]


def range_reply(s: Stream, start: int, end: int, count: int, *, rev: bool = False) -> list[Reply]:
    """Up to ``count`` (0: all) entries of ``[start, end]``."""
    out: list[Reply] = []
    for node, entry in s.range(start, end, rev=rev):
        out.append(entry_reply(node, entry))
        if count and len(out) == count:
            break
    return out


@dataclass(slots=True)
class TrimArgs:
    """XADD / XTRIM options as ``streamParseAddOrTrimArgsOrReply`` reads them."""

    maxlen: int | None = None
    minid: int | None = None
    approx: bool = False
    limit: int = 0
    threshold_index: int = 0
    """Position of the MAXLEN count / MINID id (rewritten for propagation)."""
    id_index: int = 0
    entry_id: int = 0
    id_given: bool = False
    seq_given: bool = True
    no_mkstream: bool = False

    @property
    def trims(self) -> bool:
        return self.maxlen is not None or self.minid is not None


def _trim_threshold(argv: list[bytes], i: int, args: TrimArgs) -> int:
    """Parse ``MAXLEN|MINID [~|=] threshold`` at ``argv[i]``; the index after it."""
    if args.trims:
        raise CommandError(MAXLEN_OR_MINID)
    is_maxlen = argv[i].lower() == b"maxlen"
    more = len(argv) - 1 - i
    args.approx = False
    if more >= 2 and argv[i + 1] in (b"~", b"="):
        args.approx = argv[i + 1] == b"~"
        i += 1
    if is_maxlen:
        maxlen = parse_int(argv[i + 1])
        if maxlen < 0:
            raise CommandError("The MAXLEN argument must be >= 0.")
        args.maxlen = maxlen
    else:
        args.minid = stream_ids.parse_strict(argv[i + 1])
    args.threshold_index = i + 1
    return i + 1


def parse_trim_args(ctx: CommandContext, argv: list[bytes], *, xadd: bool) -> TrimArgs:
    args = TrimArgs()
    limit_given = False
    i = 2
    while i < len(argv):
        more = len(argv) - 1 - i
        opt = argv[i]
        lowered = opt.lower()
        if xadd and opt == b"*":
            break
        if lowered in (b"maxlen", b"minid") and more:
            i = _trim_threshold(argv, i, args)
        elif lowered == b"limit" and more:
            args.limit = parse_int(argv[i + 1])
            if args.limit < 0:
                raise CommandError("The LIMIT argument must be >= 0.")
            limit_given = True
            i += 1
        elif xadd and lowered == b"nomkstream":
            args.no_mkstream = True
        elif xadd:
            args.entry_id, args.seq_given = stream_ids.parse(opt, strict=True, allow_auto_seq=True)
            args.id_given = True
            break
        else:
            raise SyntaxErr()
        i += 1
    args.id_index = i
    if args.limit and not args.trims:
        raise CommandError(
            "syntax error, LIMIT cannot be used without specifying a trimming strategy"
        )
    if not xadd and not args.trims:
        raise CommandError("syntax error, XTRIM must be called with a trimming strategy")
    if obeys_without_limits(ctx):
        args.limit = 0
    elif limit_given:
        if not args.approx:
            raise CommandError("syntax error, LIMIT cannot be used without the special ~ option")
    elif args.approx:
        args.limit = min(max(100 * LIMITS.stream_node_max_entries, 0) or 10000, 1000000)
    else:
        args.limit = 0
    return args


def trim(s: Stream, args: TrimArgs) -> int:
    return s.trim(maxlen=args.maxlen, minid=args.minid, approx=args.approx, limit=args.limit)


def rewrite_trim(s: Stream, args: TrimArgs, argv: list[bytes]) -> None:
    """An approximate trim propagates as the exact one it did."""
    argv[args.threshold_index - 1] = b"="
    if args.maxlen is not None:
        argv[args.threshold_index] = b"%d" % s.length
    else:
        argv[args.threshold_index] = stream_ids.text(s.edge_id(True, tombstones=True))


_AUTO_ID = TrimArgs(id_index=2)
"""``XADD key * ...`` (the common case) without options: never modified."""


def _next_id(s: Stream, args: TrimArgs, now_ms: int) -> int | None:
    """The ID XADD adds, or None when it would not be above the last one."""
    last = s.last_id
    if args.id_given:
        if args.seq_given:
            new = args.entry_id
        elif last >> 64 == args.entry_id >> 64:
            if last & MASK64 == MASK64:
                return None
            new = last + 1
        else:
            new = args.entry_id
    elif now_ms > last >> 64:
        new = now_ms << 64
    else:
        new = last + 1
    return new if new > last else None


@command(
    "xadd",
    -5,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @stream @fast",
    key_specs=(
        KeySpec(
            ("RW", "update"),
            notes=b"UPDATE instead of INSERT because of the optional trimming feature",
        ),
    ),
    tips="nondeterministic_output",
)
def xadd(ctx: CommandContext, argv: list[bytes]) -> Reply:
    args = _AUTO_ID if argv[2] == b"*" else parse_trim_args(ctx, argv, xadd=True)
    field_pos = args.id_index + 1
    pairs = len(argv) - field_pos
    if pairs < 2 or pairs % 2:
        raise ArityError("xadd")
    if args.id_given and args.seq_given and args.entry_id == MIN_ID:
        raise CommandError("The ID specified in XADD must be greater than 0-0")
    ks = ctx.keyspace
    key = argv[1]
    s = get_stream(ctx, key)
    fresh = s is None
    if s is None:
        if args.no_mkstream:
            return None
        s = Stream()
    if s.last_id == MAX_ID:
        raise CommandError(
            "The stream has exhausted the last possible ID, unable to add more items"
        )
    new_id = _next_id(s, args, ctx.now_ms())
    if new_id is None:
        raise CommandError(
            "The ID specified in XADD is equal or smaller than the target stream top item"
        )
    flat = argv[field_pos:]
    if sum(map(len, flat)) > LISTPACK_MAX_SIZE:
        raise CommandError("Elements are too large to be stored")
    s.append(new_id, flat)
    if fresh:
        ks.set(key, s)
    else:
        ks.modified(key)
    reply = stream_ids.text(new_id)
    propagated = list(argv)
    if args.trims:
        trim(s, args)
        if args.approx:
            rewrite_trim(s, args, propagated)
    if not args.id_given or not args.seq_given:
        propagated[args.id_index] = reply
    ctx.propagate_as(propagated)
    signal_stream(ctx, key)
    return reply


@command(
    "xlen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@read @stream @fast",
    key_flags="RO",
)
def xlen(ctx: CommandContext, argv: list[bytes]) -> Reply:
    s = get_stream(ctx, argv[1])
    return 0 if s is None else s.length


def _xrange(ctx: CommandContext, argv: list[bytes], *, rev: bool) -> Reply:
    start_arg, end_arg = (argv[3], argv[2]) if rev else (argv[2], argv[3])
    start = stream_ids.start_bound(start_arg)
    end = stream_ids.end_bound(end_arg)
    count = -1
    j = 4
    while j < len(argv):
        if argv[j].lower() == b"count" and j + 1 < len(argv):
            count = max(parse_int(argv[j + 1]), 0)
            j += 2
        else:
            raise SyntaxErr()
    s = get_stream(ctx, argv[1])
    if s is None:
        return []
    if count == 0:
        return NULL_ARRAY
    return range_reply(s, start, end, max(count, 0), rev=rev)


@command(
    "xrange",
    -4,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @stream @slow",
    key_flags="RO access",
)
def xrange(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _xrange(ctx, argv, rev=False)


@command(
    "xrevrange",
    -4,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @stream @slow",
    key_flags="RO access",
)
def xrevrange(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _xrange(ctx, argv, rev=True)


@command(
    "xdel",
    -3,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @stream @fast",
    key_flags="RW delete",
)
def xdel(ctx: CommandContext, argv: list[bytes]) -> Reply:
    s = get_stream(ctx, argv[1])
    if s is None:
        return 0
    ids = [stream_ids.parse_strict(a) for a in argv[2:]]
    deleted = 0
    first_entry = False
    for entry_id in ids:
        if s.delete(entry_id):
            if entry_id == s.first_id:
                first_entry = True
            s.max_deleted = max(s.max_deleted, entry_id)
            deleted += 1
    if deleted:
        if s.length == 0:
            s.first_id = MIN_ID
        elif first_entry:
            s.first_id = s.edge_id(True)
        ctx.keyspace.modified(argv[1])
    return deleted


@command(
    "xtrim",
    -4,
    "write",
    keys=(1, 1, 1),
    acl="@write @stream @slow",
    key_flags="RW delete",
    tips="nondeterministic_output",
)
def xtrim(ctx: CommandContext, argv: list[bytes]) -> Reply:
    args = parse_trim_args(ctx, argv, xadd=False)
    s = get_stream(ctx, argv[1])
    if s is None:
        return 0
    deleted = trim(s, args)
    if deleted:
        if args.approx:
            propagated = list(argv)
            rewrite_trim(s, args, propagated)
            ctx.propagate_as(propagated)
        ctx.keyspace.modified(argv[1])
    return deleted


SNAPSHOT_WRITERS[Stream] = rewrite_commands
