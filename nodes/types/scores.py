"""Parsing sorted-set scores and range bounds exactly as redis-server 7.0 does.

Redis reads doubles with C's ``strtod``, which Python's ``float`` only resembles: strtod
takes hexadecimal floats (``0x1p4``), rejects ``1_0``, skips leading (never trailing)
white space, and reports overflow and underflow. The two places differ:

* a score (ZADD, ZINCRBY: ``string2d``) must be the whole, non-empty argument, must not
  start with white space, must not be NaN, and must not overflow to infinity or
  underflow to zero (a subnormal result is fine; ``inf`` spelled out is fine);
* a range bound (``zslParseRange``) is ``(`` for exclusive, then strtod with nothing
  left over: leading white space and the empty string (0) pass, overflow gives
  infinity, only NaN is refused.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass

from nodes.errors import CommandError, NotFloatError

_SPACE = b" \t\n\v\f\r"
_DECIMAL = rb"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_HEX = rb"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
_STRTOD = re.compile(
    rb"([+-]?)(?:(?P<hex>" + _HEX + rb")|(?P<dec>" + _DECIMAL + rb")|(?P<inf>(?i:inf(?:inity)?))"
    rb"|(?P<nan>(?i:nan(?:\([0-9A-Za-z_]*\))?)))"
)
_NONZERO_MANTISSA = re.compile(rb"[1-9a-fA-F]")


@dataclass(frozen=True, slots=True)
class _Strtod:
    value: float
    out_of_range: bool
    """strtod would set ``errno = ERANGE`` (overflow, or underflow to zero)."""


def _strtod(text: bytes) -> _Strtod | None:
    """What strtod makes of the *whole* of ``text`` (no leading space), or ``None``."""
    m = _STRTOD.fullmatch(text)
    if m is None:
        return None
    negative = m.group(1) == b"-"
    if m.group("nan") is not None:
        return _Strtod(math.nan, False)
    if m.group("inf") is not None:
        return _Strtod(-math.inf if negative else math.inf, False)
    hexa = m.group("hex")
    if hexa is not None:
        try:
            value = float.fromhex(hexa.decode())
        except OverflowError:
            return _Strtod(-math.inf if negative else math.inf, True)
        mantissa = hexa[2:].split(b"p")[0].split(b"P")[0]
    else:
        dec = m.group("dec")
        value = float(dec)
        mantissa = re.split(rb"[eE]", dec)[0]
    if negative:
        value = -value
    if math.isinf(value):
        return _Strtod(value, True)
    if value == 0.0 and _NONZERO_MANTISSA.search(mantissa) is not None:
        return _Strtod(value, True)
    return _Strtod(value, False)


_PLAIN = re.compile(rb"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")
"""Short plain decimals, which float() reads exactly as strtod does (no overflow,
no underflow, no white space, no underscores): the fast path."""


def parse_score(arg: bytes) -> float:
    """A ZADD score; ``NotFloatError`` (``value is not a valid float``) otherwise."""
    if _PLAIN.fullmatch(arg) is not None:
        return float(arg)
    if not arg or arg[0] in _SPACE:
        raise NotFloatError()
    parsed = _strtod(arg)
    if parsed is None or parsed.out_of_range or math.isnan(parsed.value):
        raise NotFloatError()
    return parsed.value


@dataclass(frozen=True, slots=True)
class ScoreBound:
    """One end of a BYSCORE range."""

    value: float
    exclusive: bool


class RangeError(CommandError):
    def __init__(self) -> None:
        super().__init__("min or max is not a float")


class LexRangeError(CommandError):
    def __init__(self) -> None:
        super().__init__("min or max not valid string range item")


def parse_score_bound(arg: bytes) -> ScoreBound:
    """A BYSCORE bound: ``[(]<strtod>``; ``RangeError`` otherwise."""
    exclusive = arg[:1] == b"("
    rest = arg[1:] if exclusive else arg
    text = rest.lstrip(_SPACE)
    if not text:
        if rest:
            raise RangeError()  # strtod converts nothing and leaves the white space
        return ScoreBound(0.0, exclusive)  # strtod of "" is 0 with nothing left over
    parsed = _strtod(text)
    if parsed is None or math.isnan(parsed.value):
        raise RangeError()
    return ScoreBound(parsed.value, exclusive)


@dataclass(frozen=True, slots=True)
class LexBound:
    """One end of a BYLEX range: ``-`` and ``+`` are the infinities (``value`` None)."""

    value: bytes | None
    exclusive: bool
    top: bool = False
    """For an infinity: True for ``+`` (above every string), False for ``-``."""

    def below(self, member: bytes) -> bool:
        """Whether ``member`` is at or beyond this bound as a minimum (gte min)."""
        if self.value is None:
            return not self.top
        return member > self.value if self.exclusive else member >= self.value

    def above(self, member: bytes) -> bool:
        """Whether ``member`` is at or before this bound as a maximum (lte max)."""
        if self.value is None:
            return self.top
        return member < self.value if self.exclusive else member <= self.value


MIN_STRING = LexBound(None, True, top=False)
MAX_STRING = LexBound(None, True, top=True)


def parse_lex_bound(arg: bytes) -> LexBound:
    """``-``, ``+``, ``(member`` or ``[member``; ``LexRangeError`` otherwise."""
    head = arg[:1]
    if head == b"-" and len(arg) == 1:
        return MIN_STRING
    if head == b"+" and len(arg) == 1:
        return MAX_STRING
    if head == b"(":
        return LexBound(arg[1:], True)
    if head == b"[":
        return LexBound(arg[1:], False)
    raise LexRangeError()


def lex_range_empty(low: LexBound, high: LexBound) -> bool:
    """Redis's quick test for a lex range that can contain nothing (min > max, or
    min == max with either end exclusive)."""
    if low.value is None and high.value is None:
        return low is high or low.top or not high.top  # "-" "-", "+" "+", "+" "-"
    if low.value is None:
        return low.top  # "+" as the minimum: nothing is above it
    if high.value is None:
        return not high.top  # "-" as the maximum: nothing is below it
    if low.value > high.value:
        return True
    return low.value == high.value and (low.exclusive or high.exclusive)


def strtod_whole(arg: bytes) -> float | None:
    """strtod of ``arg`` that must consume all of it (leading white space skipped, the
    empty string is 0); ``None`` if anything is left over or it is out of range (SORT's
    weights)."""
    text = arg.lstrip(_SPACE)
    if not text:
        return None if arg else 0.0
    parsed = _strtod(text)
    if parsed is None or parsed.out_of_range:
        return None
    if parsed.value != 0.0 and abs(parsed.value) < sys.float_info.min:
        return None  # glibc sets ERANGE for a subnormal result too
    return parsed.value
