"""redis's C number syntaxes, used whole: ``string2ll`` (strict), ``strtol`` (spaces and
a sign allowed), ``memtoull`` (a byte count with a unit)."""

from __future__ import annotations

import re

_U64 = 2**64
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1
_INTEGER = re.compile(r"-?[1-9][0-9]*|0")
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1024,
    "m": 1000**2,
    "mb": 1024**2,
    "g": 1000**3,
    "gb": 1024**3,
}


def string2ll(text: str) -> int | None:
    """redis's strict integer syntax: no sign but ``-``, no leading zeros, no spaces."""
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if _I64_MIN <= value <= _I64_MAX else None


def memtoull(text: str) -> int | None:
    """A byte count (``5``, ``1kb``, ``2G``...) as an unsigned 64-bit number, or None."""
    if text.startswith("-"):
        return None
    digits = len(text) - len(text.lstrip("0123456789"))
    unit = text[digits:].lower()
    if unit not in _UNITS or digits >= 128:
        return None
    number = min(int(text[:digits] or "0"), _U64 - 1)
    return (number * _UNITS[unit]) % _U64


def strtol(text: str) -> int | None:
    """C's ``strtol`` used whole: spaces, a sign, digits; the empty string is 0."""
    if text == "":
        return 0
    match = re.fullmatch(r"[ \t\n\r\f\v]*([+-]?[0-9]+)", text)
    return int(match.group(1)) if match else None
