"""Set commands beyond the basics: SMISMEMBER SMOVE SPOP SRANDMEMBER SINTER SINTERCARD
SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN.

Results are built the way redis builds them: a stored or replied union/difference starts
as an intset and becomes a hash table when a member needs it, so a result of integers
lists in numeric order exactly like redis; SINTER walks its smallest set. Random picks
(SPOP, SRANDMEMBER) come from the server's injected ``random.Random``. SPOP is
propagated as the SREMs (or the DEL) it amounts to, like redis.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.collection_scan import keep, parse_cursor, parse_options, scan_step
from nodes.commands.context import CommandContext
from nodes.commands.keynum import numkeys_getkeys
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.parser import string2ll
from nodes.resp.values import Reply, SetReply
from nodes.types.sets import RedisSet

_LONG_MAX = 2**63 - 1


def _set(ctx: CommandContext, key: bytes) -> RedisSet | None:
    return ctx.keyspace.get_typed(key, RedisSet)


@command(
    "smismember", -3, "readonly fast", keys=(1, 1, 1), acl="@read @set @fast", key_flags="RO access"
)
def smismember(ctx: CommandContext, argv: list[bytes]) -> Reply:
    members = _set(ctx, argv[1])
    return [1 if members is not None and m in members else 0 for m in argv[2:]]


@command(
    "smove",
    4,
    "write fast",
    keys=(1, 2, 1),
    acl="@write @set @fast",
    key_specs=(
        KeySpec(("RW", "access", "delete"), begin_index=1),
        KeySpec(("RW", "insert"), begin_index=2),
    ),
)
def smove(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    src_key, dst_key, member = argv[1], argv[2], argv[3]
    if ks.get(src_key) is None:
        return 0
    src, dst = _set(ctx, src_key), _set(ctx, dst_key)
    assert src is not None
    if src_key == dst_key:
        return 1 if member in src else 0
    if not src.remove(member):
        return 0
    if src:
        ks.modified(src_key)
    else:
        ks.delete(src_key)
    if dst is None:
        dst = RedisSet.for_first_member(member)
        dst.add(member)
        ks.set(dst_key, dst)
    elif dst.add(member):
        ks.modified(dst_key)
    return 1


def _parse_positive(arg: bytes) -> int:
    value = string2ll(arg)
    if value is None or value < 0:  # redis gives its range message for both
        raise CommandError("value is out of range, must be positive")
    return value


@command(
    "spop",
    -2,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @set @fast",
    key_flags="RW access delete",
    tips="nondeterministic_output",
)
def spop(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 3:
        raise SyntaxErr()
    ks = ctx.keyspace
    key = argv[1]
    rng = ctx.server.rng
    if len(argv) == 2:
        members = _set(ctx, key)
        if members is None:
            return None
        picked = rng.choice(members.ordered())
        members.remove(picked)
        if members:
            ks.modified(key)
        else:
            ks.delete(key)
        ctx.propagate_as([b"SREM", key, picked])
        return picked
    count = _parse_positive(argv[2])
    members = _set(ctx, key)
    if members is None or count == 0:
        return SetReply([])
    if count >= len(members):
        whole = _union_of([members])
        ks.delete(key)
        ctx.propagate_as([b"DEL", key])
        return SetReply(list[Reply](whole.ordered()))
    chosen = rng.sample(members.ordered(), count)
    for m in chosen:
        members.remove(m)
    ks.modified(key)
    ctx.propagate_as(*([b"SREM", key, m] for m in chosen))
    return SetReply(list[Reply](chosen))


@command(
    "srandmember",
    -2,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @set @slow",
    key_flags="RO access",
    tips="nondeterministic_output",
)
def srandmember(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 3:
        raise SyntaxErr()
    rng = ctx.server.rng
    if len(argv) == 2:
        members = _set(ctx, argv[1])
        return None if members is None else rng.choice(members.ordered())
    count = parse_int(argv[2])
    if count < -_LONG_MAX:
        raise CommandError(
            f"value is out of range, value must between {-_LONG_MAX} and {_LONG_MAX}"
        )
    members = _set(ctx, argv[1])
    if members is None or count == 0:
        return []
    ordered = members.ordered()
    if count < 0:
        return [rng.choice(ordered) for _ in range(-count)]
    if count >= len(ordered):
        return list[Reply](ordered)
    return list[Reply](rng.sample(ordered, count))


def _lookup_all(ctx: CommandContext, keys: list[bytes]) -> list[RedisSet | None]:
    """Each key's set (``None`` when missing); WRONGTYPE if any holds another type."""
    return [_set(ctx, key) for key in keys]


