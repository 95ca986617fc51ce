"""List commands beyond the basics: LPUSHX RPUSHX LINSERT LSET LTRIM LREM LPOS LMOVE
RPOPLPUSH LMPOP.

Argument checks follow redis-server 7.0's order (LTRIM and LREM parse their numbers
before looking at the key, LSET looks at the key first). LMPOP is propagated as the
LPOP/RPOP with a count that it amounts to, like redis. ``move`` and ``lmpop_take`` are
also what the blocking forms run (:mod:`nodes.commands.blocking`).
"""

from __future__ import annotations

from collections import deque

from nodes.blocking import Served
from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.lists import pop_elements
from nodes.commands.mpop_args import LIST_ENDS, mpop_getkeys, mpop_key_specs, parse_mpop
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.parser import string2ll
from nodes.resp.values import NULL_ARRAY, OK, Reply

List = deque[bytes]
_LONG_MAX = 2**63 - 1


def _list(ctx: CommandContext, key: bytes) -> List | None:
    found: List | None = ctx.keyspace.get_typed(key, deque)
    return found


def _pushx(ctx: CommandContext, argv: list[bytes], *, head: bool) -> Reply:
    items = _list(ctx, argv[1])
    if items is None:
        return 0
    (items.extendleft if head else items.extend)(argv[2:])
    ctx.keyspace.modified(argv[1])
    return len(items)


