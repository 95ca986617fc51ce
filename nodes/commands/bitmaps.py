"""Bitmap commands on strings: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.

Bits are numbered from the most significant bit of the first byte, as in redis. A write
past the end grows the string with zero bytes (limited by ``proto-max-bulk-len``).
Argument checks follow redis-server 7.0's order: BITCOUNT looks at the key before its
range (a missing key counts 0 whatever the arguments), BITPOS parses the bit first.
"""

from __future__ import annotations

from collections.abc import Callable

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.parser import string2ll
from nodes.resp.values import Reply
from nodes.types.bitfield import BitfieldOp, Overflow, apply_op, read_field

_OFFSET_ERROR = "bit offset is not an integer or out of range"


def parse_bit_offset(ctx: CommandContext, arg: bytes, *, bits: int = 0) -> int:
    """A bit offset (``#n`` means ``n * bits`` when ``bits`` is given, as in BITFIELD)."""
    use_hash = bits > 0 and arg[:1] == b"#"
    value = string2ll(arg[1:] if use_hash else arg)
    if value is None:
        raise CommandError(_OFFSET_ERROR)
    if use_hash:
        value *= bits
    if value < 0 or (value >> 3) >= ctx.server.config.get_int("proto-max-bulk-len"):
        raise CommandError(_OFFSET_ERROR)
    return value


def grown_string(ctx: CommandContext, key: bytes, max_bit: int) -> tuple[bytearray, bool]:
    """The string at ``key`` (WRONGTYPE otherwise) as a bytearray at least long enough
    for ``max_bit``, and whether it had to be created or grown."""
    current = ctx.keyspace.get_string(key)
    need = (max_bit >> 3) + 1
    data = bytearray(current or b"")
    grew = current is None or len(data) < need
    if len(data) < need:
        data.extend(bytes(need - len(data)))
    return data, grew


def _store(ctx: CommandContext, key: bytes, data: bytearray) -> None:
    ctx.keyspace.set(key, bytes(data), keep_ttl=True)


@command(
    "setbit",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    acl="@write @bitmap @slow",
    key_flags="RW access update",
)
def setbit(ctx: CommandContext, argv: list[bytes]) -> Reply:
    offset = parse_bit_offset(ctx, argv[2])
    on = string2ll(argv[3])
    if on is None or on & ~1:
        raise CommandError("bit is not an integer or out of range")
    data, grew = grown_string(ctx, argv[1], offset)
    byte, mask = offset >> 3, 1 << (7 - (offset & 7))
    old = 1 if data[byte] & mask else 0
    if grew or old != on:
        data[byte] = (data[byte] | mask) if on else (data[byte] & ~mask)
        _store(ctx, argv[1], data)
    return old


@command(
    "getbit",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@read @bitmap @fast",
    key_flags="RO access",
)
def getbit(ctx: CommandContext, argv: list[bytes]) -> Reply:
    offset = parse_bit_offset(ctx, argv[2])
    value = ctx.keyspace.get_string(argv[1])
    if value is None or (offset >> 3) >= len(value):
        return 0
    return 1 if value[offset >> 3] & (1 << (7 - (offset & 7))) else 0


def _unit(arg: bytes) -> bool:
    """BIT (True) or BYTE; a syntax error otherwise."""
    word = arg.lower()
    if word not in (b"bit", b"byte"):
        raise SyntaxErr()
    return word == b"bit"


def _clamp(start: int, end: int, total: int) -> tuple[int, int]:
    if start < 0:
        start += total
    if end < 0:
        end += total
    start, end = max(start, 0), max(end, 0)
    return start, min(end, total - 1)


def _bit_range_count(value: bytes, first: int, last: int) -> int:
    """Set bits from bit ``first`` to bit ``last`` inclusive."""
    if first > last:
        return 0
    chunk = int.from_bytes(value[first >> 3 : (last >> 3) + 1], "big")
    width = ((last >> 3) - (first >> 3) + 1) * 8
    chunk >>= 7 - (last & 7)
    chunk &= (1 << (width - (first & 7) - (7 - (last & 7)))) - 1
    return chunk.bit_count()


