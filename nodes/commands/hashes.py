"""Hash commands: HSET HGET HDEL HGETALL HLEN HINCRBY.

A hash is a ``dict`` (insertion ordered, like the listpack Redis uses for small hashes,
so HGETALL of a small hash lists fields in the same order as redis-server 7.0).
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import ArityError, CommandError, OverflowErr
from nodes.resp.parser import string2ll
from nodes.resp.values import Reply

_LL_MIN = -(2**63)
_LL_MAX = 2**63 - 1

Hash = dict[bytes, bytes]


@command(
    "hset",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @hash @fast",
    key_flags="RW update",
)
def hset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) % 2 == 1:
        raise ArityError("hset")
    ks = ctx.keyspace
    key = argv[1]
    fields: Hash | None = ks.get_typed(key, dict)
    fresh = fields is None
    if fields is None:
        fields = {}
    created = 0
    for i in range(2, len(argv), 2):
        if argv[i] not in fields:
            created += 1
        fields[argv[i]] = argv[i + 1]
    if fresh:
        ks.set(key, fields)
    else:
        ks.modified(key)
    return created


@command("hget", 3, "readonly fast", keys=(1, 1, 1), acl="@read @hash @fast", key_flags="RO access")
def hget(ctx: CommandContext, argv: list[bytes]) -> Reply:
    fields: Hash | None = ctx.keyspace.get_typed(argv[1], dict)
    return None if fields is None else fields.get(argv[2])


@command("hdel", -3, "write fast", keys=(1, 1, 1), acl="@write @hash @fast", key_flags="RW delete")
def hdel(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    key = argv[1]
    fields: Hash | None = ks.get_typed(key, dict)
    if fields is None:
        return 0
    deleted = 0
    for name in argv[2:]:
        if fields.pop(name, None) is not None:
            deleted += 1
    if not fields:
        ks.delete(key)
    elif deleted:
        ks.modified(key)
    return deleted


@command(
    "hgetall",
    2,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @hash @slow",
    key_flags="RO access",
    tips="nondeterministic_output_order",
)
def hgetall(ctx: CommandContext, argv: list[bytes]) -> Reply:
    fields: Hash | None = ctx.keyspace.get_typed(argv[1], dict)
    # A copy: inside EXEC the reply is encoded after later commands ran.
    return {} if fields is None else dict[bytes, Reply](fields)


@command("hlen", 2, "readonly fast", keys=(1, 1, 1), acl="@read @hash @fast", key_flags="RO")
def hlen(ctx: CommandContext, argv: list[bytes]) -> Reply:
    fields: Hash | None = ctx.keyspace.get_typed(argv[1], dict)
    return 0 if fields is None else len(fields)


@command(
    "hincrby",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @hash @fast",
    key_flags="RW access update",
)
def hincrby(ctx: CommandContext, argv: list[bytes]) -> Reply:
    increment = parse_int(argv[3])
    ks = ctx.keyspace
    key, name = argv[1], argv[2]
    fields: Hash | None = ks.get_typed(key, dict)
    old = 0
    if fields is not None and name in fields:
        parsed = string2ll(fields[name])
        if parsed is None:
            raise CommandError("hash value is not an integer")
        old = parsed
    new = old + increment
    if new < _LL_MIN or new > _LL_MAX:
        raise OverflowErr()
    if fields is None:
        ks.set(key, {name: b"%d" % new})
    else:
        fields[name] = b"%d" % new
        ks.modified(key)
    return new
