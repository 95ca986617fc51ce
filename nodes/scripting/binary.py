"""Byte-level conversions the ``struct`` and ``cmsgpack`` libraries (written in Lua) ask
Python for: C integer casts and IEEE 754 floats, which Lua 5.1 cannot express itself."""

from __future__ import annotations

import math
import struct
from collections.abc import Callable

_U64 = (1 << 64) - 1


def _c_long(n: float) -> int:
    """C's ``(unsigned long)(long)n`` for negative ``n``, ``(unsigned long)n`` otherwise
    (truncation toward zero; out-of-range values as x86-64 converts them)."""
    if math.isnan(n) or math.isinf(n):
        return 1 << 63
    v = int(n)
    if v < -(1 << 63) or v >= 1 << 64:
        return 1 << 63
    return v & _U64


def pack_int(n: float, size: int, little: bool) -> bytes:
    """``n`` as a ``size``-byte integer (bytes beyond the 8th are zero)."""
    v = _c_long(float(n))
    raw = v.to_bytes(8, "little") + bytes(max(0, size - 8))
    raw = raw[:size]
    return raw if little else raw[::-1]


def unpack_int(data: bytes, little: bool, signed: bool) -> float:
    """A ``len(data)``-byte integer read into a 64-bit C long, as a Lua number."""
    raw = data if little else data[::-1]
    v = int.from_bytes(raw, "little") & _U64
    size = len(data)
    if signed and size > 0:
        bits = min(size * 8, 64)
        if v & (1 << (bits - 1)):
            v |= _U64 ^ ((1 << bits) - 1) if bits < 64 else 0
        if v & (1 << 63):
            v -= 1 << 64
    return float(v)


def pack_float(x: float, little: bool, double: bool, negative_zero: bool = False) -> bytes:
    """``x`` as an IEEE 754 single (C's ``(float)x``: too large is infinity) or double.
    ``negative_zero``: x is -0.0 (the Lua-to-Python bridge hands -0.0 over as 0)."""
    order = "<" if little else ">"
    x = -0.0 if negative_zero else float(x)
    if double:
        return struct.pack(order + "d", x)
    try:
        return struct.pack(order + "f", x)
    except OverflowError:
        return struct.pack(order + "f", math.copysign(math.inf, x))


def unpack_float(data: bytes, little: bool) -> float:
    """A 4- or 8-byte IEEE 754 value."""
    order = "<" if little else ">"
    return float(struct.unpack(order + ("d" if len(data) == 8 else "f"), data)[0])


FUNCTIONS: dict[str, Callable[..., object]] = {
    "pack_int": pack_int,
    "unpack_int": unpack_int,
    "pack_float": pack_float,
    "unpack_float": unpack_float,
}
