"""redis's CRC-64: the Jones polynomial, reflected, initial value 0, no final xor
(``crc64(b"123456789") == 0xE9C6D914C4B8D9CA``), used by RDB files and DUMP payloads.

Pure Python, table driven (about 3 MB/s): callers with large inputs may choose to
write a checksum of 0, which every redis loader reads as "not computed".
"""

from __future__ import annotations

_POLY = 0x95AC9329AC4BC9B5
"""0xad93d23594c935a9 (Jones) bit-reversed."""


def _table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _table()


def crc64(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """The CRC-64 of ``data``, continuing from ``crc`` (0 to start)."""
    table = _TABLE
    for byte in bytes(data):
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc
