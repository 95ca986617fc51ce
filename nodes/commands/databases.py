"""Numbered databases: SELECT SWAPDB MOVE (see :mod:`nodes.databases`)."""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError
from nodes.keyspace import Keyspace
from nodes.resp.parser import string2ll
from nodes.resp.values import OK, Reply

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _db_index(arg: bytes, message: str = "") -> int:
    """redis's ``getIntFromObjectOrReply``: a C int, else ``message`` (or redis's
    default texts for "not an integer" and "out of int range")."""
    value = string2ll(arg)
    if value is None:
        raise CommandError(message or "value is not an integer or out of range")
    if not _INT_MIN <= value <= _INT_MAX:
        raise CommandError(
            message or f"value is out of range, value must between {_INT_MIN} and {_INT_MAX}"
        )
    return value


def _space(ctx: CommandContext, index: int) -> Keyspace:
    databases = ctx.server.databases
    if not 0 <= index < databases.count:
        raise CommandError("DB index is out of range")
    return databases.get(index)


@command("select", 2, "loading stale fast", acl="@fast @connection")
def select(ctx: CommandContext, argv: list[bytes]) -> Reply:
    index = _db_index(argv[1])
    if ctx.server.cluster_enabled and index != 0:
        raise CommandError("SELECT is not allowed in cluster mode")
    ctx.keyspace = _space(ctx, index)
    ctx.client.db = index
    return OK


@command("swapdb", 3, "write fast", acl="@keyspace @write @fast @dangerous")
def swapdb(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.server.cluster_enabled:
        raise CommandError("SWAPDB is not allowed in cluster mode")
    first = _db_index(argv[1], "invalid first DB index")
    second = _db_index(argv[2], "invalid second DB index")
    count = ctx.server.databases.count
    if not (0 <= first < count and 0 <= second < count):
        raise CommandError("DB index is out of range")
    ctx.server.databases.swap(first, second)
    ctx.keyspace.dirty += 1  # propagated as it came
    return OK


@command(
    "move",
    3,
    "write fast",
    keys=(1, 1, 1),
    acl="@keyspace @write @fast",
    key_flags="RW access update",
)
def move(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.server.cluster_enabled:
        raise CommandError("MOVE is not allowed in cluster mode")
    key = argv[1]
    target = _space(ctx, _db_index(argv[2]))
    source = ctx.keyspace
    if target is source:
        raise CommandError("source and destination objects are the same")
    value = source.get(key)
    if value is None or target.get(key) is not None:
        return 0
    when = source.expire_time(key)
    target.set(key, value)
    if when is not None:
        target.set_expire_at(key, when)
    source.delete(key)
    return 1
