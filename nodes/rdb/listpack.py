"""Listpacks (redis 7.0 ``listpack.c``), the container of small hashes, sorted sets and
of each quicklist node.

Layout: total bytes (u32 LE), number of entries (u16 LE, 65535 = "count it"), entries,
``0xFF``. An entry is its encoding + data followed by a "backlen" (the entry's size in
7-bit groups). A string that is a canonical 64-bit integer is stored as an integer in
the smallest of 7, 13, 16, 24, 32 or 64 bits, as redis does, so equal contents give
equal bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Final

from nodes.rdb.format import RdbError

HEADER: Final = 6
NUMELE_UNKNOWN: Final = 0xFFFF
_HEAD = struct.Struct("<IH")
_INT64_MIN: Final = -(1 << 63)
_INT64_MAX: Final = (1 << 63) - 1


def as_int64(item: bytes) -> int | None:
    """``lpStringToInt64``: the value of a canonical decimal that fits 64 bits."""
    if not item or len(item) > 20:
        return None
    first = item[0]
    if not (48 <= first <= 57 or first == 45):  # a digit or '-'
        return None
    try:
        value = int(item)
    except ValueError:
        return None
    if str(value).encode() != item or not _INT64_MIN <= value <= _INT64_MAX:
        return None
    return value


def _backlen(size: int) -> bytes:
    if size <= 127:
        return bytes((size,))
    if size < 16383:
        return bytes((size >> 7, (size & 127) | 128))
    if size < 2097151:
        return bytes((size >> 14, ((size >> 7) & 127) | 128, (size & 127) | 128))
    if size < 268435455:
        return bytes(
            (size >> 21, ((size >> 14) & 127) | 128, ((size >> 7) & 127) | 128, (size & 127) | 128)
        )
    return bytes(
        (
            size >> 28,
            ((size >> 21) & 127) | 128,
            ((size >> 14) & 127) | 128,
            ((size >> 7) & 127) | 128,
            (size & 127) | 128,
        )
    )


def entry(item: bytes) -> bytes:
    """One encoded entry, backlen included."""
    value = as_int64(item)
    if value is not None:
        if 0 <= value <= 127:
            body = bytes((value,))
        elif -4096 <= value <= 4095:
            uv = value & 0x1FFF
            body = bytes(((uv >> 8) | 0xC0, uv & 0xFF))
        elif -32768 <= value <= 32767:
            body = b"\xf1" + value.to_bytes(2, "little", signed=True)
        elif -8388608 <= value <= 8388607:
            body = b"\xf2" + value.to_bytes(3, "little", signed=True)
        elif -(1 << 31) <= value < 1 << 31:
            body = b"\xf3" + value.to_bytes(4, "little", signed=True)
        else:
            body = b"\xf4" + value.to_bytes(8, "little", signed=True)
    else:
        size = len(item)
        if size < 64:
            body = bytes((0x80 | size,)) + item
        elif size < 4096:
            body = bytes((0xE0 | (size >> 8), size & 0xFF)) + item
        else:
            body = b"\xf0" + struct.pack("<I", size) + item
    return body + _backlen(len(body))


def build(entries: Iterable[bytes]) -> bytes:
    """A listpack holding ``entries`` in order."""
    parts = [entry(item) for item in entries]
    total = HEADER + sum(len(p) for p in parts) + 1
    count = len(parts) if len(parts) < NUMELE_UNKNOWN else NUMELE_UNKNOWN
    return _HEAD.pack(total, count) + b"".join(parts) + b"\xff"


def entries(blob: bytes) -> list[bytes]:
    """The entries of a listpack (integers as decimal strings); :class:`RdbError` if the
    blob is not a well-formed listpack."""
    if len(blob) < HEADER + 1:
        raise RdbError("listpack shorter than its header")
    total, count = _HEAD.unpack_from(blob, 0)
    if total != len(blob) or blob[-1] != 0xFF:
        raise RdbError("listpack size or terminator is wrong")
    end = len(blob) - 1
    pos = HEADER
    items: list[bytes] = []
    try:
        while pos < end:
            b = blob[pos]
            if b < 0x80:
                items.append(b"%d" % b)
                size = 1
            elif b < 0xC0:
                n = b & 0x3F
                items.append(blob[pos + 1 : pos + 1 + n])
                size = 1 + n
            elif b < 0xE0:
                v = ((b & 0x1F) << 8) | blob[pos + 1]
                items.append(b"%d" % (v - (1 << 13) if v >= 1 << 12 else v))
                size = 2
            elif b < 0xF0:
                n = ((b & 0x0F) << 8) | blob[pos + 1]
                items.append(blob[pos + 2 : pos + 2 + n])
                size = 2 + n
            elif b == 0xF0:
                n = struct.unpack_from("<I", blob, pos + 1)[0]
                items.append(blob[pos + 5 : pos + 5 + n])
                size = 5 + n
            else:
                width = {0xF1: 2, 0xF2: 3, 0xF3: 4, 0xF4: 8}.get(b)
                if width is None:
                    raise RdbError(f"bad listpack entry encoding 0x{b:02x}")
                raw = blob[pos + 1 : pos + 1 + width]
                items.append(b"%d" % int.from_bytes(raw, "little", signed=True))
                size = 1 + width
            back = _backlen(size)
            if blob[pos + size : pos + size + len(back)] != back:
                raise RdbError("listpack entry with a wrong backlen")
            pos += size + len(back)
    except (IndexError, struct.error):
        raise RdbError("listpack entry runs past the end") from None
    if pos != end:
        raise RdbError("listpack entry runs past the end")
    if count != NUMELE_UNKNOWN and count != len(items):
        raise RdbError("listpack entry count is wrong")
    return items
