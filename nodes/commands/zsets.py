"""Sorted-set commands: ZADD (NX XX GT LT CH INCR) ZREM ZSCORE ZCARD ZRANGE ZRANK, and the
older forms clients still send (redis-py's ``zrange(desc=True)`` is ZREVRANGE): ZINCRBY
ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANK ZCOUNT.

Values are :class:`nodes.types.ZSet`. Scores are parsed like redis-server 7.0's strtod
(:mod:`nodes.types.scores`) and replied as doubles, which the encoder prints with
``%.17g`` in RESP2 and sends as ``,`` doubles in RESP3. ZRANGE follows redis 7.0's
argument order exactly (options first, then option conflicts, then the range, then the
key), since that order decides which error a bad request gets.
"""

from __future__ import annotations

import math
from enum import Enum

from nodes.aof import SNAPSHOT_WRITERS
from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.encoder import format_double
from nodes.resp.values import Reply
from nodes.types.scores import parse_lex_bound, parse_score, parse_score_bound
from nodes.types.zset import Pair, ZSet


@command(
    "zadd",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @sortedset @fast",
    key_flags="RW update",
)
def zadd(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _zadd(ctx, argv, incr=False)


@command(
    "zincrby",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @sortedset @fast",
    key_flags="RW access update",
)
def zincrby(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _zadd(ctx, argv, incr=True)


def _zadd(ctx: CommandContext, argv: list[bytes], *, incr: bool) -> Reply:
    """ZADD, or ZINCRBY (``incr``): Redis parses both the same way, options included."""
    nx = xx = gt = lt = ch = False
    i, n = 2, len(argv)
    while i < n:
        opt = argv[i].lower()
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt == b"ch":
            ch = True
        elif opt == b"incr":
            incr = True
        elif opt == b"gt":
            gt = True
        elif opt == b"lt":
            lt = True
        else:
            break
        i += 1
    elements = n - i
    if elements % 2 or not elements:
        raise SyntaxErr()
    if nx and xx:
        raise CommandError("XX and NX options at the same time are not compatible")
    if (gt and nx) or (lt and nx) or (gt and lt):
        raise CommandError("GT, LT, and/or NX options at the same time are not compatible")
    if incr and elements > 2:
        raise CommandError("INCR option supports a single increment-element pair")
    pairs = [(parse_score(argv[j]), argv[j + 1]) for j in range(i, n, 2)]

    ks = ctx.keyspace
    key = argv[1]
    zs = ks.get_typed(key, ZSet)
    created = zs is None
    if zs is None:
        if xx:
            return None if incr else 0
        zs = ZSet.for_first_member(pairs[0][1])
    added = updated = processed = 0
    score = 0.0  # the last element's resulting score (what INCR replies)
    for given, member in pairs:
        score = given
        current = zs.score(member)
        if current is None:
            if xx:
                continue
            zs.insert(member, score)
            added += 1
            processed += 1
            continue
        if nx:
            continue
        if incr:
            score += current
            if math.isnan(score):
                raise CommandError("resulting score is not a number (NaN)")
        if (lt and score >= current) or (gt and score <= current):
            continue
        processed += 1
        if score != current:
            zs.update(member, score)
            updated += 1
    if created:
        ks.set(key, zs)
    elif added or updated:
        ks.modified(key)
    if incr:
        return score if processed else None
    return added + updated if ch else added


@command(
    "zrem", -3, "write fast", keys=(1, 1, 1), acl="@write @sortedset @fast", key_flags="RW delete"
)
def zrem(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    key = argv[1]
    zs = ks.get_typed(key, ZSet)
    if zs is None:
        return 0
    removed = sum(1 for m in argv[2:] if zs.remove(m))
    if not zs:
        ks.delete(key)
    elif removed:
        ks.modified(key)
    return removed


@command(
    "zscore",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@read @sortedset @fast",
    key_flags="RO access",
)
def zscore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    zs = ctx.keyspace.get_typed(argv[1], ZSet)
    return None if zs is None else zs.score(argv[2])


@command("zcard", 2, "readonly fast", keys=(1, 1, 1), acl="@read @sortedset @fast", key_flags="RO")
def zcard(ctx: CommandContext, argv: list[bytes]) -> Reply:
    zs = ctx.keyspace.get_typed(argv[1], ZSet)
    return 0 if zs is None else len(zs)


@command(
    "zrank", 3, "readonly fast", keys=(1, 1, 1), acl="@read @sortedset @fast", key_flags="RO access"
)
def zrank(ctx: CommandContext, argv: list[bytes]) -> Reply:
    zs = ctx.keyspace.get_typed(argv[1], ZSet)
    return None if zs is None else zs.rank(argv[2])


@command(
    "zrevrank",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@read @sortedset @fast",
    key_flags="RO access",
)
def zrevrank(ctx: CommandContext, argv: list[bytes]) -> Reply:
    zs = ctx.keyspace.get_typed(argv[1], ZSet)
    if zs is None:
        return None
    rank = zs.rank(argv[2])
    return None if rank is None else len(zs) - 1 - rank


@command(
    "zcount",
    4,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@read @sortedset @fast",
    key_flags="RO access",
)
def zcount(ctx: CommandContext, argv: list[bytes]) -> Reply:
    low, high = parse_score_bound(argv[2]), parse_score_bound(argv[3])
    zs = ctx.keyspace.get_typed(argv[1], ZSet)
    return 0 if zs is None else zs.count_by_score(low, high)


class RangeKind(Enum):
    RANK = "rank"
    SCORE = "byscore"
    LEX = "bylex"


def _range_command(name: str, kind: RangeKind | None, reverse: bool | None) -> None:
    """Register a ZRANGE form; ``None`` leaves the kind or direction to the options."""

    @command(
        name, -4, "readonly", keys=(1, 1, 1), acl="@read @sortedset @slow", key_flags="RO access"
    )
    def handler(ctx: CommandContext, argv: list[bytes]) -> Reply:
        return _zrange(ctx, argv, kind, reverse)


def _zrange(
    ctx: CommandContext, argv: list[bytes], fixed_kind: RangeKind | None, fixed_rev: bool | None
) -> Reply:
    entries, withscores = select_range(ctx, argv, 1, fixed_kind, fixed_rev, store=False)
    return pairs_reply(ctx, entries, withscores)


def pairs_reply(ctx: CommandContext, entries: list[Pair], withscores: bool) -> Reply:
    """Members, or members and scores (flat in RESP2, ``[member, score]`` pairs in RESP3)."""
    if not withscores:
        return [member for _, member in entries]
    if ctx.client.resp == 3:
        return [[member, score] for score, member in entries]
    flat: list[Reply] = []
    for score, member in entries:
        flat.append(member)
        flat.append(score)
    return flat


def select_range(
    ctx: CommandContext,
    argv: list[bytes],
    key_at: int,
    fixed_kind: RangeKind | None,
    fixed_rev: bool | None,
    *,
    store: bool,
) -> tuple[list[Pair], bool]:
    """The pairs a ZRANGE form selects from the key at ``argv[key_at]`` (range at the two
    next arguments, options after them), and whether WITHSCORES was given (never with
    ``store``: ZRANGESTORE refuses it as a syntax error)."""
    withscores = False
    reverse = bool(fixed_rev)
    kind = fixed_kind
    offset, limit = 0, -1
    j, n = key_at + 3, len(argv)
    while j < n:
        opt = argv[j].lower()
        if opt == b"withscores" and not store:
            withscores = True
        elif opt == b"limit" and n - j - 1 >= 2:
            offset, limit = parse_int(argv[j + 1]), parse_int(argv[j + 2])
            j += 2
        elif opt == b"rev" and fixed_rev is None and not reverse:
            reverse = True
        elif opt == b"bylex" and kind is None:
            kind = RangeKind.LEX
        elif opt == b"byscore" and kind is None:
            kind = RangeKind.SCORE
        else:
            raise SyntaxErr()
        j += 1
    kind = kind or RangeKind.RANK
    # Redis tests "LIMIT given" as "limit != -1", so LIMIT x -1 passes with a rank range.
    if limit != -1 and kind is RangeKind.RANK:
        raise CommandError(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
        )
    if withscores and kind is RangeKind.LEX:
        raise CommandError("syntax error, WITHSCORES not supported in combination with BYLEX")
    low_arg, high_arg = argv[key_at + 1], argv[key_at + 2]
    if reverse and kind is not RangeKind.RANK:
        low_arg, high_arg = high_arg, low_arg  # given as max, min
    key = argv[key_at]
    if kind is RangeKind.RANK:
        start, end = parse_int(low_arg), parse_int(high_arg)
        zs = ctx.keyspace.get_typed(key, ZSet)
        if zs is None:
            return [], withscores
        return _by_rank(zs, start, end, reverse=reverse), withscores
    if kind is RangeKind.SCORE:
        low, high = parse_score_bound(low_arg), parse_score_bound(high_arg)
        zs = ctx.keyspace.get_typed(key, ZSet)
        if zs is None:
            return [], withscores
        return zs.by_score(low, high, reverse=reverse, offset=offset, limit=limit), withscores
    lex_low, lex_high = parse_lex_bound(low_arg), parse_lex_bound(high_arg)
    zs = ctx.keyspace.get_typed(key, ZSet)
    if zs is None:
        return [], withscores
    entries = zs.by_lex(lex_low, lex_high, reverse=reverse, offset=offset, limit=limit)
    return entries, withscores


_range_command("zrange", None, None)
_range_command("zrevrange", RangeKind.RANK, True)
_range_command("zrangebyscore", RangeKind.SCORE, False)
_range_command("zrevrangebyscore", RangeKind.SCORE, True)
_range_command("zrangebylex", RangeKind.LEX, False)
_range_command("zrevrangebylex", RangeKind.LEX, True)


def _by_rank(zs: ZSet, start: int, end: int, *, reverse: bool) -> list[Pair]:
    n = len(zs)
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = max(start, 0)
    if start > end or start >= n:
        return []
    return zs.by_rank(start, min(end, n - 1), reverse=reverse)


REWRITE_BATCH = 64
"""Members per ZADD in an AOF rewrite (Redis's AOF_REWRITE_ITEMS_PER_CMD)."""


def rewrite_commands(key: bytes, value: object) -> list[list[bytes]]:
    """ZADDs that recreate ``value``; ``%.17g`` scores read back exactly."""
    assert isinstance(value, ZSet)
    flat: list[bytes] = []
    for member, score in value.items():
        flat += [format_double(score), member]
    step = 2 * REWRITE_BATCH
    return [[b"ZADD", key, *flat[i : i + step]] for i in range(0, len(flat), step)]


SNAPSHOT_WRITERS[ZSet] = rewrite_commands
