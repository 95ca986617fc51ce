"""HSCAN, SSCAN and ZSCAN's shared parts: the cursor, the MATCH/COUNT options, and one
step over a collection.

A collection redis keeps compact (listpack hash or sorted set, intset) is returned whole
in one call with cursor 0, exactly like redis. A large one is walked in the order of
its elements' CRC32, the cursor being the hash to resume from: every element present
for the whole iteration is returned at least once, as SCAN guarantees (redis's own
order is its hash table's, which depends on a per-process seed).
"""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from nodes.commands.args import parse_int
from nodes.errors import CommandError, SyntaxErr
from nodes.pattern import matches

_ULONG_MAX = 2**64 - 1


def parse_cursor(arg: bytes) -> int:
    """A cursor as redis's strtoul reads it; ``invalid cursor`` otherwise."""
    if arg[:1].isspace():
        raise CommandError("invalid cursor")
    body = arg[1:] if arg[:1] in (b"+", b"-") else arg
    if body and not body.isdigit():
        raise CommandError("invalid cursor")
    if arg[:1] in (b"+", b"-") and not body:
        raise CommandError("invalid cursor")
    value = int(body) if body else 0
    if value > _ULONG_MAX:
        raise CommandError("invalid cursor")
    return (-value) % 2**64 if arg[:1] == b"-" else value


@dataclass(frozen=True, slots=True)
class ScanOptions:
    count: int
    pattern: bytes | None


def parse_options(argv: Sequence[bytes], start: int) -> ScanOptions:
    """COUNT n (at least 1) and MATCH pattern, in any order, from ``argv[start:]``."""
    count, pattern = 10, None
    i = start
    while i < len(argv):
        word = argv[i].lower()
        if word == b"count" and len(argv) - i >= 2:
            count = parse_int(argv[i + 1])
            if count < 1:
                raise SyntaxErr()
        elif word == b"match" and len(argv) - i >= 2:
            pattern = None if argv[i + 1] == b"*" else argv[i + 1]
        else:
            raise SyntaxErr()
        i += 2
    return ScanOptions(count, pattern)


def scan_step(elements: Sequence[bytes], cursor: int, count: int) -> tuple[int, list[bytes]]:
    """About ``count`` elements from ``cursor`` in CRC32 order, and the next cursor."""
    ordered = sorted((zlib.crc32(e), e) for e in elements)
    i = bisect.bisect_left(ordered, (cursor, b""))
    end = min(i + count, len(ordered))
    while end < len(ordered) and end > i and ordered[end][0] == ordered[end - 1][0]:
        end += 1
    found = [e for _, e in ordered[i:end]]
    return (0 if end >= len(ordered) else ordered[end][0]), found


def keep(pattern: bytes | None, element: bytes) -> bool:
    return pattern is None or matches(pattern, element)
