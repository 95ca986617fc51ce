"""Set commands: SADD SREM SMEMBERS SISMEMBER SCARD.

Sets are :class:`nodes.types.RedisSet`, which knows when Redis would hold an intset so
that SMEMBERS lists such a set in numeric order, byte-identical to redis-server 7.0.
"""

from __future__ import annotations

from nodes.aof import SNAPSHOT_WRITERS
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.resp.parser import string2ll
from nodes.resp.values import Reply, SetReply
from nodes.types.sets import RedisSet


@command(
    "sadd", -3, "write denyoom fast", keys=(1, 1, 1), acl="@write @set @fast", key_flags="RW insert"
)
def sadd(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    key = argv[1]
    members = ks.get_typed(key, RedisSet)
    if members is None:
        fresh = RedisSet.for_first_member(argv[2])
        added = fresh.add_all(argv[2:])
        ks.set(key, fresh)
        return added
    added = members.add_all(argv[2:])
    if added:
        ks.modified(key)
    return added


@command("srem", -3, "write fast", keys=(1, 1, 1), acl="@write @set @fast", key_flags="RW delete")
def srem(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    key = argv[1]
    members = ks.get_typed(key, RedisSet)
    if members is None:
        return 0
    removed = sum(1 for m in argv[2:] if members.remove(m))
    if not members:
        ks.delete(key)
    elif removed:
        ks.modified(key)
    return removed


@command(
    "smembers",
    2,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @set @slow",
    key_flags="RO access",
    tips="nondeterministic_output_order",
)
def smembers(ctx: CommandContext, argv: list[bytes]) -> Reply:
    members = ctx.keyspace.get_typed(argv[1], RedisSet)
    if members is None:
        return SetReply([])
    return SetReply(list[Reply](members.ordered()))


@command("sismember", 3, "readonly fast", keys=(1, 1, 1), acl="@read @set @fast", key_flags="RO")
def sismember(ctx: CommandContext, argv: list[bytes]) -> Reply:
    members = ctx.keyspace.get_typed(argv[1], RedisSet)
    return 1 if members is not None and argv[2] in members else 0


@command("scard", 2, "readonly fast", keys=(1, 1, 1), acl="@read @set @fast", key_flags="RO")
def scard(ctx: CommandContext, argv: list[bytes]) -> Reply:
    members = ctx.keyspace.get_typed(argv[1], RedisSet)
    return 0 if members is None else len(members)


REWRITE_BATCH = 64
"""Members per SADD in an AOF rewrite (Redis's AOF_REWRITE_ITEMS_PER_CMD)."""


def rewrite_commands(key: bytes, value: object) -> list[list[bytes]]:
    """SADDs that recreate ``value``: an intset in numeric order; otherwise a non-integer
    member first, so that the reloaded set is a hash table again, as it was."""
    assert isinstance(value, RedisSet)
    members = value.ordered()
    if not value.intset:
        members.sort(key=lambda m: string2ll(m) is not None)
    return [
        [b"SADD", key, *members[i : i + REWRITE_BATCH]]
        for i in range(0, len(members), REWRITE_BATCH)
    ]


SNAPSHOT_WRITERS[RedisSet] = rewrite_commands
