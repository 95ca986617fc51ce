"""Argument parsing shared by the command families, with redis-server's error texts."""

from __future__ import annotations

import math

from nodes.errors import NotFloatError, NotIntegerError
from nodes.resp.parser import string2ll


def parse_int(arg: bytes) -> int:
    """A 64-bit integer in redis's strict syntax, else ``value is not an integer...``."""
    value = string2ll(arg)
    if value is None:
        raise NotIntegerError()
    return value


def parse_float(arg: bytes) -> float:
    """A double as redis's ``getDoubleFromObject`` accepts it (``inf``, ``-inf`` too)."""
    if not arg or arg[0:1].isspace() or arg[-1:].isspace():
        raise NotFloatError()
    try:
        value = float(arg)
    except ValueError:
        raise NotFloatError() from None
    if math.isnan(value) or b"_" in arg:
        raise NotFloatError()
    return value


def lower(arg: bytes) -> bytes:
    return arg.lower()
