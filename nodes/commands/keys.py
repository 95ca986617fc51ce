"""Generic key commands: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY EXPIRE PEXPIRE EXPIREAT
PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST."""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, NotIntegerError, SyntaxErr
from nodes.keyspace import VALUE_TYPES, type_name
from nodes.pattern import matches
from nodes.resp.parser import string2ll
from nodes.resp.values import Reply, Simple

_LL_MAX = 2**63 - 1
_NONE = Simple(b"none")
_TYPES = {name: Simple(name) for name in (b"string", b"list", b"set", b"hash", b"zset", b"stream")}


def _delete(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    return sum(1 for key in argv[1:] if ks.delete(key))


@command(
    "del",
    -2,
    "write",
    keys=(1, -1, 1),
    acl="@keyspace @write @slow",
    key_flags="RM delete",
    tips="request_policy:multi_shard response_policy:agg_sum",
)
def del_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _delete(ctx, argv)


@command(
    "unlink",
    -2,
    "write fast",
    keys=(1, -1, 1),
    acl="@keyspace @write @fast",
    key_flags="RM delete",
    tips="request_policy:multi_shard response_policy:agg_sum",
)
def unlink(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _delete(ctx, argv)


@command(
    "exists",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    acl="@keyspace @read @fast",
    key_flags="RO",
    tips="request_policy:multi_shard response_policy:agg_sum",
)
def exists(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    return sum(1 for key in argv[1:] if ks.exists(key))


@command("type", 2, "readonly fast", keys=(1, 1, 1), acl="@keyspace @read @fast", key_flags="RO")
def type_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    value = ctx.keyspace.get(argv[1])
    if value is None:
        return _NONE
    return _TYPES.get(type_name(value)) or Simple(type_name(value))


@command(
    "keys",
    2,
    "readonly",
    acl="@keyspace @read @slow @dangerous",
    tips="request_policy:all_shards nondeterministic_output_order",
)
def keys(ctx: CommandContext, argv: list[bytes]) -> Reply:
    pattern = argv[1]
    return [k for k in ctx.keyspace.live_keys() if matches(pattern, k)]


@command(
    "scan",
    -2,
    "readonly",
    acl="@keyspace @read @slow",
    tips="nondeterministic_output request_policy:special",
)
def scan(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if not argv[1].isdigit() or len(argv[1]) > 20:
        raise CommandError("invalid cursor")
    cursor = int(argv[1])
    count = 10
    pattern: bytes | None = None
    kind: bytes | None = None
    i = 2
    while i < len(argv):
        opt = argv[i].lower()
        if i + 1 >= len(argv):
            raise SyntaxErr()
        if opt == b"count":
            count = parse_int(argv[i + 1])
            if count < 1:
                raise SyntaxErr()
        elif opt == b"match":
            pattern = argv[i + 1]
        elif opt == b"type":
            kind = argv[i + 1].lower()
        else:
            raise SyntaxErr()
        i += 2
    ks = ctx.keyspace
    next_cursor, found = ks.scan(cursor, count)
    if pattern is not None:
        found = [k for k in found if matches(pattern, k)]
    if kind is not None:
        found = [k for k in found if VALUE_TYPES.get(type(ks.data.get(k))) == kind]
    return [str(next_cursor).encode(), list(found)]


@command(
    "randomkey",
    1,
    "readonly",
    acl="@keyspace @read @slow",
    tips="request_policy:all_shards nondeterministic_output",
)
def randomkey(ctx: CommandContext, argv: list[bytes]) -> Reply:
    for key in ctx.keyspace.live_keys():
        return key
    return None


def _expire(ctx: CommandContext, argv: list[bytes], unit_ms: int, absolute: bool) -> Reply:
    name = argv[0].decode(errors="replace").lower()
    value = string2ll(argv[2])
    if value is None:
        raise NotIntegerError()
    nx = xx = gt = lt = False
    for arg in argv[3:]:
        opt = arg.lower()
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt == b"gt":
            gt = True
        elif opt == b"lt":
            lt = True
        else:
            raise CommandError(b"Unsupported option " + arg)
    if nx and (xx or gt or lt):
        raise CommandError("NX and XX, GT or LT options at the same time are not compatible")
    if gt and lt:
        raise CommandError("GT and LT options at the same time are not compatible")
    base = 0 if absolute else ctx.now_ms()
    if abs(value) > _LL_MAX // unit_ms:
        raise CommandError(f"invalid expire time in '{name}' command")
    when = value * unit_ms + base
    if when > _LL_MAX:
        raise CommandError(f"invalid expire time in '{name}' command")
    ks = ctx.keyspace
    key = argv[1]
    if ks.get(key) is None:
        return 0
    current = ks.expire_time(key)
    if nx and current is not None:
        return 0
    if xx and current is None:
        return 0
    if gt and (current is None or when <= current):
        return 0
    if lt and current is not None and when >= current:
        return 0
    if when <= ctx.now_ms():
        ks.delete(key)
        ctx.propagate_as([b"DEL", key])
        return 1
    ks.set_expire_at(key, when)
    ctx.propagate_as([b"PEXPIREAT", key, str(when).encode()])
    return 1


@command(
    "expire", -3, "write fast", keys=(1, 1, 1), acl="@keyspace @write @fast", key_flags="RW update"
)
def expire(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _expire(ctx, argv, 1000, False)


@command(
    "pexpire", -3, "write fast", keys=(1, 1, 1), acl="@keyspace @write @fast", key_flags="RW update"
)
def pexpire(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _expire(ctx, argv, 1, False)


@command(
    "expireat",
    -3,
    "write fast",
    keys=(1, 1, 1),
    acl="@keyspace @write @fast",
    key_flags="RW update",
)
def expireat(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _expire(ctx, argv, 1000, True)


@command(
    "pexpireat",
    -3,
    "write fast",
    keys=(1, 1, 1),
    acl="@keyspace @write @fast",
    key_flags="RW update",
)
def pexpireat(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _expire(ctx, argv, 1, True)


def _ttl(ctx: CommandContext, key: bytes, unit_ms: int, absolute: bool) -> int:
    ks = ctx.keyspace
    if ks.get(key) is None:
        return -2
    when = ks.expire_time(key)
    if when is None:
        return -1
    if absolute:
        return when // unit_ms
    left = max(0, when - ctx.now_ms())
    return (left + 500) // 1000 if unit_ms == 1000 else left


@command(
    "ttl",
    2,
    "readonly fast",
    tips="nondeterministic_output",
    keys=(1, 1, 1),
    acl="@keyspace @read @fast",
    key_flags="RO access",
)
def ttl(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _ttl(ctx, argv[1], 1000, False)


@command(
    "pttl",
    2,
    "readonly fast",
    tips="nondeterministic_output",
    keys=(1, 1, 1),
    acl="@keyspace @read @fast",
    key_flags="RO access",
)
def pttl(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _ttl(ctx, argv[1], 1, False)


@command(
    "expiretime",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@keyspace @read @fast",
    key_flags="RO access",
)
def expiretime(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _ttl(ctx, argv[1], 1000, True)


@command(
    "pexpiretime",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@keyspace @read @fast",
    key_flags="RO access",
)
def pexpiretime(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _ttl(ctx, argv[1], 1, True)


@command(
    "persist", 2, "write fast", keys=(1, 1, 1), acl="@keyspace @write @fast", key_flags="RW update"
)
def persist(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return 1 if ctx.keyspace.persist(argv[1]) else 0