@command(
    "bitcount", -2, "readonly", keys=(1, 1, 1), acl="@read @bitmap @slow", key_flags="RO access"
)
def bitcount(ctx: CommandContext, argv: list[bytes]) -> Reply:
    value = ctx.keyspace.get_string(argv[1])
    if value is None:
        return 0
    if len(argv) == 2:
        return int.from_bytes(value, "big").bit_count()
    if len(argv) not in (4, 5):
        raise SyntaxErr()
    start, end = parse_int(argv[2]), parse_int(argv[3])
    if start < 0 and end < 0 and start > end:
        return 0
    in_bits = _unit(argv[4]) if len(argv) == 5 else False
    total = len(value) * 8 if in_bits else len(value)
    start, end = _clamp(start, end, total)
    if start > end:
        return 0
    if not in_bits:
        start, end = start * 8, end * 8 + 7
    return _bit_range_count(value, start, end)


def _first_bit(value: bytes, bit: int, first: int, last: int) -> int:
    """The position of the first ``bit`` from bit ``first`` to ``last``, or -1."""
    pos = first
    while pos <= last and pos & 7:
        if (value[pos >> 3] >> (7 - (pos & 7))) & 1 == bit:
            return pos
        pos += 1
    skip = b"\x00" if bit else b"\xff"
    whole_end = (last + 1) >> 3  # bytes fully inside the range end here
    start_byte = pos >> 3
    if start_byte < whole_end:
        segment = value[start_byte:whole_end]
        stripped = len(segment) - len(segment.lstrip(skip))
        if stripped < len(segment):
            byte = value[start_byte + stripped]
            offset = 7 - ((byte if bit else byte ^ 0xFF).bit_length() - 1)
            return (start_byte + stripped) * 8 + offset
        pos = whole_end * 8
    while pos <= last:
        if (value[pos >> 3] >> (7 - (pos & 7))) & 1 == bit:
            return pos
        pos += 1
    return -1


@command("bitpos", -3, "readonly", keys=(1, 1, 1), acl="@read @bitmap @slow", key_flags="RO access")
def bitpos(ctx: CommandContext, argv: list[bytes]) -> Reply:
    bit = parse_int(argv[2])
    if bit not in (0, 1):
        raise CommandError("The bit argument must be 1 or 0.")
    value = ctx.keyspace.get_string(argv[1])
    if value is None:
        return -1 if bit else 0
    if len(argv) > 6:
        raise SyntaxErr()
    in_bits = end_given = False
    if len(argv) >= 4:
        start = parse_int(argv[3])
        if len(argv) == 6:
            in_bits = _unit(argv[5])
        total = len(value) * 8 if in_bits else len(value)
        if len(argv) >= 5:
            end = parse_int(argv[4])
            end_given = True
        else:
            end = total + 7 if in_bits else total - 1
        start, end = _clamp(start, end, total)
    else:
        start, end = 0, len(value) - 1
    if start > end:
        return -1
    first, last = (start, end) if in_bits else (start * 8, end * 8 + 7)
    found = _first_bit(value, bit, first, last)
    if found >= 0 or bit == 1:
        return found
    return -1 if end_given else ((last >> 3) + 1) * 8


_OPS: dict[bytes, Callable[[int, int], int]] = {
    b"and": lambda a, b: a & b,
    b"or": lambda a, b: a | b,
    b"xor": lambda a, b: a ^ b,
}


