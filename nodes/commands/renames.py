"""Key commands that move or duplicate values: RENAME RENAMENX COPY TOUCH.

A renamed key keeps its value object and its TTL; COPY duplicates the value (each
collection type knows how: :func:`duplicate`). ``COPY ... DB n`` copies into database
``n`` (cluster mode has database 0 only and refuses another, as redis does).
"""

from __future__ import annotations

from collections import deque

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.values import OK, Reply
from nodes.types.sets import RedisSet
from nodes.types.stream import Stream
from nodes.types.zset import ZSet

_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1


def duplicate(value: object) -> object:
    """An independent copy of a stored value (strings are immutable: shared)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, deque):
        return deque(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, RedisSet | ZSet | Stream):
        return value.copy()
    raise CommandError("unknown type object")


def _rename(ctx: CommandContext, argv: list[bytes], *, nx: bool) -> Reply:
    ks = ctx.keyspace
    src, dst = argv[1], argv[2]
    value = ks.get(src)
    if value is None:
        raise CommandError("no such key")
    if src == dst:
        return 0 if nx else OK
    expire = ks.expire_time(src)
    if ks.get(dst) is not None:
        if nx:
            return 0
        ks.delete(dst)
    ks.delete(src)
    ks.set(dst, value)
    if expire is not None:
        ks.set_expire_at(dst, expire)
    return 1 if nx else OK


@command(
    "rename",
    3,
    "write",
    keys=(1, 2, 1),
    acl="@keyspace @write @slow",
    key_specs=(
        KeySpec(("RW", "access", "delete"), begin_index=1),
        KeySpec(("OW", "update"), begin_index=2),
    ),
)
def rename(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _rename(ctx, argv, nx=False)


@command(
    "renamenx",
    3,
    "write fast",
    keys=(1, 2, 1),
    acl="@keyspace @write @fast",
    key_specs=(
        KeySpec(("RW", "access", "delete"), begin_index=1),
        KeySpec(("OW", "insert"), begin_index=2),
    ),
)
def renamenx(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _rename(ctx, argv, nx=True)


@command(
    "copy",
    -3,
    "write denyoom",
    keys=(1, 2, 1),
    acl="@keyspace @write @slow",
    key_specs=(
        KeySpec(("RO", "access"), begin_index=1),
        KeySpec(("OW", "update"), begin_index=2),
    ),
)
def copy(ctx: CommandContext, argv: list[bytes]) -> Reply:
    replace = False
    db: int | None = None
    j = 3
    while j < len(argv):
        opt = argv[j].lower()
        if opt == b"replace":
            replace = True
        elif opt == b"db" and j + 1 < len(argv):
            db = parse_int(argv[j + 1])
            if db < _INT_MIN or db > _INT_MAX:
                raise CommandError(
                    f"value is out of range, value must between {_INT_MIN} and {_INT_MAX}"
                )
            if db < 0 or db >= ctx.server.config.get_int("databases"):
                raise CommandError("DB index is out of range")
            j += 1
        else:
            raise SyntaxErr()
        j += 1
    ks = ctx.keyspace
    target = ks
    if db is not None and db != ctx.client.db:
        if ctx.server.cluster_enabled:
            raise CommandError("Copying to another database is not allowed in cluster mode")
        target = ctx.server.databases.get(db)
    src, dst = argv[1], argv[2]
    if src == dst and target is ks:
        raise CommandError("source and destination objects are the same")
    value = ks.get(src)
    if value is None:
        return 0
    expire = ks.expire_time(src)
    if target.get(dst) is not None:
        if not replace:
            return 0
        target.delete(dst)
    target.set(dst, duplicate(value))
    if expire is not None:
        target.set_expire_at(dst, expire)
    if target is not ks:
        ks.dirty += 1  # the dispatcher propagates what changed the client's database
    return 1


@command(
    "touch",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    acl="@keyspace @read @fast",
    key_flags="RO",
    tips="request_policy:multi_shard response_policy:agg_sum",
)
def touch(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    return sum(1 for key in argv[1:] if ks.get(key) is not None)