def _intersection(sets: list[RedisSet | None], limit: int = 0) -> list[bytes]:
    """Members of every set, in the order of the smallest set (redis's walk)."""
    if any(s is None for s in sets) or not sets:
        return []
    present = [s for s in sets if s is not None]
    present.sort(key=len)
    first, rest = present[0], present[1:]
    out: list[bytes] = []
    for member in first.ordered():
        if all(member in s for s in rest if s is not first):
            out.append(member)
            if limit and len(out) >= limit:
                break
    return out


def _union_of(sets: list[RedisSet | None]) -> RedisSet:
    result = RedisSet(intset=True)
    for s in sets:
        if s is not None:
            result.add_all(s.ordered())
    return result


def _difference(sets: list[RedisSet | None]) -> RedisSet:
    result = RedisSet(intset=True)
    first = sets[0]
    if first is None:
        return result
    others = [s for s in sets[1:] if s is not None]
    for member in first.ordered():
        if not any(member in s for s in others):
            result.add(member)
    return result


def _store(ctx: CommandContext, key: bytes, result: RedisSet) -> Reply:
    ks = ctx.keyspace
    if result:
        ks.set(key, result)
    else:
        ks.delete(key)
    return len(result)


def _store_specs(first: str) -> tuple[KeySpec, ...]:
    return (
        KeySpec(tuple(first.split()), begin_index=1),
        KeySpec(("RO", "access"), begin_index=2, lastkey=-1),
    )


@command(
    "sinter",
    -2,
    "readonly",
    keys=(1, -1, 1),
    acl="@read @set @slow",
    key_flags="RO access",
    tips="nondeterministic_output_order",
)
def sinter(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return SetReply(list[Reply](_intersection(_lookup_all(ctx, argv[1:]))))


@command(
    "sintercard",
    -3,
    "readonly",
    getkeys=numkeys_getkeys(1, 2),
    acl="@read @set @slow",
    key_specs=(KeySpec(("RO", "access"), begin_index=1, keynum=(0, 1, 1)),),
)
def sintercard(ctx: CommandContext, argv: list[bytes]) -> Reply:
    numkeys = string2ll(argv[1])
    if numkeys is None or numkeys < 1:
        raise CommandError("numkeys should be greater than 0")
    if numkeys > len(argv) - 2:
        raise CommandError("Number of keys can't be greater than number of args")
    limit = 0
    j = 2 + numkeys
    while j < len(argv):
        if argv[j].lower() == b"limit" and j + 1 < len(argv):
            parsed = string2ll(argv[j + 1])
            if parsed is None or parsed < 0:
                raise CommandError("LIMIT can't be negative")
            limit = parsed
            j += 2
        else:
            raise SyntaxErr()
    return len(_intersection(_lookup_all(ctx, argv[2 : 2 + numkeys]), limit))


@command(
    "sinterstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    acl="@write @set @slow",
    key_specs=_store_specs("RW update"),
)
def sinterstore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    result = RedisSet(intset=True)
    result.add_all(_intersection(_lookup_all(ctx, argv[2:])))
    return _store(ctx, argv[1], result)


@command(
    "sunion",
    -2,
    "readonly",
    keys=(1, -1, 1),
    acl="@read @set @slow",
    key_flags="RO access",
    tips="nondeterministic_output_order",
)
def sunion(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return SetReply(list[Reply](_union_of(_lookup_all(ctx, argv[1:])).ordered()))


@command(
    "sunionstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    acl="@write @set @slow",
    key_specs=_store_specs("OW update"),
)
def sunionstore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _store(ctx, argv[1], _union_of(_lookup_all(ctx, argv[2:])))


@command(
    "sdiff",
    -2,
    "readonly",
    keys=(1, -1, 1),
    acl="@read @set @slow",
    key_flags="RO access",
    tips="nondeterministic_output_order",
)
def sdiff(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return SetReply(list[Reply](_difference(_lookup_all(ctx, argv[1:])).ordered()))


@command(
    "sdiffstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    acl="@write @set @slow",
    key_specs=_store_specs("OW update"),
)
def sdiffstore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _store(ctx, argv[1], _difference(_lookup_all(ctx, argv[2:])))


@command(
    "sscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @set @slow",
    key_flags="RO access",
    tips="nondeterministic_output",
)
def sscan(ctx: CommandContext, argv: list[bytes]) -> Reply:
    cursor = parse_cursor(argv[2])
    members = _set(ctx, argv[1])
    if members is None:
        return [b"0", []]
    opts = parse_options(argv, 3)
    if members.intset:
        next_cursor, found = 0, members.ordered()
    else:
        next_cursor, found = scan_step(members.ordered(), cursor, opts.count)
    return [b"%d" % next_cursor, [m for m in found if keep(opts.pattern, m)]]
