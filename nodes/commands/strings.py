"""String commands: GET GETEX SET SETNX SETEX PSETEX GETSET GETDEL MGET MSET MSETNX INCR INCRBY
DECR DECRBY INCRBYFLOAT APPEND STRLEN.

The worked example of a command family: register with ``@command``, read with
``ctx.keyspace.get_string`` (WRONGTYPE for free), raise ``NodeError`` subclasses,
rewrite propagation where redis does (relative expiry -> absolute ``PXAT``)."""

from __future__ import annotations

from fractions import Fraction

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, NotIntegerError, OverflowErr, SyntaxErr
from nodes.resp.parser import string2ll
from nodes.resp.values import OK, Reply
from nodes.types import longdouble

_LL_MIN = -(2**63)
_LL_MAX = 2**63 - 1


@command(
    "get", 2, "readonly fast", keys=(1, 1, 1), acl="@read @string @fast", key_flags="RO access"
)
def get(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return ctx.keyspace.get_string(argv[1])


def _expire_at(arg: bytes, unit_ms: int, absolute: bool, now: int) -> int:
    value = string2ll(arg)
    if value is None:
        raise NotIntegerError()
    if value <= 0 or value > (_LL_MAX // unit_ms):
        raise CommandError("invalid expire time in 'set' command")
    when = value * unit_ms
    if not absolute:
        when += now
        if when > _LL_MAX:
            raise CommandError("invalid expire time in 'set' command")
    return when


@command(
    "set",
    -3,
    "write denyoom",
    keys=(1, 1, 1),
    acl="@write @string @slow",
    key_specs=(
        KeySpec(
            ("RW", "access", "update", "variable_flags"),
            notes=b"RW and ACCESS due to the optional `GET` argument",
        ),
    ),
)
def set_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    key = argv[1]
    if len(argv) == 3:
        ks.set(key, argv[2])
        return OK
    nx = xx = want_get = keep_ttl = False
    expire: tuple[bytes, bytes] | None = None
    i = 3
    n = len(argv)
    while i < n:
        opt = argv[i].lower()
        if opt == b"nx" and not xx:
            nx = True
        elif opt == b"xx" and not nx:
            xx = True
        elif opt == b"get":
            want_get = True
        elif opt == b"keepttl" and expire is None:
            keep_ttl = True
        elif (
            opt in (b"ex", b"px", b"exat", b"pxat")
            and not keep_ttl
            and expire is None
            and i + 1 < n
        ):
            expire = (opt, argv[i + 1])
            i += 1
        else:
            raise SyntaxErr()
        i += 1
    expire_at: int | None = None
    if expire is not None:
        unit = 1000 if expire[0] in (b"ex", b"exat") else 1
        expire_at = _expire_at(expire[1], unit, expire[0].endswith(b"at"), ctx.now_ms())
    old = ks.get_string(key) if want_get else None
    exists = old is not None if want_get else ks.exists(key)
    if (nx and exists) or (xx and not exists):
        return old if want_get else None
    ks.set(key, argv[2], keep_ttl=keep_ttl)
    propagated = [b"SET", key, argv[2]]
    if expire_at is not None:
        ks.set_expire_at(key, expire_at)
        propagated += [b"PXAT", str(expire_at).encode()]
    elif keep_ttl:
        propagated.append(b"KEEPTTL")
    ctx.propagate_as(propagated)
    return old if want_get else OK


@command(
    "setnx",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @string @fast",
    key_flags="OW insert",
)
def setnx(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.keyspace.exists(argv[1]):
        return 0
    ctx.keyspace.set(argv[1], argv[2])
    return 1


def _setex(ctx: CommandContext, argv: list[bytes], unit: int, name: str) -> Reply:
    seconds = parse_int(argv[2])
    if seconds <= 0 or seconds > _LL_MAX // unit:
        raise CommandError(f"invalid expire time in '{name}' command")
    when = ctx.now_ms() + seconds * unit
    ctx.keyspace.set(argv[1], argv[3])
    ctx.keyspace.set_expire_at(argv[1], when)
    ctx.propagate_as([b"SET", argv[1], argv[3], b"PXAT", str(when).encode()])
    return OK


@command(
    "setex", 4, "write denyoom", keys=(1, 1, 1), acl="@write @string @slow", key_flags="OW update"
)
def setex(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _setex(ctx, argv, 1000, "setex")


@command(
    "psetex", 4, "write denyoom", keys=(1, 1, 1), acl="@write @string @slow", key_flags="OW update"
)
def psetex(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _setex(ctx, argv, 1, "psetex")


@command(
    "getset",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @string @fast",
    key_flags="RW access update",
)
def getset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    old = ctx.keyspace.get_string(argv[1])
    ctx.keyspace.set(argv[1], argv[2])
    ctx.propagate_as([b"SET", argv[1], argv[2]])
    return old


@command(
    "getex",
    -2,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @string @fast",
    key_specs=(
        KeySpec(
            ("RW", "access", "update"),
            notes=b"RW and UPDATE because it changes the TTL",
        ),
    ),
)
def getex(ctx: CommandContext, argv: list[bytes]) -> Reply:
    expire: tuple[bytes, bytes] | None = None
    persist = False
    i = 2
    n = len(argv)
    while i < n:
        opt = argv[i].lower()
        if opt == b"persist" and expire is None and not persist:
            persist = True
        elif (
            opt in (b"ex", b"px", b"exat", b"pxat") and expire is None and not persist and i + 1 < n
        ):
            expire = (opt, argv[i + 1])
            i += 1
        else:
            raise SyntaxErr()
        i += 1
    when: int | None = None
    if expire is not None:
        unit = 1000 if expire[0] in (b"ex", b"exat") else 1
        try:
            when = _expire_at(expire[1], unit, expire[0].endswith(b"at"), ctx.now_ms())
        except CommandError as exc:
            if b"invalid expire" in exc.text:
                raise CommandError("invalid expire time in 'getex' command") from None
            raise
    ks = ctx.keyspace
    key = argv[1]
    value = ks.get_string(key)
    if value is None:
        return None
    if when is not None:
        if when <= ctx.now_ms():
            ks.delete(key)
            ctx.propagate_as([b"DEL", key])
        else:
            ks.set_expire_at(key, when)
            ctx.propagate_as([b"PEXPIREAT", key, str(when).encode()])
    elif persist and ks.persist(key):
        ctx.propagate_as([b"PERSIST", key])
    return value


@command(
    "getdel",
    2,
    "write fast",
    keys=(1, 1, 1),
    acl="@write @string @fast",
    key_flags="RW access delete",
)
def getdel(ctx: CommandContext, argv: list[bytes]) -> Reply:
    old = ctx.keyspace.get_string(argv[1])
    if old is not None:
        ctx.keyspace.delete(argv[1])
        ctx.propagate_as([b"DEL", argv[1]])
    return old


@command(
    "mget",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    acl="@read @string @fast",
    key_flags="RO access",
    tips="request_policy:multi_shard",
)
def mget(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    out: list[Reply] = []
    for key in argv[1:]:
        value = ks.get(key)
        out.append(value if type(value) is bytes else None)
    return out


@command(
    "mset",
    -3,
    "write denyoom",
    keys=(1, -1, 2),
    acl="@write @string @slow",
    key_flags="OW update",
    tips="request_policy:multi_shard response_policy:all_succeeded",
)
def mset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) % 2 == 0:
        raise CommandError("wrong number of arguments for 'mset' command")
    ks = ctx.keyspace
    for i in range(1, len(argv), 2):
        ks.set(argv[i], argv[i + 1])
    return OK


@command(
    "msetnx",
    -3,
    "write denyoom",
    keys=(1, -1, 2),
    acl="@write @string @slow",
    key_flags="OW insert",
    tips="request_policy:multi_shard response_policy:agg_min",
)
def msetnx(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) % 2 == 0:
        raise CommandError("wrong number of arguments for 'msetnx' command")
    ks = ctx.keyspace
    if any(ks.exists(argv[i]) for i in range(1, len(argv), 2)):
        return 0
    for i in range(1, len(argv), 2):
        ks.set(argv[i], argv[i + 1])
    return 1


def _incr(ctx: CommandContext, key: bytes, delta: int) -> Reply:
    ks = ctx.keyspace
    old = ks.get_string(key)
    current = 0
    if old is not None:
        parsed = string2ll(old) if len(old) <= 20 else None
        if parsed is None:
            raise NotIntegerError()
        current = parsed
    value = current + delta
    if value < _LL_MIN or value > _LL_MAX:
        raise OverflowErr()
    ks.set(key, str(value).encode(), keep_ttl=True)
    return value


_INCR_FLAGS = "write denyoom fast"
_INCR_ACL = "@write @string @fast"
_INCR_KEYS = "RW access update"


@command("incr", 2, _INCR_FLAGS, keys=(1, 1, 1), acl=_INCR_ACL, key_flags=_INCR_KEYS)
def incr(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _incr(ctx, argv[1], 1)


@command("decr", 2, _INCR_FLAGS, keys=(1, 1, 1), acl=_INCR_ACL, key_flags=_INCR_KEYS)
def decr(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _incr(ctx, argv[1], -1)


@command("incrby", 3, _INCR_FLAGS, keys=(1, 1, 1), acl=_INCR_ACL, key_flags=_INCR_KEYS)
def incrby(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _incr(ctx, argv[1], parse_int(argv[2]))


@command("decrby", 3, _INCR_FLAGS, keys=(1, 1, 1), acl=_INCR_ACL, key_flags=_INCR_KEYS)
def decrby(ctx: CommandContext, argv: list[bytes]) -> Reply:
    delta = parse_int(argv[2])
    if delta == _LL_MIN:
        raise CommandError("decrement would overflow")
    return _incr(ctx, argv[1], -delta)


@command("incrbyfloat", 3, _INCR_FLAGS, keys=(1, 1, 1), acl=_INCR_ACL, key_flags=_INCR_KEYS)
def incrbyfloat(ctx: CommandContext, argv: list[bytes]) -> Reply:
    """In x87 long double arithmetic, printed like redis (:mod:`nodes.types.longdouble`)."""
    ks = ctx.keyspace
    old = ks.get_string(argv[1])
    current = longdouble.parse_or_raise(old) if old is not None else Fraction(0)
    value = longdouble.add(current, longdouble.parse_or_raise(argv[2]))
    if not longdouble.is_finite(value):
        raise CommandError("increment would produce NaN or Infinity")
    text = longdouble.format_human(value)
    ks.set(argv[1], text, keep_ttl=True)
    ctx.propagate_as([b"SET", argv[1], text, b"KEEPTTL"])
    return text


@command(
    "append",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @string @fast",
    key_flags="RW insert",
)
def append(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    old = ks.get_string(argv[1])
    value = argv[2] if old is None else old + argv[2]
    ks.set(argv[1], value, keep_ttl=True)
    return len(value)


@command("strlen", 2, "readonly fast", keys=(1, 1, 1), acl="@read @string @fast", key_flags="RO")
def strlen(ctx: CommandContext, argv: list[bytes]) -> Reply:
    value = ctx.keyspace.get_string(argv[1])
    return 0 if value is None else len(value)