@command(
    "bitop",
    -4,
    "write denyoom",
    keys=(2, -1, 1),
    acl="@write @bitmap @slow",
    key_specs=(
        KeySpec(("OW", "update"), begin_index=2),
        KeySpec(("RO", "access"), begin_index=3, lastkey=-1),
    ),
)
def bitop(ctx: CommandContext, argv: list[bytes]) -> Reply:
    op = argv[1].lower()
    if op not in (b"and", b"or", b"xor", b"not"):
        raise SyntaxErr()
    if op == b"not" and len(argv) != 4:
        raise CommandError("BITOP NOT must be called with a single source key.")
    sources = [ctx.keyspace.get_string(key) or b"" for key in argv[3:]]
    size = max(len(s) for s in sources)
    ks = ctx.keyspace
    if size == 0:
        ks.delete(argv[2])
        return 0
    numbers = [int.from_bytes(s.ljust(size, b"\x00"), "big") for s in sources]
    if op == b"not":
        result = ~numbers[0] & ((1 << (8 * size)) - 1)
    else:
        result = numbers[0]
        for n in numbers[1:]:
            result = _OPS[op](result, n)
    ks.set(argv[2], result.to_bytes(size, "big"))
    return size


def _parse_type(arg: bytes) -> tuple[bool, int]:
    """``i<bits>`` (signed, 1..64) or ``u<bits>`` (unsigned, 1..63)."""
    error = (
        "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported"
        " but i64 is."
    )
    signed = arg[:1] == b"i"
    if arg[:1] not in (b"i", b"u"):
        raise CommandError(error)
    bits = string2ll(arg[1:])
    if bits is None or bits < 1 or bits > (64 if signed else 63):
        raise CommandError(error)
    return signed, bits


def _bitfield(ctx: CommandContext, argv: list[bytes], *, readonly_command: bool) -> Reply:
    ops: list[BitfieldOp] = []
    overflow = Overflow.WRAP
    j = 2
    while j < len(argv):
        left = len(argv) - j - 1
        word = argv[j].lower()
        if word == b"overflow" and left >= 1:
            try:
                overflow = Overflow(argv[j + 1].lower().decode(errors="replace"))
            except ValueError:
                raise CommandError("Invalid OVERFLOW type specified") from None
            j += 2
            continue
        if not ((word == b"get" and left >= 2) or (word in (b"set", b"incrby") and left >= 3)):
            raise SyntaxErr()
        signed, bits = _parse_type(argv[j + 1])
        offset = parse_bit_offset(ctx, argv[j + 2], bits=bits)
        value = parse_int(argv[j + 3]) if word != b"get" else 0
        ops.append(BitfieldOp(word.decode(), signed, bits, offset, value, overflow))
        j += 3 if word == b"get" else 4
    writes = [op for op in ops if op.kind != "get"]
    if not writes:
        current = ctx.keyspace.get_string(argv[1])
        return [read_field(current or b"", op.signed, op.bits, op.offset) for op in ops]
    if readonly_command:
        raise CommandError("BITFIELD_RO only supports the GET subcommand")
    highest = max(op.offset + op.bits - 1 for op in writes)
    data, grew = grown_string(ctx, argv[1], highest)
    replies: list[Reply] = []
    changed = grew
    for op in ops:
        if op.kind == "get":
            replies.append(read_field(bytes(data), op.signed, op.bits, op.offset))
            continue
        reply, did_change = apply_op(data, op)
        replies.append(reply)
        changed = changed or did_change
    if changed:
        _store(ctx, argv[1], data)
    return replies


@command(
    "bitfield",
    -2,
    "write denyoom",
    keys=(1, 1, 1),
    acl="@write @bitmap @slow",
    key_specs=(
        KeySpec(
            ("RW", "access", "update", "variable_flags"),
            notes=b"This command allows both access and modification of the key",
        ),
    ),
)
def bitfield(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _bitfield(ctx, argv, readonly_command=False)


@command(
    "bitfield_ro",
    -2,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@read @bitmap @fast",
    key_flags="RO access",
)
def bitfield_ro(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _bitfield(ctx, argv, readonly_command=True)
