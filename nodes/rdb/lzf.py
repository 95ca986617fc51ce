"""LZF (liblzf 3.6, as built into redis: ``HLOG 16``, ``VERY_FAST``), both ways.

The compressor follows liblzf's algorithm step by step (with a zeroed hash table), so
for the same input it emits the bytes redis-server emits; the format:
``000LLLLL`` + L+1 literal bytes; ``LLLooooo oooooooo`` a back reference of L+2 bytes at
distance o+1; ``111ooooo LLLLLLLL oooooooo`` a reference of L+9 bytes.
"""

from __future__ import annotations

_HLOG = 16
_HSIZE = 1 << _HLOG
_MAX_LIT = 1 << 5
_MAX_OFF = 1 << 13
_MAX_REF = (1 << 8) + (1 << 3)


class LzfError(ValueError):
    """Compressed data that does not decode."""


def _idx(h: int) -> int:
    return ((h >> (3 * 8 - _HLOG)) - h * 5) & (_HSIZE - 1)


def compress(data: bytes, out_len: int) -> bytes | None:
    """``data`` compressed into at most ``out_len`` bytes, or None if it does not fit
    (liblzf's ``lzf_compress`` returning 0)."""
    in_len = len(data)
    if not in_len or out_len <= 0:
        return None
    htab: dict[int, int] = {}
    out = bytearray(b"\x00")  # the first literal run's control byte
    lit = 0
    ip = 0
    in_end = in_len
    hval = (data[0] << 8) | data[1] if in_len > 1 else 0
    while ip < in_end - 2:
        hval = ((hval << 8) | data[ip + 2]) & 0xFFFFFFFF
        slot = _idx(hval)
        ref = htab.get(slot, -1)
        htab[slot] = ip
        off = ip - ref - 1
        if (
            ref > 0
            and off < _MAX_OFF
            and data[ref + 2] == data[ip + 2]
            and data[ref] == data[ip]
            and data[ref + 1] == data[ip + 1]
        ):
            length = 2
            maxlen = in_end - ip - length
            maxlen = min(maxlen, _MAX_REF)
            if len(out) + 3 + 1 >= out_len and len(out) - (0 if lit else 1) + 3 + 1 >= out_len:
                return None
            out[-lit - 1] = lit - 1 & 0xFF  # stop run
            if not lit:
                del out[-1]  # undo an empty run
            extend = True
            if maxlen > 16:  # liblzf's unrolled loop: 16 steps without the bound
                for _ in range(16):
                    length += 1
                    if data[ref + length] != data[ip + length]:
                        extend = False
                        break
            while extend:
                length += 1
                if length >= maxlen or data[ref + length] != data[ip + length]:
                    break
            length -= 2  # octets - 1
            ip += 1
            if length < 7:
                out.append((off >> 8) + (length << 5))
            else:
                out.append((off >> 8) + (7 << 5))
                out.append(length - 7)
            out.append(off & 0xFF)
            lit = 0
            out.append(0)  # start a run
            ip += length + 1
            if ip >= in_end - 2:
                break
            ip -= 2
            hval = (data[ip] << 8) | data[ip + 1]
            hval = ((hval << 8) | data[ip + 2]) & 0xFFFFFFFF
            htab[_idx(hval)] = ip
            ip += 1
            hval = ((hval << 8) | data[ip + 2]) & 0xFFFFFFFF
            htab[_idx(hval)] = ip
            ip += 1
        else:
            if len(out) >= out_len:
                return None
            lit += 1
            out.append(data[ip])
            ip += 1
            if lit == _MAX_LIT:
                out[-lit - 1] = lit - 1
                lit = 0
                out.append(0)
    if len(out) + 3 > out_len:
        return None
    while ip < in_end:
        lit += 1
        out.append(data[ip])
        ip += 1
        if lit == _MAX_LIT:
            out[-lit - 1] = lit - 1
            lit = 0
            out.append(0)
    out[-lit - 1] = lit - 1 & 0xFF
    if not lit:
        del out[-1]
    return bytes(out)


def decompress(data: bytes, size: int) -> bytes:
    """The ``size`` bytes that ``data`` expands to; :class:`LzfError` if it does not."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        ctrl = data[i]
        i += 1
        if ctrl < 32:
            end = i + ctrl + 1
            if end > n:
                raise LzfError("LZF literal run past the end")
            out += data[i:end]
            i = end
            continue
        length = ctrl >> 5
        if length == 7:
            if i >= n:
                raise LzfError("LZF reference cut short")
            length += data[i]
            i += 1
        if i >= n:
            raise LzfError("LZF reference cut short")
        ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
        i += 1
        if ref < 0:
            raise LzfError("LZF back reference before the start")
        length += 2
        if ref + length <= len(out):
            out += out[ref : ref + length]
        else:
            for _ in range(length):
                out.append(out[ref])
                ref += 1
        if len(out) > size:
            raise LzfError("LZF data longer than announced")
    if len(out) != size:
        raise LzfError("LZF data has the wrong length")
    return bytes(out)
