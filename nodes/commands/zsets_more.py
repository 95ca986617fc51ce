"""More sorted-set commands: ZMSCORE ZLEXCOUNT ZRANGESTORE ZREMRANGEBYRANK
ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER ZSCAN.

Ranges are parsed before the key is looked at, as redis does. ZPOPMIN/ZPOPMAX with a
count reply ``[member, score]`` pairs in RESP3 (flat in RESP2); ZMPOP always nests them
under the key, and is propagated as the ZPOPMIN/ZPOPMAX with a count it amounts to.
ZRANDMEMBER draws from the server's injected ``random.Random``.
"""

from __future__ import annotations

from nodes.blocking import Served
from nodes.commands.args import parse_int
from nodes.commands.collection_scan import keep, parse_cursor, parse_options, scan_step
from nodes.commands.context import CommandContext
from nodes.commands.mpop_args import ZSET_ENDS, mpop_getkeys, mpop_key_specs, parse_mpop
from nodes.commands.registry import KeySpec, command
from nodes.commands.zsets import select_range
from nodes.commands.zsets_algebra import store_result
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.encoder import format_double
from nodes.resp.parser import string2ll
from nodes.resp.values import NULL_ARRAY, Reply
from nodes.types.scores import parse_lex_bound, parse_score_bound
from nodes.types.zset import Pair, ZSet

_LONG_MAX = 2**63 - 1


def _zset(ctx: CommandContext, key: bytes) -> ZSet | None:
    return ctx.keyspace.get_typed(key, ZSet)


@command(
    "zmscore",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@read @sortedset @fast",
    key_flags="RO access",
)
def zmscore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    zs = _zset(ctx, argv[1])
    return [None if zs is None else zs.score(m) for m in argv[2:]]


@command(
    "zlexcount",
    4,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@read @sortedset @fast",
    key_flags="RO access",
)
def zlexcount(ctx: CommandContext, argv: list[bytes]) -> Reply:
    low, high = parse_lex_bound(argv[2]), parse_lex_bound(argv[3])
    zs = _zset(ctx, argv[1])
    if zs is None:
        return 0
    return len(zs.by_lex(low, high, reverse=False, offset=0, limit=-1))


@command(
    "zrangestore",
    -5,
    "write denyoom",
    keys=(1, 2, 1),
    acl="@write @sortedset @slow",
    key_specs=(
        KeySpec(("OW", "update"), begin_index=1),
        KeySpec(("RO", "access"), begin_index=2),
    ),
)
def zrangestore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    entries, _ = select_range(ctx, argv, 2, None, None, store=True)
    return store_result(ctx, argv[1], sorted(entries))


def _remove(ctx: CommandContext, key: bytes, zs: ZSet, doomed: list[Pair]) -> int:
    for _, member in doomed:
        zs.remove(member)
    if not zs:
        ctx.keyspace.delete(key)
    elif doomed:
        ctx.keyspace.modified(key)
    return len(doomed)


@command(
    "zremrangebyrank",
    4,
    "write",
    keys=(1, 1, 1),
    acl="@write @sortedset @slow",
    key_flags="RW delete",
)
def zremrangebyrank(ctx: CommandContext, argv: list[bytes]) -> Reply:
    start, end = parse_int(argv[2]), parse_int(argv[3])
    zs = _zset(ctx, argv[1])
    if zs is None:
        return 0
    n = len(zs)
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = max(start, 0)
    if start > end or start >= n:
        return 0
    return _remove(ctx, argv[1], zs, zs.by_rank(start, min(end, n - 1), reverse=False))


@command(
    "zremrangebyscore",
    4,
    "write",
    keys=(1, 1, 1),
    acl="@write @sortedset @slow",
    key_flags="RW delete",
)
def zremrangebyscore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    low, high = parse_score_bound(argv[2]), parse_score_bound(argv[3])
    zs = _zset(ctx, argv[1])
    if zs is None:
        return 0
    doomed = zs.by_score(low, high, reverse=False, offset=0, limit=-1)
    return _remove(ctx, argv[1], zs, doomed)


@command(
    "zremrangebylex",
    4,
    "write",
    keys=(1, 1, 1),
    acl="@write @sortedset @slow",
    key_flags="RW delete",
)
def zremrangebylex(ctx: CommandContext, argv: list[bytes]) -> Reply:
    low, high = parse_lex_bound(argv[2]), parse_lex_bound(argv[3])
    zs = _zset(ctx, argv[1])
    if zs is None:
        return 0
    doomed = zs.by_lex(low, high, reverse=False, offset=0, limit=-1)
    return _remove(ctx, argv[1], zs, doomed)


def pop_pairs(ctx: CommandContext, key: bytes, zs: ZSet, count: int, *, top: bool) -> list[Pair]:
    """Take up to ``count`` members off the low end (``top``: the high end) of ``zs``
    stored at ``key``, as (score, member) in pop order; the key is deleted when emptied.
    Every sorted-set pop goes through here: ZPOPMIN/ZPOPMAX, ZMPOP and the blocking
    BZPOPMIN/BZPOPMAX/BZMPOP (served at once or later)."""
    taken = min(count, len(zs))
    popped = zs.by_rank(0, taken - 1, reverse=top)
    _remove(ctx, key, zs, popped)
    return popped


