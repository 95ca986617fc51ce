"""Taking elements off lists and sorted sets: LMOVE RPOPLPUSH LMPOP ZPOPMIN ZPOPMAX ZMPOP,
and the primitives the blocking commands (:mod:`nodes.commands.blocking`) share with them.

Each primitive removes what it takes, deletes a key it empties (Redis keeps no empty
collections) and counts the change; the caller decides the reply shape and what is
propagated (redis 7.0 propagates LMPOP/ZMPOP as LPOP/RPOP/ZPOPMIN/ZPOPMAX with the count
actually taken).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.parser import string2ll
from nodes.resp.values import NULL_ARRAY, Reply
from nodes.types.zset import ZSet

List = deque[bytes]
KeysFn = Callable[[Sequence[bytes]], list[int]]

MOVE_KEY_SPECS = (
    KeySpec(("RW", "access", "delete"), begin_index=1),
    KeySpec(("RW", "insert"), begin_index=2),
)
MPOP_KEY_SPECS = (KeySpec(("RW", "access", "delete"), begin_index=1, keynum=(0, 1, 1)),)
"""LMPOP/ZMPOP: ``numkeys`` at 1, keys after it (BLMPOP/BZMPOP: one further)."""


# ---- primitives --------------------------------------------------------------------------
def pop_list(
    ctx: CommandContext, key: bytes, items: List, *, head: bool, count: int
) -> list[bytes]:
    """Up to ``count`` elements from one end, in pop order."""
    pop = items.popleft if head else items.pop
    taken = [pop() for _ in range(min(count, len(items)))]
    if items:
        ctx.keyspace.modified(key)
    else:
        ctx.keyspace.delete(key)
    return taken


def push_list(ctx: CommandContext, key: bytes, value: bytes, *, head: bool) -> None:
    """LMOVE's push side: create the list if needed (which wakes its waiters)."""
    ks = ctx.keyspace
    items = ks.get_typed(key, deque)
    if items is None:
        ks.set(key, deque([value]))
        return
    if head:
        items.appendleft(value)
    else:
        items.append(value)
    ks.modified(key)


def move_list(
    ctx: CommandContext, src: bytes, dst: bytes, *, from_head: bool, to_head: bool
) -> bytes | None:
    """LMOVE: the element moved, ``None`` when ``src`` is missing; WRONGTYPE for either
    key checked before anything changes (redis 7.0's order: source, then destination)."""
    ks = ctx.keyspace
    items: List | None = ks.get_typed(src, deque)
    if items is None:
        return None
    ks.get_typed(dst, deque)
    value = items.popleft() if from_head else items.pop()
    if items:
        ks.modified(src)
    else:
        ks.delete(src)
    push_list(ctx, dst, value, head=to_head)
    return value


def pop_zset(
    ctx: CommandContext, key: bytes, zs: ZSet, *, highest: bool, count: int
) -> list[Reply]:
    """Up to ``count`` members from the low (or high) end as ``[member, score]`` pairs."""
    n = len(zs)
    take = min(count, n)
    pairs = zs.by_rank(0, take - 1, reverse=highest) if take else []
    for _score, member in pairs:
        zs.remove(member)
    if len(zs):
        ctx.keyspace.modified(key)
    else:
        ctx.keyspace.delete(key)
    return [[member, score] for score, member in pairs]


def parse_where(arg: bytes) -> bool:
    """``LEFT`` (True: the head) or ``RIGHT``; a syntax error otherwise."""
    low = arg.lower()
    if low == b"left":
        return True
    if low == b"right":
        return False
    raise SyntaxErr()


def side_name(head: bool) -> bytes:
    return b"left" if head else b"right"


def parse_mpop(
    argv: list[bytes], numkeys_at: int, ends: tuple[bytes, bytes]
) -> tuple[list[bytes], bool, int]:
    """``numkeys key... <end> [COUNT n]`` (redis 7.0's order of checks): the keys, whether
    the first of ``ends`` (LEFT / MIN) was chosen, and the count (1 by default)."""
    numkeys = string2ll(argv[numkeys_at])
    if numkeys is None or numkeys <= 0:
        raise CommandError("numkeys should be greater than 0")
    where_at = numkeys_at + numkeys + 1
    if where_at >= len(argv):
        raise SyntaxErr()
    end = argv[where_at].lower()
    if end not in ends:
        raise SyntaxErr()
    count = -1
    i = where_at + 1
    while i < len(argv):
        if count == -1 and argv[i].lower() == b"count" and i + 1 < len(argv):
            value = string2ll(argv[i + 1])
            if value is None or value <= 0:
                raise CommandError("count should be greater than 0")
            count = value
            i += 2
        else:
            raise SyntaxErr()
    return argv[numkeys_at + 1 : where_at], end == ends[0], max(count, 1)