@command(
    "lpushx",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @list @fast",
    key_flags="RW insert",
)
def lpushx(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _pushx(ctx, argv, head=True)


@command(
    "rpushx",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @list @fast",
    key_flags="RW insert",
)
def rpushx(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _pushx(ctx, argv, head=False)


@command(
    "linsert", 5, "write denyoom", keys=(1, 1, 1), acl="@write @list @slow", key_flags="RW insert"
)
def linsert(ctx: CommandContext, argv: list[bytes]) -> Reply:
    where = argv[2].lower()
    if where not in (b"before", b"after"):
        raise SyntaxErr()
    items = _list(ctx, argv[1])
    if items is None:
        return 0
    try:
        at = items.index(argv[3])
    except ValueError:
        return -1
    items.insert(at if where == b"before" else at + 1, argv[4])
    ctx.keyspace.modified(argv[1])
    return len(items)


@command(
    "lset", 4, "write denyoom", keys=(1, 1, 1), acl="@write @list @slow", key_flags="RW update"
)
def lset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    items = _list(ctx, argv[1])
    if items is None:
        raise CommandError("no such key")
    index = parse_int(argv[2])
    if not -len(items) <= index < len(items):
        raise CommandError("index out of range")
    items[index] = argv[3]
    ctx.keyspace.modified(argv[1])
    return OK


@command("ltrim", 4, "write", keys=(1, 1, 1), acl="@write @list @slow", key_flags="RW delete")
def ltrim(ctx: CommandContext, argv: list[bytes]) -> Reply:
    start, end = parse_int(argv[2]), parse_int(argv[3])
    items = _list(ctx, argv[1])
    if items is None:
        return OK
    n = len(items)
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = max(start, 0)
    if start > end or start >= n:
        left, right = n, 0
    else:
        end = min(end, n - 1)
        left, right = start, n - end - 1
    if left + right == 0:
        return OK
    for _ in range(min(left, n)):
        items.popleft()
    for _ in range(right):
        items.pop()
    if items:
        ctx.keyspace.modified(argv[1])
    else:
        ctx.keyspace.delete(argv[1])
    return OK


@command("lrem", 4, "write", keys=(1, 1, 1), acl="@write @list @slow", key_flags="RW delete")
def lrem(ctx: CommandContext, argv: list[bytes]) -> Reply:
    to_remove = parse_int(argv[2])
    items = _list(ctx, argv[1])
    if items is None:
        return 0
    element = argv[3]
    ordered = list(reversed(items)) if to_remove < 0 else list(items)
    limit = abs(to_remove)
    kept: list[bytes] = []
    removed = 0
    for item in ordered:
        if item == element and (limit == 0 or removed < limit):
            removed += 1
        else:
            kept.append(item)
    if not removed:
        return 0
    if to_remove < 0:
        kept.reverse()
    items.clear()
    items.extend(kept)
    if items:
        ctx.keyspace.modified(argv[1])
    else:
        ctx.keyspace.delete(argv[1])
    return removed


def _positive(arg: bytes, message: str) -> int:
    """A number from 0 up; ``message`` for anything else (not a number included)."""
    value = string2ll(arg)
    if value is None or value < 0:
        raise CommandError(message)
    return value


@command("lpos", -3, "readonly", keys=(1, 1, 1), acl="@read @list @slow", key_flags="RO access")
def lpos(ctx: CommandContext, argv: list[bytes]) -> Reply:
    rank, count, maxlen = 1, -1, 0
    j = 3
    while j < len(argv):
        opt = argv[j].lower()
        more = j + 1 < len(argv)
        if opt == b"rank" and more:
            rank = parse_int(argv[j + 1])
            if rank == 0:
                raise CommandError(
                    "RANK can't be zero: use 1 to start from the first match, 2 from the"
                    " second ... or use negative to start from the end of the list"
                )
        elif opt == b"count" and more:
            count = _positive(argv[j + 1], "COUNT can't be negative")
        elif opt == b"maxlen" and more:
            maxlen = _positive(argv[j + 1], "MAXLEN can't be negative")
        else:
            raise SyntaxErr()
        j += 2
    backward = rank < 0
    # Redis negates in C: -LONG_MIN stays negative, so every match is past the rank.
    rank = 1 if rank == -(2**63) else abs(rank)
    items = _list(ctx, argv[1])
    if items is None:
        return [] if count != -1 else None
    n = len(items)
    found: list[Reply] = []
    matches = 0
    walk = reversed(items) if backward else iter(items)
    for index, item in enumerate(walk):
        if maxlen and index >= maxlen:
            break
        if item != argv[2]:
            continue
        matches += 1
        if matches < rank:
            continue
        found.append(n - index - 1 if backward else index)
        if count == -1 or (count and matches - rank + 1 >= count):
            break
    if count != -1:
        return found
    return found[0] if found else None


def parse_where(arg: bytes) -> bool:
    """``LEFT`` (True: the head) or ``RIGHT``; a syntax error otherwise."""
    word = arg.lower()
    if word not in (b"left", b"right"):
        raise SyntaxErr()
    return word == b"left"


def move(ctx: CommandContext, src: bytes, dst: bytes, *, from_head: bool, to_head: bool) -> Reply:
    """Pop from ``src`` and push onto ``dst``: the element, or null when ``src`` is
    missing; WRONGTYPE (source first, then destination) before anything changes. The one
    code path of LMOVE, RPOPLPUSH, BLMOVE and BRPOPLPUSH (served at once or later)."""
    ks = ctx.keyspace
    items = _list(ctx, src)
    if items is None or not items:
        return None
    target = _list(ctx, dst)
    value = items.popleft() if from_head else items.pop()
    if target is None:
        target = deque()
        ks.set(dst, target)
    (target.appendleft if to_head else target.append)(value)
    if items:
        ks.modified(src)
    else:
        ks.delete(src)
    ks.modified(dst)
    return value


MOVE_KEY_SPECS = (
    KeySpec(("RW", "access", "delete"), begin_index=1),
    KeySpec(("RW", "insert"), begin_index=2),
)


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
    return move(ctx, argv[1], argv[2], from_head=from_head, to_head=to_head)


@command(
    "rpoplpush",
    3,
    "write denyoom",
    keys=(1, 2, 1),
    acl="@write @list @slow",
    key_specs=MOVE_KEY_SPECS,
)
def rpoplpush(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return move(ctx, argv[1], argv[2], from_head=False, to_head=True)


def first_list(ctx: CommandContext, keys: list[bytes]) -> tuple[bytes, List] | None:
    """The first of ``keys`` holding a list, with it; WRONGTYPE for another type met
    before it (redis checks each existing key in turn)."""
    for key in keys:
        items = _list(ctx, key)
        if items:
            return key, items
    return None


def lmpop_take(ctx: CommandContext, keys: list[bytes], *, head: bool, count: int) -> Served | None:
    """LMPOP's work (BLMPOP's too, at once or when served): up to ``count`` elements of
    the first list among ``keys``, replied as ``[key, [elements]]`` and propagated as
    the LPOP/RPOP with the count taken, as redis 7.0; ``None`` when there is no list."""
    found = first_list(ctx, keys)
    if found is None:
        return None
    key, items = found
    taken = pop_elements(ctx, key, items, head=head, count=count)
    name = b"LPOP" if head else b"RPOP"
    return Served([key, [*taken]], [[name, key, b"%d" % len(taken)]])


@command(
    "lmpop",
    -4,
    "write",
    getkeys=mpop_getkeys(1),
    acl="@write @list @slow",
    key_specs=mpop_key_specs(1),
)
def lmpop(ctx: CommandContext, argv: list[bytes]) -> Reply:
    args = parse_mpop(argv, 1, LIST_ENDS)
    taken = lmpop_take(ctx, args.keys, head=args.first_end, count=args.count)
    if taken is None:
        return NULL_ARRAY
    ctx.propagate_as(*taken.propagate)
    return taken.reply
