"""LuaBitOp's ``bit`` library (redis bundles it; lupa's Lua 5.1 does not): 32-bit
operations on Lua numbers, results as signed 32-bit integers, written in Python and
exposed to Lua by :mod:`nodes.scripting.sandbox`."""

from __future__ import annotations

import math
from collections.abc import Callable

_MASK = 0xFFFFFFFF


def _arg(value: object) -> int:
    """A Lua number as the library sees it: rounded to nearest, taken modulo 2^32."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, bytes):
            try:
                value = float(value)
            except ValueError:
                raise ValueError("bad argument to 'bit' (number expected)") from None
        else:
            raise ValueError("bad argument to 'bit' (number expected)")
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return 0
        value = round(value)
    return int(value) & _MASK


def _signed(value: int) -> int:
    value &= _MASK
    return value - (1 << 32) if value & 0x80000000 else value


def tobit(x: object) -> int:
    return _signed(_arg(x))


def bnot(x: object) -> int:
    return _signed(~_arg(x))


def band(x: object, *rest: object) -> int:
    acc = _arg(x)
    for y in rest:
        acc &= _arg(y)
    return _signed(acc)


def bor(x: object, *rest: object) -> int:
    acc = _arg(x)
    for y in rest:
        acc |= _arg(y)
    return _signed(acc)


def bxor(x: object, *rest: object) -> int:
    acc = _arg(x)
    for y in rest:
        acc ^= _arg(y)
    return _signed(acc)


def lshift(x: object, n: object) -> int:
    return _signed(_arg(x) << (_arg(n) & 31))


def rshift(x: object, n: object) -> int:
    return _signed(_arg(x) >> (_arg(n) & 31))


def arshift(x: object, n: object) -> int:
    return _signed(_signed(_arg(x)) >> (_arg(n) & 31))


def rol(x: object, n: object) -> int:
    v, s = _arg(x), _arg(n) & 31
    return _signed((v << s) | (v >> (32 - s)))


def ror(x: object, n: object) -> int:
    v, s = _arg(x), _arg(n) & 31
    return _signed((v >> s) | (v << (32 - s)))


def bswap(x: object) -> int:
    return _signed(int.from_bytes(_arg(x).to_bytes(4, "little"), "big"))


def tohex(x: object, n: object = 8) -> bytes:
    """``n`` hex digits (default 8), upper case when ``n`` is negative."""
    count = _signed(_arg(n))
    upper = count < 0
    count = min(8, abs(count)) or 8 if count != 0 else 8
    text = f"{_arg(x) & ((1 << (4 * count)) - 1):0{count}x}"
    return (text.upper() if upper else text).encode()


FUNCTIONS: dict[str, Callable[..., object]] = {
    "tobit": tobit,
    "tohex": tohex,
    "bnot": bnot,
    "band": band,
    "bor": bor,
    "bxor": bxor,
    "lshift": lshift,
    "rshift": rshift,
    "arshift": arshift,
    "rol": rol,
    "ror": ror,
    "bswap": bswap,
}
