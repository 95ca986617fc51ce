"""Intsets (redis ``intset.c``): sorted distinct integers of one width, the encoding
of a small all-integer set. Layout: width in bytes (u32 LE: 2, 4 or 8), count (u32 LE),
the values ascending, little-endian."""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterable

from nodes.rdb.format import RdbError

_HEAD = struct.Struct("<II")
_FORMATS = {2: "h", 4: "i", 8: "q"}


def build(values: Iterable[int]) -> bytes:
    """The intset of ``values`` in the smallest width that holds them all."""
    ordered = sorted(set(values))
    width = 2
    for v in (ordered[0], ordered[-1]) if ordered else ():
        if not -(1 << 15) <= v < 1 << 15:
            width = max(width, 4 if -(1 << 31) <= v < 1 << 31 else 8)
    return _HEAD.pack(width, len(ordered)) + struct.pack(
        f"<{len(ordered)}{_FORMATS[width]}", *ordered
    )


def members(blob: bytes) -> list[bytes]:
    """The values as decimal strings; :class:`RdbError` if malformed (bad width, size,
    order or duplicates)."""
    if len(blob) < _HEAD.size:
        raise RdbError("intset shorter than its header")
    width, count = _HEAD.unpack_from(blob, 0)
    fmt = _FORMATS.get(width)
    if fmt is None:
        raise RdbError(f"intset with a bad width {width}")
    if len(blob) != _HEAD.size + width * count:
        raise RdbError("intset size does not match its count")
    values = struct.unpack_from(f"<{count}{fmt}", blob, _HEAD.size)
    if any(a >= b for a, b in itertools.pairwise(values)):
        raise RdbError("intset values not strictly ascending")
    return [b"%d" % v for v in values]
