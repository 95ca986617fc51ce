"""Hash commands beyond the basics: HEXISTS HSETNX HMSET HMGET HKEYS HVALS HSTRLEN
HINCRBYFLOAT HRANDFIELD HSCAN.

HRANDFIELD draws from the server's injected ``random.Random`` (``ctx.server.rng``);
with a count at least the hash's size it lists the whole hash in its order, as redis
does. HINCRBYFLOAT uses INCRBYFLOAT's long double arithmetic and is propagated as the
HSET of its result, like redis.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.collection_scan import keep, parse_cursor, parse_options, scan_step
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import ArityError, CommandError, SyntaxErr
from nodes.resp.values import OK, Reply
from nodes.types import longdouble
from nodes.types.encodings import encoding_of

Hash = dict[bytes, bytes]
_LONG_MAX = 2**63 - 1


def _hash(ctx: CommandContext, key: bytes) -> Hash | None:
    found: Hash | None = ctx.keyspace.get_typed(key, dict)
    return found


@command("hexists", 3, "readonly fast", keys=(1, 1, 1), acl="@read @hash @fast", key_flags="RO")
def hexists(ctx: CommandContext, argv: list[bytes]) -> Reply:
    fields = _hash(ctx, argv[1])
    return 1 if fields is not None and argv[2] in fields else 0


@command(
    "hsetnx",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @hash @fast",
    key_flags="RW insert",
)
def hsetnx(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    fields = _hash(ctx, argv[1])
    if fields is None:
        ks.set(argv[1], {argv[2]: argv[3]})
        return 1
    if argv[2] in fields:
        return 0
    fields[argv[2]] = argv[3]
    ks.modified(argv[1])
    return 1


@command(
    "hmset",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @hash @fast",
    key_flags="RW update",
)
def hmset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) % 2 == 1:
        raise ArityError("hmset")
    ks = ctx.keyspace
    fields = _hash(ctx, argv[1])
    fresh = fields is None
    target: Hash = {} if fields is None else fields
    for i in range(2, len(argv), 2):
        target[argv[i]] = argv[i + 1]
    if fresh:
        ks.set(argv[1], target)
    else:
        ks.modified(argv[1])
    return OK


@command(
    "hmget", -3, "readonly fast", keys=(1, 1, 1), acl="@read @hash @fast", key_flags="RO access"
)
def hmget(ctx: CommandContext, argv: list[bytes]) -> Reply:
    fields = _hash(ctx, argv[1])
    if fields is None:
        return [None] * (len(argv) - 2)
    return [fields.get(name) for name in argv[2:]]


@command(
    "hkeys",
    2,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @hash @slow",
    key_flags="RO access",
    tips="nondeterministic_output_order",
)
def hkeys(ctx: CommandContext, argv: list[bytes]) -> Reply:
    fields = _hash(ctx, argv[1])
    return [] if fields is None else list[Reply](fields)


@command(
    "hvals",
    2,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @hash @slow",
    key_flags="RO access",
    tips="nondeterministic_output_order",
)
def hvals(ctx: CommandContext, argv: list[bytes]) -> Reply:
    fields = _hash(ctx, argv[1])
    return [] if fields is None else list[Reply](fields.values())


@command("hstrlen", 3, "readonly fast", keys=(1, 1, 1), acl="@read @hash @fast", key_flags="RO")
def hstrlen(ctx: CommandContext, argv: list[bytes]) -> Reply:
    fields = _hash(ctx, argv[1])
    value = None if fields is None else fields.get(argv[2])
    return 0 if value is None else len(value)


@command(
    "hincrbyfloat",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @hash @fast",
    key_flags="RW access update",
)
def hincrbyfloat(ctx: CommandContext, argv: list[bytes]) -> Reply:
    increment = longdouble.parse_or_raise(argv[3])
    if not longdouble.is_finite(increment):
        raise CommandError("value is NaN or Infinity")
    ks = ctx.keyspace
    key, name = argv[1], argv[2]
    fields = _hash(ctx, key)
    current = fields.get(name) if fields is not None else None
    value = increment
    if current is not None:
        parsed = longdouble.parse(current)
        if parsed is None:
            raise CommandError("hash value is not a float")
        value = longdouble.add(parsed, increment)
    if not longdouble.is_finite(value):
        raise CommandError("increment would produce NaN or Infinity")
    text = longdouble.format_human(value)
    if fields is None:
        ks.set(key, {name: text})
    else:
        fields[name] = text
        ks.modified(key)
    ctx.propagate_as([b"HSET", key, name, text])
    return text


@command(
    "hrandfield",
    -2,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @hash @slow",
    key_flags="RO access",
    tips="nondeterministic_output",
)
def hrandfield(ctx: CommandContext, argv: list[bytes]) -> Reply:
    rng = ctx.server.rng
    if len(argv) == 2:
        fields = _hash(ctx, argv[1])
        if fields is None:
            return None
        return rng.choice(list(fields))
    count = parse_int(argv[2])
    if count < -_LONG_MAX:
        raise CommandError(
            f"value is out of range, value must between {-_LONG_MAX} and {_LONG_MAX}"
        )
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withvalues"):
        raise SyntaxErr()
    with_values = len(argv) == 4
    if with_values and not -_LONG_MAX // 2 <= count <= _LONG_MAX // 2:
        raise CommandError("value is out of range")
    fields = _hash(ctx, argv[1])
    if fields is None or count == 0:
        return []
    names = list(fields)
    if count < 0:
        picked = [rng.choice(names) for _ in range(-count)]
    elif count >= len(names):
        picked = names
    else:
        chosen = set(rng.sample(names, count))
        picked = [n for n in names if n in chosen]
    if not with_values:
        return list[Reply](picked)
    if ctx.client.resp == 3:
        return [[n, fields[n]] for n in picked]
    flat: list[Reply] = []
    for n in picked:
        flat += [n, fields[n]]
    return flat


@command(
    "hscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @hash @slow",
    key_flags="RO access",
    tips="nondeterministic_output",
)
def hscan(ctx: CommandContext, argv: list[bytes]) -> Reply:
    cursor = parse_cursor(argv[2])
    fields = _hash(ctx, argv[1])
    if fields is None:
        return [b"0", []]
    opts = parse_options(argv, 3)
    if encoding_of(fields) == b"listpack":
        next_cursor, names = 0, list(fields)
    else:
        next_cursor, names = scan_step(list(fields), cursor, opts.count)
    out: list[Reply] = []
    for name in names:
        if keep(opts.pattern, name):
            out += [name, fields[name]]
    return [b"%d" % next_cursor, out]