def _flat(pairs: list[Pair]) -> list[Reply]:
    out: list[Reply] = []
    for score, member in pairs:
        out += [member, score]
    return out


def _zpop(ctx: CommandContext, argv: list[bytes], *, top: bool) -> Reply:
    if len(argv) > 3:
        raise SyntaxErr()
    count = -1
    if len(argv) == 3:
        parsed = string2ll(argv[2])
        if parsed is None or parsed < 0:
            raise CommandError("value is out of range, must be positive")
        count = parsed
    zs = _zset(ctx, argv[1])
    if zs is None or count == 0:
        return []
    popped = pop_pairs(ctx, argv[1], zs, 1 if count == -1 else count, top=top)
    if ctx.client.resp == 3 and count != -1:
        return [[member, score] for score, member in popped]
    return _flat(popped)


@command(
    "zpopmin",
    -2,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @sortedset @fast",
    key_flags="RW access delete",
)
def zpopmin(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _zpop(ctx, argv, top=False)


@command(
    "zpopmax",
    -2,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @sortedset @fast",
    key_flags="RW access delete",
)
def zpopmax(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _zpop(ctx, argv, top=True)


def zmpop_take(
    ctx: CommandContext, keys: list[bytes], *, lowest: bool, count: int
) -> Served | None:
    """ZMPOP's work (BZMPOP's too, at once or when served): up to ``count`` members of
    the first sorted set among ``keys`` (WRONGTYPE for another type met before it),
    replied as ``[key, [[member, score]...]]`` and propagated as the ZPOPMIN/ZPOPMAX
    with the count taken, as redis 7.0; ``None`` when there is no sorted set."""
    for key in keys:
        zs = _zset(ctx, key)
        if zs is None:
            continue
        popped = pop_pairs(ctx, key, zs, count, top=not lowest)
        name = b"ZPOPMIN" if lowest else b"ZPOPMAX"
        reply: list[Reply] = [[member, score] for score, member in popped]
        return Served([key, reply], [[name, key, b"%d" % len(popped)]])
    return None


@command(
    "zmpop",
    -4,
    "write",
    getkeys=mpop_getkeys(1),
    acl="@write @sortedset @slow",
    key_specs=mpop_key_specs(1),
)
def zmpop(ctx: CommandContext, argv: list[bytes]) -> Reply:
    args = parse_mpop(argv, 1, ZSET_ENDS)
    taken = zmpop_take(ctx, args.keys, lowest=args.first_end, count=args.count)
    if taken is None:
        return NULL_ARRAY
    ctx.propagate_as(*taken.propagate)
    return taken.reply


@command(
    "zrandmember",
    -2,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @sortedset @slow",
    key_flags="RO access",
    tips="nondeterministic_output",
)
def zrandmember(ctx: CommandContext, argv: list[bytes]) -> Reply:
    rng = ctx.server.rng
    if len(argv) == 2:
        zs = _zset(ctx, argv[1])
        if zs is None:
            return None
        return rng.choice([m for m, _ in zs.items()])
    count = parse_int(argv[2])
    if count < -_LONG_MAX:
        raise CommandError(
            f"value is out of range, value must between {-_LONG_MAX} and {_LONG_MAX}"
        )
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withscores"):
        raise SyntaxErr()
    withscores = len(argv) == 4
    if withscores and not -_LONG_MAX // 2 <= count <= _LONG_MAX // 2:
        raise CommandError("value is out of range")
    zs = _zset(ctx, argv[1])
    if zs is None or count == 0:
        return []
    pairs = [(score, member) for member, score in zs.items()]
    if count < 0:
        picked = [rng.choice(pairs) for _ in range(-count)]
    elif count >= len(pairs):
        picked = pairs[::-1]  # redis's zset iterator walks from the highest score
    else:
        chosen = set(rng.sample(range(len(pairs)), count))
        picked = [p for i, p in enumerate(pairs) if i in chosen]
    if not withscores:
        return [member for _, member in picked]
    if ctx.client.resp == 3:
        return [[member, score] for score, member in picked]
    return _flat(picked)


@command(
    "zscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @sortedset @slow",
    key_flags="RO access",
    tips="nondeterministic_output",
)
def zscan(ctx: CommandContext, argv: list[bytes]) -> Reply:
    cursor = parse_cursor(argv[2])
    zs = _zset(ctx, argv[1])
    if zs is None:
        return [b"0", []]
    opts = parse_options(argv, 3)
    members = [m for m, _ in zs.items()]
    if zs.listpack:
        next_cursor, found = 0, members
    else:
        next_cursor, found = scan_step(members, cursor, opts.count)
    out: list[Reply] = []
    for member in found:
        if keep(opts.pattern, member):
            score = zs.score(member)
            assert score is not None
            out += [member, format_double(score)]
    return [b"%d" % next_cursor, out]
