"""Blocking commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP.

Each first tries its non-blocking form (:mod:`nodes.commands.pops`); when every key is
missing it blocks the client on them (:mod:`nodes.blocking`) with a ``serve`` callback
doing the same work later. What is propagated is the non-blocking equivalent, as redis
7.0 rewrites it: BLPOP -> ``LPOP key``, BLMPOP -> ``LPOP key n``, BLMOVE -> ``LMOVE``,
BRPOPLPUSH -> ``RPOPLPUSH``, BZPOPMIN -> ``ZPOPMIN key``, BZMPOP -> ``ZPOPMIN key n``.

Inside MULTI/EXEC a blocking command never blocks: it answers as if it timed out (a
null array; BLMOVE/BRPOPLPUSH a null bulk). A timeout is a double in seconds (0 waits
forever) with redis's errors for a negative or unparsable value.
"""

from __future__ import annotations

import math
import re
from collections import deque

from nodes.blocking import Served, ServeFn
from nodes.commands.context import CommandContext
from nodes.commands.pops import (
    MOVE_KEY_SPECS,
    list_mpop,
    move_list,
    mpop_keys,
    parse_mpop,
    parse_where,
    pop_list,
    pop_zset,
    push_list,
    side_name,
    zset_mpop,
)
from nodes.commands.registry import COMMANDS, KeySpec, command
from nodes.errors import CommandError, NotFloatError, WrongTypeError
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
_BMPOP_KEY_SPECS = (KeySpec(("RW", "access", "delete"), begin_index=2, keynum=(0, 1, 1)),)


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


def _block(
    ctx: CommandContext,
    argv: list[bytes],
    keys: list[bytes],
    *,
    wants: type,
    serve: ServeFn,
    timeout_ms: int,
    denied: Reply = NULL_ARRAY,
) -> Reply | Blocked:
    """Block on ``keys``, or answer ``denied`` at once inside a transaction."""
    if ctx.in_exec:
        return denied
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
    keys = argv[1:-1]
    ks = ctx.keyspace
    for key in keys:
        items = ks.get_typed(key, deque)
        if items is None:
            continue
        value = pop_list(ctx, key, items, head=head, count=1)[0]
        ctx.propagate_as([_pop_name(head), key])
        return [key, value]

    def serve(wctx: CommandContext, key: bytes) -> Served:
        items = wctx.keyspace.get_typed(key, deque)
        assert items is not None
        value = pop_list(wctx, key, items, head=head, count=1)[0]
        return Served([key, value], [[_pop_name(head), key]])

    return _block(ctx, argv, keys, wants=deque, serve=serve, timeout_ms=timeout)


@command("blpop", -3, _LIST_FLAGS, keys=(1, -2, 1), acl=_LIST_ACL, key_flags=_POP_KEYS)
def blpop(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    return _bpop(ctx, argv, head=True)


@command("brpop", -3, _LIST_FLAGS, keys=(1, -2, 1), acl=_LIST_ACL, key_flags=_POP_KEYS)
def brpop(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    return _bpop(ctx, argv, head=False)


# ---- BLMOVE / BRPOPLPUSH ---------------------------------------------------------------
def _bmove(
    ctx: CommandContext, argv: list[bytes], timeout: int, *, from_head: bool, to_head: bool
) -> Reply | Blocked:
    src, dst = argv[1], argv[2]
    is_brpoplpush = argv[0].lower() == b"brpoplpush"
    if ctx.keyspace.get_typed(src, deque) is not None:
        value = move_list(ctx, src, dst, from_head=from_head, to_head=to_head)
        if is_brpoplpush:
            ctx.propagate_as([b"RPOPLPUSH", src, dst])
        else:
            ctx.propagate_as([b"LMOVE", *argv[1:5]])
        return value

    def serve(wctx: CommandContext, key: bytes) -> Served:
        target = wctx.keyspace.get(dst)
        if target is not None and type(target) is not deque:
            return Served(Error(WrongTypeError().text))
        items = wctx.keyspace.get_typed(key, deque)
        assert items is not None
        value = pop_list(wctx, key, items, head=from_head, count=1)[0]
        push_list(wctx, dst, value, head=to_head)
        if is_brpoplpush:
            propagated = [b"RPOPLPUSH", key, dst]
        else:
            propagated = [b"LMOVE", key, dst, side_name(from_head), side_name(to_head)]
        return Served(value, [propagated])

    return _block(ctx, argv, [src], wants=deque, serve=serve, timeout_ms=timeout, denied=None)


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
    key_specs=_BMPOP_KEY_SPECS,
    getkeys=mpop_keys(2),
)
def blmpop(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    keys, head, count = parse_mpop(argv, 2, (b"left", b"right"))
    timeout = parse_timeout(argv[1])
    ks = ctx.keyspace
    for key in keys:
        ks.get_typed(key, deque)  # WRONGTYPE for any key before the first list
        reply = list_mpop(ctx, [key], head=head, count=count)
        if reply is not None:
            return reply

    def serve(wctx: CommandContext, key: bytes) -> Served:
        items = wctx.keyspace.get_typed(key, deque)
        assert items is not None
        taken = pop_list(wctx, key, items, head=head, count=count)
        return Served([key, list(taken)], [[_pop_name(head), key, b"%d" % len(taken)]])

    return _block(ctx, argv, keys, wants=deque, serve=serve, timeout_ms=timeout)


# ---- BZPOPMIN / BZPOPMAX / BZMPOP ------------------------------------------------------
def _zpop_name(lowest: bool) -> bytes:
    return b"ZPOPMIN" if lowest else b"ZPOPMAX"


def _bzpop(ctx: CommandContext, argv: list[bytes], *, lowest: bool) -> Reply | Blocked:
    timeout = parse_timeout(argv[-1])
    keys = argv[1:-1]
    ks = ctx.keyspace
    for key in keys:
        zs = ks.get_typed(key, ZSet)
        if zs is None:
            continue
        pair = pop_zset(ctx, key, zs, highest=not lowest, count=1)[0]
        assert isinstance(pair, list)
        ctx.propagate_as([_zpop_name(lowest), key])
        return [key, *pair]

    def serve(wctx: CommandContext, key: bytes) -> Served:
        zs = wctx.keyspace.get_typed(key, ZSet)
        assert zs is not None
        pair = pop_zset(wctx, key, zs, highest=not lowest, count=1)[0]
        assert isinstance(pair, list)
        return Served([key, *pair], [[_zpop_name(lowest), key]])

    return _block(ctx, argv, keys, wants=ZSet, serve=serve, timeout_ms=timeout)


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
    key_specs=_BMPOP_KEY_SPECS,
    getkeys=mpop_keys(2),
)
def bzmpop(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    keys, lowest, count = parse_mpop(argv, 2, (b"min", b"max"))
    timeout = parse_timeout(argv[1])
    ks = ctx.keyspace
    for key in keys:
        ks.get_typed(key, ZSet)
        reply = zset_mpop(ctx, [key], lowest=lowest, count=count)
        if reply is not None:
            return reply

    def serve(wctx: CommandContext, key: bytes) -> Served:
        zs = wctx.keyspace.get_typed(key, ZSet)
        assert zs is not None
        pairs = pop_zset(wctx, key, zs, highest=not lowest, count=count)
        return Served([key, pairs], [[_zpop_name(lowest), key, b"%d" % len(pairs)]])

    return _block(ctx, argv, keys, wants=ZSet, serve=serve, timeout_ms=timeout)