def mpop_keys(numkeys_at: int) -> KeysFn:
    """COMMAND GETKEYS for ``numkeys key...`` at ``numkeys_at``."""

    def keys(argv: Sequence[bytes]) -> list[int]:
        if len(argv) <= numkeys_at:
            return []
        n = string2ll(argv[numkeys_at])
        if n is None or n <= 0 or numkeys_at + n >= len(argv):
            return []
        return list(range(numkeys_at + 1, numkeys_at + 1 + n))

    return keys


def list_mpop(ctx: CommandContext, keys: list[bytes], *, head: bool, count: int) -> Reply | None:
    """LMPOP's work on the first non-empty list: ``[key, [elements]]`` and its LPOP/RPOP
    propagation; ``None`` when every list is missing."""
    ks = ctx.keyspace
    for key in keys:
        items = ks.get_typed(key, deque)
        if items is None:
            continue
        taken = pop_list(ctx, key, items, head=head, count=count)
        ctx.propagate_as([b"LPOP" if head else b"RPOP", key, b"%d" % len(taken)])
        return [key, list(taken)]
    return None


def zset_mpop(ctx: CommandContext, keys: list[bytes], *, lowest: bool, count: int) -> Reply | None:
    """ZMPOP's work on the first existing sorted set: ``[key, [[member, score]...]]``."""
    ks = ctx.keyspace
    for key in keys:
        zs = ks.get_typed(key, ZSet)
        if zs is None:
            continue
        pairs = pop_zset(ctx, key, zs, highest=not lowest, count=count)
        ctx.propagate_as([b"ZPOPMIN" if lowest else b"ZPOPMAX", key, b"%d" % len(pairs)])
        return [key, pairs]
    return None


# ---- commands ----------------------------------------------------------------------------
@command(
    "lmove",
    5,
    "write denyoom",
    keys=(1, 2, 1),
    acl="@write @list @slow",
    key_specs=MOVE_KEY_SPECS,
)
def lmove(ctx: CommandContext, argv: list[bytes]) -> Reply:
    from_head, to_head = parse_where(argv[3]), parse_where(argv[4])
    return move_list(ctx, argv[1], argv[2], from_head=from_head, to_head=to_head)


@command(
    "rpoplpush",
    3,
    "write denyoom",
    keys=(1, 2, 1),
    acl="@write @list @slow",
    key_specs=MOVE_KEY_SPECS,
)
def rpoplpush(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return move_list(ctx, argv[1], argv[2], from_head=False, to_head=True)


@command(
    "lmpop",
    -4,
    "write",
    acl="@write @list @slow",
    key_specs=MPOP_KEY_SPECS,
    getkeys=mpop_keys(1),
)
def lmpop(ctx: CommandContext, argv: list[bytes]) -> Reply:
    keys, head, count = parse_mpop(argv, 1, (b"left", b"right"))
    reply = list_mpop(ctx, keys, head=head, count=count)
    return NULL_ARRAY if reply is None else reply


@command(
    "zmpop",
    -4,
    "write",
    acl="@write @sortedset @slow",
    key_specs=MPOP_KEY_SPECS,
    getkeys=mpop_keys(1),
)
def zmpop(ctx: CommandContext, argv: list[bytes]) -> Reply:
    keys, lowest, count = parse_mpop(argv, 1, (b"min", b"max"))
    reply = zset_mpop(ctx, keys, lowest=lowest, count=count)
    return NULL_ARRAY if reply is None else reply


def _zpop(ctx: CommandContext, argv: list[bytes], *, highest: bool) -> Reply:
    if len(argv) > 3:
        raise SyntaxErr()
    count = -1
    if len(argv) == 3:
        value = string2ll(argv[2])
        if value is None or value < 0:
            raise CommandError("value is out of range, must be positive")
        count = value
    zs = ctx.keyspace.get_typed(argv[1], ZSet)
    if zs is None or count == 0:
        return []
    pairs = pop_zset(ctx, argv[1], zs, highest=highest, count=max(count, 1))
    if ctx.client.resp == 3 and count != -1:
        return pairs
    flat: list[Reply] = []
    for pair in pairs:
        assert isinstance(pair, list)
        flat += pair
    return flat


@command(
    "zpopmin",
    -2,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @sortedset @fast",
    key_flags="RW access delete",
)
def zpopmin(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _zpop(ctx, argv, highest=False)


@command(
    "zpopmax",
    -2,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @sortedset @fast",
    key_flags="RW access delete",
)
def zpopmax(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _zpop(ctx, argv, highest=True)
