"""Sorted-set algebra: ZUNION ZINTER ZDIFF (WITHSCORES), ZUNIONSTORE ZINTERSTORE
ZDIFFSTORE (WEIGHTS, AGGREGATE SUM|MIN|MAX) and ZINTERCARD (LIMIT).

Follows redis-server 7.0's ``zunionInterDiffGenericCommand``: every source key is
looked up (a set counts as a sorted set with scores 1, another type is WRONGTYPE) before
the options are parsed; sources are visited smallest first; ``weight * score`` and a sum
that are NaN (``0 * inf``, ``inf + -inf``) become 0. A stored result is a listpack
again when it is small enough, like redis's ``zsetConvertToListpackIfNeeded``.
"""

from __future__ import annotations

import math
from enum import Enum

from nodes.commands.context import CommandContext
from nodes.commands.keynum import numkeys_getkeys
from nodes.commands.registry import KeySpec, command
from nodes.commands.zsets import pairs_reply
from nodes.errors import CommandError, NotIntegerError, SyntaxErr, WrongTypeError
from nodes.resp.parser import string2ll
from nodes.resp.values import Reply
from nodes.types.limits import LIMITS
from nodes.types.scores import parse_score
from nodes.types.sets import RedisSet
from nodes.types.zset import Pair, ZSet


class Op(Enum):
    UNION = "union"
    INTER = "inter"
    DIFF = "diff"


Source = dict[bytes, float]


def _source(ctx: CommandContext, key: bytes) -> Source:
    value = ctx.keyspace.get(key)
    if value is None:
        return {}
    if isinstance(value, ZSet):
        return dict(value.items())
    if isinstance(value, RedisSet):
        return dict.fromkeys(value.ordered(), 1.0)
    raise WrongTypeError()


def _weight(arg: bytes) -> float:
    try:
        return parse_score(arg)
    except CommandError:
        raise CommandError("weight value is not a float") from None


def _aggregate(how: bytes, target: float, value: float) -> float:
    if how == b"sum":
        total = target + value
        return 0.0 if math.isnan(total) else total
    if how == b"min":
        return value if value < target else target
    return value if value > target else target


def _combine(
    op: Op, sources: list[Source], weights: list[float], how: bytes, limit: int = 0
) -> dict[bytes, float]:
    if op is Op.DIFF:
        first, others = sources[0], sources[1:]
        return {m: s for m, s in first.items() if not any(m in o for o in others)}
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    out: dict[bytes, float] = {}
    if op is Op.INTER:
        head, rest = order[0], order[1:]
        for member, score in sources[head].items():
            total = weights[head] * score
            total = 0.0 if math.isnan(total) else total
            for i in rest:
                found = sources[i].get(member)
                if found is None:
                    break
                total = _aggregate(how, total, found * weights[i])
            else:
                out[member] = total
                if limit and len(out) >= limit:
                    break
        return out
    for i in order:
        for member, score in sources[i].items():
            value = weights[i] * score
            value = 0.0 if math.isnan(value) else value
            if member in out:
                out[member] = _aggregate(how, out[member], value)
            else:
                out[member] = value
    return out


def _run(ctx: CommandContext, argv: list[bytes], op: Op, *, store: bool, card: bool) -> Reply:
    name = argv[0].decode(errors="replace").lower()
    count_at = 2 if store else 1
    setnum = string2ll(argv[count_at])
    if setnum is None:
        raise NotIntegerError()
    if setnum < 1:
        raise CommandError(f"at least 1 input key is needed for '{name}' command")
    first = count_at + 1
    if setnum > len(argv) - first:
        raise SyntaxErr()
    sources = [_source(ctx, key) for key in argv[first : first + setnum]]
    weights = [1.0] * setnum
    how, withscores, limit = b"sum", False, 0
    j = first + setnum
    while j < len(argv):
        left = len(argv) - j
        word = argv[j].lower()
        if op is not Op.DIFF and not card and left >= setnum + 1 and word == b"weights":
            weights = [_weight(a) for a in argv[j + 1 : j + 1 + setnum]]
            j += 1 + setnum
        elif op is not Op.DIFF and not card and left >= 2 and word == b"aggregate":
            how = argv[j + 1].lower()
            if how not in (b"sum", b"min", b"max"):
                raise SyntaxErr()
            j += 2
        elif not store and not card and word == b"withscores":
            withscores = True
            j += 1
        elif card and left >= 2 and word == b"limit":
            parsed = string2ll(argv[j + 1])
            if parsed is None or parsed < 0:
                raise CommandError("LIMIT can't be negative")
            limit = parsed
            j += 2
        else:
            raise SyntaxErr()
    result = _combine(op, sources, weights, how, limit)
    if card:
        return len(result)
    ordered: list[Pair] = sorted((score, member) for member, score in result.items())
    if not store:
        return pairs_reply(ctx, ordered, withscores)
    return store_result(ctx, argv[1], ordered)


def store_result(ctx: CommandContext, key: bytes, ordered: list[Pair]) -> int:
    """Store ``ordered`` as a sorted set at ``key`` (or delete ``key`` when empty)."""
    ks = ctx.keyspace
    if not ordered:
        ks.delete(key)
        return 0
    small = len(ordered) <= LIMITS.zset_max_listpack_entries and all(
        len(m) <= LIMITS.zset_max_listpack_value for _, m in ordered
    )
    zs = ZSet(listpack=small)
    for score, member in ordered:
        zs.insert(member, score)
    ks.set(key, zs)
    return len(zs)


_STORE_SPECS = (
    KeySpec(("OW", "update"), begin_index=1),
    KeySpec(("RO", "access"), begin_index=2, keynum=(0, 1, 1)),
)
_READ_SPECS = (KeySpec(("RO", "access"), begin_index=1, keynum=(0, 1, 1)),)


def _store_command(name: str, op: Op) -> None:
    @command(
        name,
        -4,
        "write denyoom",
        keys=(1, 1, 1),
        getkeys=numkeys_getkeys(2, 3, store_at=1),
        acl="@write @sortedset @slow",
        key_specs=_STORE_SPECS,
    )
    def handler(ctx: CommandContext, argv: list[bytes]) -> Reply:
        return _run(ctx, argv, op, store=True, card=False)


def _read_command(name: str, op: Op, *, card: bool = False) -> None:
    @command(
        name,
        -3,
        "readonly",
        getkeys=numkeys_getkeys(1, 2),
        acl="@read @sortedset @slow",
        key_specs=_READ_SPECS,
    )
    def handler(ctx: CommandContext, argv: list[bytes]) -> Reply:
        return _run(ctx, argv, op, store=False, card=card)


_store_command("zunionstore", Op.UNION)
_store_command("zinterstore", Op.INTER)
_store_command("zdiffstore", Op.DIFF)
_read_command("zunion", Op.UNION)
_read_command("zinter", Op.INTER)
_read_command("zdiff", Op.DIFF)
_read_command("zintercard", Op.INTER, card=True)
