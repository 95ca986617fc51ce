"""Ziplists (redis up to 6.2): read only, for older RDB files (list, hash and zset
types 10, 13, 12, and the nodes of quicklist type 14).

Layout: total bytes (u32 LE), tail offset (u32), count (u16), entries, ``0xFF``; an
entry is the previous entry's length (1 byte, or 0xFE + u32), an encoding (string
lengths in 6, 14 or 32 bits, integers in 8/16/24/32/64 bits or a 4-bit immediate) and
its data.
"""

from __future__ import annotations

from nodes.rdb.format import RdbError

_INT_WIDTHS = {0xC0: 2, 0xD0: 4, 0xE0: 8, 0xF0: 3, 0xFE: 1}


def entries(blob: bytes) -> list[bytes]:
    """The entries (integers as decimal strings); :class:`RdbError` if malformed."""
    if len(blob) < 11 or int.from_bytes(blob[:4], "little") != len(blob) or blob[-1] != 0xFF:
        raise RdbError("ziplist size or terminator is wrong")
    pos = 10
    end = len(blob) - 1
    items: list[bytes] = []
    try:
        while pos < end:
            pos += 1 if blob[pos] < 254 else 5  # prevlen
            b = blob[pos]
            kind = b >> 6
            if kind == 0:
                n = b & 0x3F
                items.append(blob[pos + 1 : pos + 1 + n])
                pos += 1 + n
            elif kind == 1:
                n = ((b & 0x3F) << 8) | blob[pos + 1]
                items.append(blob[pos + 2 : pos + 2 + n])
                pos += 2 + n
            elif kind == 2:
                n = int.from_bytes(blob[pos + 1 : pos + 5], "big")
                items.append(blob[pos + 5 : pos + 5 + n])
                pos += 5 + n
            else:
                width = _INT_WIDTHS.get(b)
                if width is not None:
                    raw = blob[pos + 1 : pos + 1 + width]
                    items.append(b"%d" % int.from_bytes(raw, "little", signed=True))
                    pos += 1 + width
                elif 0xF1 <= b <= 0xFD:
                    items.append(b"%d" % ((b & 0x0F) - 1))
                    pos += 1
                else:
                    raise RdbError(f"bad ziplist entry encoding 0x{b:02x}")
    except IndexError:
        raise RdbError("ziplist entry runs past the end") from None
    if pos != end:
        raise RdbError("ziplist entry runs past the end")
    return items
