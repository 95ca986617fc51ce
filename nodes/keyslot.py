"""Key -> hash slot mapping of Redis Cluster: CRC16-XMODEM(key) mod 16384, with hash tags."""

from __future__ import annotations

HASH_SLOTS = 16384


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


_TABLE = _make_table()


def crc16(data: bytes) -> int:
    """CRC16-XMODEM (polynomial 0x1021, initial value 0) of ``data``."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc


def hash_tag(key: bytes) -> bytes:
    """The part of ``key`` that is hashed: the first ``{...}`` with at least one byte inside,
    or the whole key."""
    start = key.find(b"{")
    if start != -1:
        end = key.find(b"}", start + 1)
        if end > start + 1:
            return key[start + 1 : end]
    return key


def keyslot(key: bytes | str) -> int:
    """The hash slot (0..16383) of ``key``; a str is encoded as UTF-8."""
    if isinstance(key, str):
        key = key.encode()
    return crc16(hash_tag(key)) % HASH_SLOTS
