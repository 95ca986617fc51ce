"""HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST.

Values are plain strings in redis's HYLL representation (:mod:`nodes.types.hll`), so GET
returns the same bytes as redis-server for the same additions and a value made by redis
(DUMP/RESTORE, or SET of its bytes) can be counted and merged here. PFCOUNT of one key
stores the estimate in the header's cache, as redis does.
"""

from __future__ import annotations

import random

from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, NodeError
from nodes.resp.values import OK, Reply, Simple
from nodes.types import hll

_CORRUPT = b"INVALIDOBJ Corrupted HLL object detected"


def _not_hll() -> NodeError:
    return NodeError(b"WRONGTYPE Key is not a valid HyperLogLog string value.")


def _load(ctx: CommandContext, key: bytes) -> bytearray | None:
    """The HyperLogLog at ``key`` (WRONGTYPE for another type or a non-HLL string)."""
    value = ctx.keyspace.get_string(key)
    if value is None:
        return None
    try:
        hll.check(value)
    except hll.InvalidHll:
        raise _not_hll() from None
    return bytearray(value)


def _save(ctx: CommandContext, key: bytes, buf: bytearray) -> None:
    ctx.keyspace.set(key, bytes(buf), keep_ttl=True)


def _max_bytes(ctx: CommandContext) -> int:
    return ctx.server.config.get_int("hll-sparse-max-bytes")


@command(
    "pfadd",
    -2,
    "write denyoom fast",
    keys=(1, 1, 1),
    acl="@write @hyperloglog @fast",
    key_flags="RW insert",
)
def pfadd(ctx: CommandContext, argv: list[bytes]) -> Reply:
    buf = _load(ctx, argv[1])
    updated = 0
    if buf is None:
        buf = hll.new_sparse()
        updated = 1
    limit = _max_bytes(ctx)
    try:
        for element in argv[2:]:
            updated += hll.add(buf, element, limit)
    except hll.InvalidHll:
        raise NodeError(_CORRUPT) from None
    if updated:
        hll.invalidate_cache(buf)
        _save(ctx, argv[1], buf)
    return 1 if updated else 0


@command(
    "pfcount",
    -2,
    "readonly may_replicate",
    keys=(1, -1, 1),
    acl="@read @hyperloglog @slow",
    key_specs=(
        KeySpec(
            ("RW", "access"),
            lastkey=-1,
            notes=(
                b"RW because it may change the internal representation of the key, and"
                b" propagate to replicas"
            ),
        ),
    ),
)
def pfcount(ctx: CommandContext, argv: list[bytes]) -> Reply:
    try:
        if len(argv) > 2:
            maximum = [0] * hll.REGISTERS
            for key in argv[1:]:
                buf = _load(ctx, key)
                if buf is not None:
                    hll.merge_into(maximum, buf)
            return hll.estimate(maximum)
        buf = _load(ctx, argv[1])
        if buf is None:
            return 0
        cached = hll.cached_count(buf)
        if cached is not None:
            return cached
        card = hll.estimate(hll.registers(buf))
    except hll.InvalidHll:
        raise NodeError(_CORRUPT) from None
    hll.store_count(buf, card)
    _save(ctx, argv[1], buf)
    return card


@command(
    "pfmerge",
    -2,
    "write denyoom",
    keys=(1, -1, 1),
    acl="@write @hyperloglog @slow",
    key_specs=(
        KeySpec(("RW", "access", "insert")),
        KeySpec(("RO", "access"), begin_index=2, lastkey=-1),
    ),
)
def pfmerge(ctx: CommandContext, argv: list[bytes]) -> Reply:
    maximum = [0] * hll.REGISTERS
    use_dense = False
    try:
        for key in argv[1:]:
            buf = _load(ctx, key)
            if buf is None:
                continue
            use_dense = use_dense or buf[4] == hll.DENSE
            hll.merge_into(maximum, buf)
        target = _load(ctx, argv[1]) or hll.new_sparse()
        if use_dense:
            hll.sparse_to_dense(target)
        limit = _max_bytes(ctx)
        for index, value in enumerate(maximum):
            if value == 0:
                continue
            if target[4] == hll.DENSE:
                hll.dense_set(target, index, value)
            else:
                hll.sparse_set(target, index, value, limit)
    except hll.InvalidHll:
        raise NodeError(_CORRUPT) from None
    hll.invalidate_cache(target)
    _save(ctx, argv[1], target)
    return OK


@command(
    "pfdebug",
    3,
    "write denyoom admin",
    keys=(2, 2, 1),
    acl="@write @hyperloglog @admin @slow @dangerous",
    key_flags="RW access",
)
def pfdebug(ctx: CommandContext, argv: list[bytes]) -> Reply:
    sub = argv[1].lower()
    if ctx.keyspace.get(argv[2]) is None:
        raise CommandError("The specified key does not exist")
    buf = _load(ctx, argv[2])
    assert buf is not None
    try:
        if sub == b"getreg":
            if buf[4] == hll.SPARSE:
                hll.sparse_to_dense(buf)
                _save(ctx, argv[2], buf)
            return list[Reply](hll.registers(buf))
        if sub == b"decode":
            if buf[4] != hll.SPARSE:
                raise CommandError("HLL encoding is not sparse")
            parts = [
                (f"v:{v},{n}" if v else (f"z:{n}" if n <= 64 else f"Z:{n}"))
                for v, n in hll.sparse_runs(buf)
            ]
            return " ".join(parts).encode()
        if sub == b"encoding":
            return Simple(b"dense" if buf[4] == hll.DENSE else b"sparse")
        if sub == b"todense":
            if buf[4] == hll.DENSE:
                return 0
            hll.sparse_to_dense(buf)
            _save(ctx, argv[2], buf)
            return 1
    except hll.InvalidHll:
        raise NodeError(_CORRUPT) from None
    raise CommandError(b"Unknown PFDEBUG subcommand '" + argv[1] + b"'")


@command("pfselftest", 1, "admin", acl="@hyperloglog @admin @slow @dangerous")
def pfselftest(ctx: CommandContext, argv: list[bytes]) -> Reply:
    """Checks this implementation as redis's checks its own: every register value
    round-trips through the dense packing, and a sparse and a dense HyperLogLog fed the
    same elements agree and estimate within the expected error."""
    rng = random.Random(ctx.server.rng.random())
    dense = hll.new_sparse()
    hll.sparse_to_dense(dense)
    expected = [rng.randrange(hll.REGISTER_MAX + 1) for _ in range(hll.REGISTERS)]
    for i, value in enumerate(expected):
        hll.dense_put(dense, i, value)
    if hll.registers(dense) != expected:
        raise CommandError("TESTFAILED Register error")
    sparse, dense = hll.new_sparse(), hll.new_sparse()
    hll.sparse_to_dense(dense)
    error_bound = 1.04 / (hll.REGISTERS**0.5) * 6
    for n in range(1, 2001):
        element = rng.getrandbits(64).to_bytes(8, "little")
        hll.add(sparse, element, 3000)
        hll.add(dense, element, 3000)
        if n % 500 == 0:
            a, b = hll.estimate(hll.registers(sparse)), hll.estimate(hll.registers(dense))
            if a != b or abs(a - n) > n * error_bound + 1:
                raise CommandError("TESTFAILED Too big error")
    return OK
