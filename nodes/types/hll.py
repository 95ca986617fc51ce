"""HyperLogLog values in redis's own representation, so that the bytes are the same.

A HyperLogLog is a string: the 16-byte header ``HYLL``, the encoding (0 dense, 1
sparse), three unused bytes and the cached cardinality (8 bytes little endian; the top
bit of the last byte set means "stale"), then 16384 six-bit registers.

* dense: the registers packed little-endian-first into 12288 bytes;
* sparse: run-length opcodes, ``00xxxxxx`` (1..64 zero registers), ``01xxxxxx yyyyyyyy``
  (1..16384 zero registers), ``1vvvvvxx`` (1..4 registers of value 1..32).

Elements are hashed with MurmurHash64A (seed ``0xadc83b19``): the low 14 bits pick the
register, the position of the lowest set bit of the rest (plus one) is the count. The
sparse updates, their merging of neighbouring opcodes and the promotion to dense (a count
above 32, or a value above ``hll-sparse-max-bytes``) follow redis's ``hllSparseSet`` step
by step, which is what makes the bytes identical. The estimate is redis 7.0's (Ertl's
improved estimator, in double precision like redis).
"""

from __future__ import annotations

import math

HEADER_SIZE = 16
P = 14
Q = 64 - P
REGISTERS = 1 << P
BITS = 6
REGISTER_MAX = (1 << BITS) - 1
DENSE_SIZE = HEADER_SIZE + (REGISTERS * BITS + 7) // 8
DENSE, SPARSE = 0, 1
SPARSE_VAL_MAX_VALUE = 32
SPARSE_VAL_MAX_LEN = 4
SPARSE_ZERO_MAX_LEN = 64
SPARSE_XZERO_MAX_LEN = 16384
ALPHA_INF = 0.721347520444481703680
_MASK64 = (1 << 64) - 1
_M = 0xC6A4A7935BD1E995


class InvalidHll(Exception):
    """The value is a string but not a well-formed HyperLogLog."""


def murmurhash64a(data: bytes, seed: int = 0xADC83B19) -> int:
    """MurmurHash64A exactly as redis computes it (little-endian 8-byte blocks)."""
    n = len(data)
    h = (seed ^ (n * _M)) & _MASK64
    whole = n - (n & 7)
    for i in range(0, whole, 8):
        k = int.from_bytes(data[i : i + 8], "little")
        k = (k * _M) & _MASK64
        k ^= k >> 47
        k = (k * _M) & _MASK64
        h ^= k
        h = (h * _M) & _MASK64
    rest = n & 7
    if rest:
        h ^= int.from_bytes(data[whole:], "little")
        h = (h * _M) & _MASK64
    h ^= h >> 47
    h = (h * _M) & _MASK64
    h ^= h >> 47
    return h


def pattern(element: bytes) -> tuple[int, int]:
    """(register index, count) for ``element``."""
    h = murmurhash64a(element)
    index = h & (REGISTERS - 1)
    h >>= P
    h |= 1 << Q
    return index, (h & -h).bit_length()


def new_sparse() -> bytearray:
    """An empty HyperLogLog (sparse: one XZERO opcode per 16384 registers)."""
    buf = bytearray(b"HYLL" + bytes([SPARSE]) + bytes(11))
    left = REGISTERS
    while left:
        run = min(left, SPARSE_XZERO_MAX_LEN) - 1
        buf += bytes([0x40 | (run >> 8), run & 0xFF])
        left -= run + 1
    return buf


def check(value: bytes) -> None:
    """:class:`InvalidHll` unless ``value`` looks like a HyperLogLog (redis's test)."""
    if len(value) < HEADER_SIZE or value[:4] != b"HYLL" or value[4] > SPARSE:
        raise InvalidHll()
    if value[4] == DENSE and len(value) != DENSE_SIZE:
        raise InvalidHll()


def invalidate_cache(buf: bytearray) -> None:
    buf[15] |= 0x80


def cached_count(buf: bytes | bytearray) -> int | None:
    if buf[15] & 0x80:
        return None
    return int.from_bytes(buf[8:16], "little")


