"""Blocking commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP.

Each is a *take* function run twice at most: at once on the command's keys, and when
not one of them holds a value, again by :mod:`nodes.blocking` on the key that became
ready. The take functions are the non-blocking commands' own code paths
(:func:`nodes.commands.lists_more.lmpop_take`, :func:`~nodes.commands.lists_more.move`,
:func:`nodes.commands.lists.pop_elements`, :func:`nodes.commands.zsets_more.zmpop_take`,
:func:`~nodes.commands.zsets_more.pop_pairs`); what is propagated is the non-blocking
equivalent, as redis 7.0 rewrites it: BLPOP -> ``LPOP key``, BLMPOP -> ``LPOP key n``,
BLMOVE -> ``LMOVE``, BRPOPLPUSH -> ``RPOPLPUSH``, BZPOPMIN -> ``ZPOPMIN key``, BZMPOP ->
``ZPOPMIN key n``.

Inside MULTI/EXEC or a script a blocking command never blocks: it answers as if it timed
out (a null array; BLMOVE/BRPOPLPUSH a null bulk). A timeout is a double in seconds (0
waits forever) with redis's errors for a negative or unparsable value.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable

from nodes.blocking import Served
from nodes.commands.context import CommandContext
from nodes.commands.lists import pop_elements
from nodes.commands.lists_more import MOVE_KEY_SPECS, first_list, lmpop_take, move, parse_where
from nodes.commands.mpop_args import LIST_ENDS, ZSET_ENDS, mpop_getkeys, mpop_key_specs, parse_mpop
from nodes.commands.registry import COMMANDS, command
from nodes.commands.zsets_more import pop_pairs, zmpop_take
from nodes.errors import CommandError, NodeError, NotFloatError
from nodes.resp.values import NULL_ARRAY, Blocked, Error, Reply
from nodes.types.scores import parse_score
from nodes.types.zset import ZSet

_NEGATIVE = "timeout is negative"
_NOT_FLOAT = "timeout is not a float or out of range"
_HUGE = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")
_MAX_MS = (1 << 63) - 1
_LIST_FLAGS = "write noscript blocking"
_LIST_ACL = "@write @list @slow @blocking"
_POP_KEYS = "RW access delete"

Take = Callable[[CommandContext, list[bytes]], Served | None]
"""``(ctx, keys) -> what was taken`` from the first of ``keys`` that has it, or None."""


def parse_timeout(arg: bytes) -> int:
    """A blocking timeout in seconds (a double) -> milliseconds, rounded up; 0 = forever.
    Like redis, a value whose milliseconds do not fit in 64 bits counts as negative."""
    try:
        seconds = parse_score(arg)
    except NotFloatError:
        if _HUGE.fullmatch(arg) is not None and math.isinf(float(arg)):
            raise CommandError(_NEGATIVE) from None  # overflows like an infinity
        raise CommandError(_NOT_FLOAT) from None
    if not math.isfinite(seconds):
        raise CommandError(_NEGATIVE)
    ms = math.ceil(seconds * 1000)
    if ms < 0 or ms > _MAX_MS:
        raise CommandError(_NEGATIVE)
    return ms


def _take_or_block(
    ctx: CommandContext,
    argv: list[bytes],
    keys: list[bytes],
    take: Take,
    *,
    later: Take | None = None,
    wants: type,
    timeout_ms: int,
    denied: Reply = NULL_ARRAY,
) -> Reply | Blocked:
    """Run ``take`` on ``keys`` now; if it finds nothing, block on them (or answer
    ``denied`` at once inside a transaction or a script). A blocked client is served by
    the same ``take`` (or ``later``) on the ready key; an error it raises then becomes
    its reply."""
    taken = take(ctx, keys)
    if taken is not None:
        ctx.propagate_as(*taken.propagate)
        return taken.reply
    if ctx.in_exec:
        return denied

    served_by = take if later is None else later

    def serve(wctx: CommandContext, key: bytes) -> Served | None:
        try:
            return served_by(wctx, [key])
        except NodeError as exc:  # BLMOVE's destination turned into another type
            return Served(Error(exc.text))

    return ctx.server.blocking.block(
        ctx,
        cmd=COMMANDS[argv[0].lower()],
        argv=argv,
        keys=keys,
        wants=wants,
        serve=serve,
        timeout_ms=timeout_ms,
        timeout_reply=NULL_ARRAY,
    )


# ---- BLPOP / BRPOP ---------------------------------------------------------------------
def _pop_name(head: bool) -> bytes:
    return b"LPOP" if head else b"RPOP"


def _bpop(ctx: CommandContext, argv: list[bytes], *, head: bool) -> Reply | Blocked:
    timeout = parse_timeout(argv[-1])

    def take(tctx: CommandContext, keys: list[bytes]) -> Served | None:
        found = first_list(tctx, keys)
        if found is None:
            return None
        key, items = found
        value = pop_elements(tctx, key, items, head=head, count=1)[0]
        return Served([key, value], [[_pop_name(head), key]])

    return _take_or_block(ctx, argv, argv[1:-1], take, wants=deque, timeout_ms=timeout)


@command("blpop", -3, _LIST_FLAGS, keys=(1, -2, 1), acl=_LIST_ACL, key_flags=_POP_KEYS)
def blpop(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    return _bpop(ctx, argv, head=True)


@command("brpop", -3, _LIST_FLAGS, keys=(1, -2, 1), acl=_LIST_ACL, key_flags=_POP_KEYS)
def brpop(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    return _bpop(ctx, argv, head=False)


# ---- BLMOVE / BRPOPLPUSH ---------------------------------------------------------------
def _side(head: bool) -> bytes:
    return b"left" if head else b"right"


def _bmove(
    ctx: CommandContext, argv: list[bytes], timeout: int, *, from_head: bool, to_head: bool
) -> Reply | Blocked:
    dst = argv[2]
    is_brpoplpush = argv[0].lower() == b"brpoplpush"

    def mover(sides: list[bytes]) -> Take:
        """LMOVE's code path, propagated with ``sides`` as the LEFT/RIGHT words."""

        def take(tctx: CommandContext, keys: list[bytes]) -> Served | None:
            value = move(tctx, keys[0], dst, from_head=from_head, to_head=to_head)
            if value is None:
                return None
            if is_brpoplpush:
                return Served(value, [[b"RPOPLPUSH", keys[0], dst]])
            return Served(value, [[b"LMOVE", keys[0], dst, *sides]])

        return take

    # At once redis propagates the words as typed, a served client's in lower case.
    return _take_or_block(
        ctx,
        argv,
        [argv[1]],
        mover(argv[3:5]),
        later=mover([_side(from_head), _side(to_head)]),
        wants=deque,
        timeout_ms=timeout,
        denied=None,
    )


