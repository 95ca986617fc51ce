"""x86 ``long double`` arithmetic as INCRBYFLOAT and HINCRBYFLOAT use it in redis-server.

Values are exact :class:`fractions.Fraction` objects kept rounded to the 80-bit extended
format's 64-bit significand (round half to even), so that a sum rounds exactly like the
hardware's, and :func:`format_human` prints like ``%.17Lf`` with trailing zeros removed
(redis's ``LD_STR_HUMAN``): ``10.5 + 0.1 + 1e3`` reads ``1010.59999999999999998`` as in
redis. Infinities are ``math.inf``; NaN never appears (redis refuses it first).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from nodes.errors import NotFloatError

LongDouble = Fraction | float
"""A finite value (Fraction) or an infinity (float)."""

_MANTISSA_BITS = 64
_MAX_EXPONENT = 16384
"""Values of ``2**16384`` and above overflow to infinity."""
_MIN_EXPONENT = -16445
"""The smallest positive (subnormal) value is ``2**-16445``."""

_DECIMAL = re.compile(rb"([+-]?)((?:[0-9]+\.?[0-9]*|\.[0-9]+))(?:[eE]([+-]?[0-9]+))?")
_HEX = re.compile(
    rb"([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?"
)
_INF = re.compile(rb"([+-]?)(?i:inf|infinity)")


def round_extended(value: Fraction) -> LongDouble:
    """``value`` rounded to the nearest long double (an infinity when it overflows)."""
    if value == 0:
        return Fraction(0)
    sign = -1 if value < 0 else 1
    a = abs(value)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    scale = max(e - (_MANTISSA_BITS - 1), _MIN_EXPONENT)
    m = round(a / Fraction(2) ** scale)  # Fraction rounds half to even
    result = m * Fraction(2) ** scale
    if result >= Fraction(2) ** _MAX_EXPONENT:
        return sign * math.inf
    return sign * result


def parse(text: bytes) -> LongDouble | None:
    """What redis's ``string2ld`` accepts: the whole text, no leading space, no NaN, no
    overflow to infinity or underflow to zero; ``None`` otherwise."""
    m = _INF.fullmatch(text)
    if m is not None:
        return -math.inf if m.group(1) == b"-" else math.inf
    exact: Fraction
    m = _DECIMAL.fullmatch(text)
    if m is not None:
        exponent = int(m.group(3) or b"0")
        if abs(exponent) > 100000:
            return None
        whole, _, frac = m.group(2).partition(b".")
        exact = Fraction(_integer(whole + frac), 10 ** len(frac)) * Fraction(10) ** exponent
    else:
        m = _HEX.fullmatch(text)
        if m is None:
            return None
        whole, _, frac = m.group(2).partition(b".")
        digits = (whole + frac).decode() or "0"
        exponent = int(m.group(3) or b"0") - 4 * len(frac)
        if abs(exponent) > 100000:
            return None
        exact = Fraction(int(digits, 16)) * Fraction(2) ** exponent
    if m.group(1) == b"-":
        exact = -exact
    rounded = round_extended(exact)
    if isinstance(rounded, float) or (rounded == 0 and exact != 0):
        return None  # ERANGE: overflow, or underflow to zero
    return rounded


def parse_or_raise(text: bytes) -> LongDouble:
    """:func:`parse`, raising ``value is not a valid float`` for what it refuses."""
    value = parse(text)
    if value is None:
        raise NotFloatError()
    return value


def add(a: LongDouble, b: LongDouble) -> LongDouble:
    if isinstance(a, float) or isinstance(b, float):
        return float(a) + float(b)
    return round_extended(a + b)


def is_finite(value: LongDouble) -> bool:
    return not isinstance(value, float)


def format_human(value: LongDouble) -> bytes:
    """``%.17Lf`` without trailing zeros (and ``-0`` as ``0``), or ``inf``/``-inf``."""
    if isinstance(value, float):
        return b"inf" if value > 0 else b"-inf"
    scaled = round(abs(value) * 10**17)
    whole, fraction = divmod(scaled, 10**17)
    text = f"{_digits(whole)}.{fraction:017d}".rstrip("0").rstrip(".")
    if value < 0 and text != "0":
        text = "-" + text
    return text.encode()


def _digits(n: int) -> str:
    """``str(n)`` for any size (Python limits one conversion to 4300 digits)."""
    if n < 10**4000:
        return str(n)
    high, low = divmod(n, 10**2000)
    return _digits(high) + _digits(low).zfill(2000)


def _integer(digits: bytes) -> int:
    """``int(digits)`` for any length (the inverse of :func:`_digits`)."""
    if len(digits) <= 4000:
        return int(digits or b"0")
    return _integer(digits[:-2000]) * 10**2000 + int(digits[-2000:])