def store_count(buf: bytearray, card: int) -> None:
    buf[8:16] = card.to_bytes(8, "little")


# ---- dense registers -----------------------------------------------------------------
def dense_get(buf: bytes | bytearray, index: int) -> int:
    pos = HEADER_SIZE + index * BITS // 8
    shift = index * BITS & 7
    b0 = buf[pos]
    b1 = buf[pos + 1] if pos + 1 < len(buf) else 0
    return ((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX


def dense_put(buf: bytearray, index: int, value: int) -> None:
    pos = HEADER_SIZE + index * BITS // 8
    shift = index * BITS & 7
    buf[pos] = (buf[pos] & ~(REGISTER_MAX << shift) & 0xFF) | ((value << shift) & 0xFF)
    if pos + 1 < len(buf):
        keep = ~(REGISTER_MAX >> (8 - shift)) & 0xFF
        buf[pos + 1] = (buf[pos + 1] & keep) | (value >> (8 - shift))


def dense_set(buf: bytearray, index: int, count: int) -> int:
    if count > dense_get(buf, index):
        dense_put(buf, index, count)
        return 1
    return 0


# ---- sparse opcodes ------------------------------------------------------------------
def _is_zero(op: int) -> bool:
    return op & 0xC0 == 0


def _is_xzero(op: int) -> bool:
    return op & 0xC0 == 0x40


def _val(value: int, run: int) -> int:
    return ((value - 1) << 2 | (run - 1)) | 0x80


def _zero_run(run: int) -> bytes:
    if run > SPARSE_ZERO_MAX_LEN:
        return bytes([0x40 | ((run - 1) >> 8), (run - 1) & 0xFF])
    return bytes([run - 1])


def sparse_runs(buf: bytes | bytearray) -> list[tuple[int, int]]:
    """The sparse opcodes as (value, run length) pairs (value 0 for zero runs)."""
    out: list[tuple[int, int]] = []
    p = HEADER_SIZE
    while p < len(buf):
        op = buf[p]
        if _is_zero(op):
            out.append((0, (op & 0x3F) + 1))
            p += 1
        elif _is_xzero(op):
            out.append((0, (((op & 0x3F) << 8) | buf[p + 1]) + 1 if p + 1 < len(buf) else 1))
            p += 2
        else:
            out.append((((op >> 2) & 0x1F) + 1, (op & 3) + 1))
            p += 1
    return out


def sparse_to_dense(buf: bytearray) -> None:
    """Convert in place (a no-op for a dense value); :class:`InvalidHll` if the opcodes
    do not cover exactly 16384 registers."""
    if buf[4] == DENSE:
        return
    dense = bytearray(buf[:HEADER_SIZE]) + bytearray(DENSE_SIZE - HEADER_SIZE)
    dense[4] = DENSE
    index = 0
    for value, run in sparse_runs(buf):
        if value:
            if index + run > REGISTERS:
                break
            for i in range(index, index + run):
                dense_put(dense, i, value)
        index += run
    if index != REGISTERS:
        raise InvalidHll()
    buf[:] = dense


def sparse_set(buf: bytearray, index: int, count: int, max_bytes: int) -> int:
    """Raise register ``index`` to ``count`` in a sparse value (redis's hllSparseSet):
    1 when it changed, 0 when it was already as high; the value may become dense."""
    if count > SPARSE_VAL_MAX_VALUE:
        return _promote(buf, index, count)
    end = len(buf)
    p = HEADER_SIZE
    first = span = 0
    prev: int | None = None
    while p < end:
        op = buf[p]
        oplen = 1
        if _is_zero(op):
            span = (op & 0x3F) + 1
        elif op & 0x80:
            span = (op & 3) + 1
        else:
            span = (((op & 0x3F) << 8) | buf[p + 1]) + 1
            oplen = 2
        if index <= first + span - 1:
            break
        prev = p
        p += oplen
        first += span
    if span == 0 or p >= end:
        raise InvalidHll()
    op = buf[p]
    is_xzero, is_zero, is_val = _is_xzero(op), _is_zero(op), bool(op & 0x80)
    if is_val:
        old = ((op >> 2) & 0x1F) + 1
        if old >= count:
            return 0
        if (op & 3) == 0:
            buf[p] = _val(count, 1)
            _merge_values(buf, prev)
            return 1
    if is_zero and (op & 0x3F) == 0:
        buf[p] = _val(count, 1)
        _merge_values(buf, prev)
        return 1
    last = first + span - 1
    seq = bytearray()
    if is_zero or is_xzero:
        if index != first:
            seq += _zero_run(index - first)
        seq.append(_val(count, 1))
        if index != last:
            seq += _zero_run(last - index)
    else:
        current = ((op >> 2) & 0x1F) + 1
        if index != first:
            seq.append(_val(current, index - first))
        seq.append(_val(count, 1))
        if index != last:
            seq.append(_val(current, last - index))
    oldlen = 2 if is_xzero else 1
    if len(seq) - oldlen > 0 and len(buf) + len(seq) - oldlen > max_bytes:
        return _promote(buf, index, count)
    buf[p : p + oldlen] = seq
    _merge_values(buf, prev)
    return 1


def _merge_values(buf: bytearray, prev: int | None) -> None:
    """Merge neighbouring VAL opcodes of equal value, scanning up to five opcodes from
    the one before the change (redis's step after every sparse update)."""
    p = prev if prev is not None else HEADER_SIZE
    scan = 5
    while p < len(buf) and scan:
        scan -= 1
        op = buf[p]
        if _is_xzero(op):
            p += 2
            continue
        if _is_zero(op):
            p += 1
            continue
        if p + 1 < len(buf) and buf[p + 1] & 0x80:
            v1, v2 = ((op >> 2) & 0x1F) + 1, ((buf[p + 1] >> 2) & 0x1F) + 1
            if v1 == v2:
                run = (op & 3) + 1 + (buf[p + 1] & 3) + 1
                if run <= SPARSE_VAL_MAX_LEN:
                    buf[p + 1] = _val(v1, run)
                    del buf[p]
                    continue
        p += 1
    invalidate_cache(buf)


def _promote(buf: bytearray, index: int, count: int) -> int:
    sparse_to_dense(buf)
    return dense_set(buf, index, count)


def add(buf: bytearray, element: bytes, max_bytes: int) -> int:
    """Add ``element``: 1 if a register changed."""
    index, count = pattern(element)
    if buf[4] == DENSE:
        return dense_set(buf, index, count)
    return sparse_set(buf, index, count, max_bytes)


# ---- registers as a whole, and the estimate ------------------------------------------
def registers(buf: bytes | bytearray) -> list[int]:
    """All 16384 register values; :class:`InvalidHll` for a broken sparse value."""
    if buf[4] == DENSE:
        return [dense_get(buf, i) for i in range(REGISTERS)]
    out: list[int] = []
    for value, run in sparse_runs(buf):
        if len(out) + run > REGISTERS and value:
            break
        out.extend([value] * run)
    if len(out) != REGISTERS:
        raise InvalidHll()
    return out


def merge_into(maximum: list[int], buf: bytes | bytearray) -> None:
    for i, value in enumerate(registers(buf)):
        maximum[i] = max(maximum[i], value)


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        z_prime = z
        z += x * y
        y += y
        if z_prime == z:
            return z


def _tau(x: float) -> float:
    if x in (0.0, 1.0):
        return 0.0
    y, z = 1.0, 1 - x
    while True:
        x = math.sqrt(x)
        z_prime = z
        y *= 0.5
        z -= math.pow(1 - x, 2) * y
        if z_prime == z:
            return z / 3


def estimate(values: list[int]) -> int:
    """Redis 7.0's ``hllCount`` for these register values."""
    histogram = [0] * 64
    for value in values:
        histogram[value] += 1
    m = float(REGISTERS)
    z = m * _tau((m - histogram[Q + 1]) / m)
    for j in range(Q, 0, -1):
        z += histogram[j]
        z *= 0.5
    z += m * _sigma(histogram[0] / m)
    e = ALPHA_INF * m * m / z
    whole = math.floor(e)
    return int(whole + (1 if e - whole >= 0.5 else 0))