@command(
    "blmove",
    6,
    "write denyoom noscript blocking",
    keys=(1, 2, 1),
    acl=_LIST_ACL,
    key_specs=MOVE_KEY_SPECS,
)
def blmove(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    from_head, to_head = parse_where(argv[3]), parse_where(argv[4])
    timeout = parse_timeout(argv[5])
    return _bmove(ctx, argv, timeout, from_head=from_head, to_head=to_head)


@command(
    "brpoplpush",
    4,
    "write denyoom noscript blocking",
    keys=(1, 2, 1),
    acl=_LIST_ACL,
    key_specs=MOVE_KEY_SPECS,
)
def brpoplpush(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    timeout = parse_timeout(argv[3])
    return _bmove(ctx, argv, timeout, from_head=False, to_head=True)


# ---- BLMPOP ----------------------------------------------------------------------------
@command(
    "blmpop",
    -5,
    "write blocking",
    acl=_LIST_ACL,
    key_specs=mpop_key_specs(2),
    getkeys=mpop_getkeys(2),
)
def blmpop(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    args = parse_mpop(argv, 2, LIST_ENDS)
    timeout = parse_timeout(argv[1])

    def take(tctx: CommandContext, keys: list[bytes]) -> Served | None:
        return lmpop_take(tctx, keys, head=args.first_end, count=args.count)

    return _take_or_block(ctx, argv, args.keys, take, wants=deque, timeout_ms=timeout)


# ---- BZPOPMIN / BZPOPMAX / BZMPOP ------------------------------------------------------
def _zpop_name(lowest: bool) -> bytes:
    return b"ZPOPMIN" if lowest else b"ZPOPMAX"


def _bzpop(ctx: CommandContext, argv: list[bytes], *, lowest: bool) -> Reply | Blocked:
    timeout = parse_timeout(argv[-1])

    def take(tctx: CommandContext, keys: list[bytes]) -> Served | None:
        for key in keys:
            zs = tctx.keyspace.get_typed(key, ZSet)
            if zs is None:
                continue
            score, member = pop_pairs(tctx, key, zs, 1, top=not lowest)[0]
            return Served([key, member, score], [[_zpop_name(lowest), key]])
        return None

    return _take_or_block(ctx, argv, argv[1:-1], take, wants=ZSet, timeout_ms=timeout)


_ZSET_FLAGS = "write noscript blocking fast"
_ZSET_ACL = "@write @sortedset @fast @blocking"


@command("bzpopmin", -3, _ZSET_FLAGS, keys=(1, -2, 1), acl=_ZSET_ACL, key_flags=_POP_KEYS)
def bzpopmin(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    return _bzpop(ctx, argv, lowest=True)


@command("bzpopmax", -3, _ZSET_FLAGS, keys=(1, -2, 1), acl=_ZSET_ACL, key_flags=_POP_KEYS)
def bzpopmax(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    return _bzpop(ctx, argv, lowest=False)


@command(
    "bzmpop",
    -5,
    "write blocking",
    acl="@write @sortedset @slow @blocking",
    key_specs=mpop_key_specs(2),
    getkeys=mpop_getkeys(2),
)
def bzmpop(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    args = parse_mpop(argv, 2, ZSET_ENDS)
    timeout = parse_timeout(argv[1])

    def take(tctx: CommandContext, keys: list[bytes]) -> Served | None:
        return zmpop_take(tctx, keys, lowest=args.first_end, count=args.count)

    return _take_or_block(ctx, argv, args.keys, take, wants=ZSet, timeout_ms=timeout)
