"""List commands: LPUSH RPUSH LPOP RPOP (with count) LRANGE LLEN LINDEX.

A list is a ``collections.deque`` (O(1) at both ends). Argument checks run in
redis-server 7.0's order, which decides which error a bad request gets: LRANGE parses
its indexes before looking at the key, LINDEX looks at the key first.
"""

from __future__ import annotations

from collections import deque
from itertools import islice

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import ArityError, CommandError
from nodes.resp.parser import string2ll
from nodes.resp.values import NULL_ARRAY, Reply

List = deque[bytes]


def _push(ctx: CommandContext, argv: list[bytes], *, head: bool) -> Reply:
    ks = ctx.keyspace
    key = argv[1]
    items = ks.get_typed(key, deque)
    if items is None:
        fresh: List = deque()
        (fresh.extendleft if head else fresh.extend)(argv[2:])
        ks.set(key, fresh)
        return len(fresh)
    (items.extendleft if head else items.extend)(argv[2:])
    ks.modified(key)
    return len(items)


@command(
    "lpush",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @list @fast",
    key_flags="RW insert",
)
def lpush(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _push(ctx, argv, head=True)


@command(
    "rpush",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @list @fast",
    key_flags="RW insert",
)
def rpush(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _push(ctx, argv, head=False)


def pop_elements(
    ctx: CommandContext, key: bytes, items: List, *, head: bool, count: int
) -> list[bytes]:
    """Take up to ``count`` elements off one end of the list ``items`` stored at ``key``,
    in pop order; the key is deleted when emptied (redis keeps no empty list). Every pop
    of list elements goes through here: LPOP/RPOP, LMPOP, BLPOP/BRPOP/BLMPOP (served
    at once or later)."""
    pop = items.popleft if head else items.pop
    taken = [pop() for _ in range(min(count, len(items)))]
    if items:
        ctx.keyspace.modified(key)
    else:
        ctx.keyspace.delete(key)
    return taken


def _pop(ctx: CommandContext, argv: list[bytes], *, head: bool) -> Reply:
    if len(argv) > 3:
        raise ArityError("lpop" if head else "rpop")
    has_count = len(argv) == 3
    count = 0
    if has_count:
        parsed = string2ll(argv[2])
        if parsed is None or parsed < 0:  # redis gives its range message for both
            raise CommandError("value is out of range, must be positive")
        count = parsed
    ks = ctx.keyspace
    key = argv[1]
    items: List | None = ks.get_typed(key, deque)
    if items is None:
        return NULL_ARRAY if has_count else None
    if has_count and count == 0:
        return []
    taken = pop_elements(ctx, key, items, head=head, count=count if has_count else 1)
    return list(taken) if has_count else taken[0]


@command(
    "lpop", -2, "write fast", keys=(1, 1, 1), acl="@write @list @fast", key_flags="RW access delete"
)
def lpop(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _pop(ctx, argv, head=True)


@command(
    "rpop", -2, "write fast", keys=(1, 1, 1), acl="@write @list @fast", key_flags="RW access delete"
)
def rpop(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _pop(ctx, argv, head=False)


def _slice(items: List, start: int, end: int) -> list[Reply]:
    """Redis's index range (inclusive, negative from the tail), clamped."""
    n = len(items)
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = max(start, 0)
    if start > end or start >= n:
        return []
    end = min(end, n - 1)
    if start > n - 1 - end:  # nearer the tail: walk from there
        tail: list[Reply] = list(islice(reversed(items), n - 1 - end, n - start))
        tail.reverse()
        return tail
    return list(islice(items, start, end + 1))


@command("lrange", 4, "readonly", keys=(1, 1, 1), acl="@read @list @slow", key_flags="RO access")
def lrange(ctx: CommandContext, argv: list[bytes]) -> Reply:
    start, end = parse_int(argv[2]), parse_int(argv[3])
    items = ctx.keyspace.get_typed(argv[1], deque)
    if items is None:
        return []
    return _slice(items, start, end)


@command("llen", 2, "readonly fast", keys=(1, 1, 1), acl="@read @list @fast", key_flags="RO")
def llen(ctx: CommandContext, argv: list[bytes]) -> Reply:
    items = ctx.keyspace.get_typed(argv[1], deque)
    return 0 if items is None else len(items)


@command("lindex", 3, "readonly", keys=(1, 1, 1), acl="@read @list @slow", key_flags="RO access")
def lindex(ctx: CommandContext, argv: list[bytes]) -> Reply:
    items: List | None = ctx.keyspace.get_typed(argv[1], deque)
    if items is None:
        return None
    index = parse_int(argv[2])
    if -len(items) <= index < len(items):
        return items[index]
    return None
