"""BITFIELD's integer fields inside a byte string: reading, writing, and redis's three
overflow policies (WRAP, SAT, FAIL) for SET and INCRBY.

A field is ``bits`` wide (signed up to 64, unsigned up to 63), starts at bit ``offset``
(bit 0 is the most significant bit of byte 0) and is stored big-endian, as redis does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Overflow(Enum):
    WRAP = "wrap"
    SAT = "sat"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class BitfieldOp:
    kind: str
    """``get``, ``set`` or ``incrby``."""
    signed: bool
    bits: int
    offset: int
    value: int
    overflow: Overflow


def reads_only(argv: Sequence[bytes]) -> bool:
    """Whether a BITFIELD request only reads: nothing but complete GET and OVERFLOW
    subcommands (a SET, an INCRBY or a syntax error counts as a write, as redis's key
    flags and ACL checks count it)."""
    i = 2
    while i < len(argv):
        left = len(argv) - i - 1
        op = argv[i].lower()
        if op == b"get" and left >= 2:
            i += 3
        elif op == b"overflow" and left >= 1:
            i += 2
        else:
            return False
    return True


def read_field(data: bytes, signed: bool, bits: int, offset: int) -> int:
    """The field's value (bytes past the end read as zero)."""
    first, last = offset >> 3, (offset + bits - 1) >> 3
    chunk = data[first : last + 1].ljust(last - first + 1, b"\x00")
    number = int.from_bytes(chunk, "big")
    number >>= (last - first + 1) * 8 - (offset & 7) - bits
    number &= (1 << bits) - 1
    if signed and number >> (bits - 1):
        number -= 1 << bits
    return number


def write_field(data: bytearray, bits: int, offset: int, value: int) -> None:
    """Store the low ``bits`` of ``value`` (two's complement) at ``offset``; ``data``
    is long enough already."""
    first, last = offset >> 3, (offset + bits - 1) >> 3
    width = (last - first + 1) * 8
    shift = width - (offset & 7) - bits
    chunk = int.from_bytes(data[first : last + 1], "big")
    mask = ((1 << bits) - 1) << shift
    chunk = (chunk & ~mask) | ((value & ((1 << bits) - 1)) << shift)
    data[first : last + 1] = chunk.to_bytes(width // 8, "big")


def _limits(signed: bool, bits: int) -> tuple[int, int]:
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _wrap(value: int, signed: bool, bits: int) -> int:
    value &= (1 << bits) - 1
    if signed and value >> (bits - 1):
        value -= 1 << bits
    return value


def apply_op(data: bytearray, op: BitfieldOp) -> tuple[int | None, bool]:
    """Run a SET or INCRBY on ``data``: the reply (the old value for SET, the new one for
    INCRBY, ``None`` when FAIL refused it) and whether the field changed."""
    old = read_field(bytes(data), op.signed, op.bits, op.offset)
    low, high = _limits(op.signed, op.bits)
    if op.kind == "incrby":
        wanted = old + op.value
    elif op.signed:
        wanted = op.value
    else:
        wanted = op.value % 2**64  # redis reads the new value of a u-field as uint64
    new = wanted
    if wanted > high or wanted < low:
        if op.overflow is Overflow.FAIL:
            return None, False
        if op.overflow is Overflow.SAT:
            new = high if wanted > high else low
        else:
            new = _wrap(wanted, op.signed, op.bits)
    write_field(data, op.bits, op.offset, new)
    return (new if op.kind == "incrby" else old), new != old
