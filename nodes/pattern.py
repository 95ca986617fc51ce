"""Redis glob patterns (``stringmatchlen``): ``*``, ``?``, ``[abc]``, ``[^a-z]``, ``\\x``."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def compile_pattern(pattern: bytes, nocase: bool = False) -> re.Pattern[bytes]:
    out = bytearray()
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i : i + 1]
        if c == b"*":
            out += b".*"
        elif c == b"?":
            out += b"."
        elif c == b"\\" and i + 1 < n:
            i += 1
            out += re.escape(pattern[i : i + 1])
        elif c == b"[":
            i += 1
            negate = i < n and pattern[i : i + 1] == b"^"
            if negate:
                i += 1
            items = bytearray()
            while i < n and pattern[i : i + 1] != b"]":
                if pattern[i : i + 1] == b"\\" and i + 1 < n:
                    i += 1
                    items += re.escape(pattern[i : i + 1])
                elif (
                    i + 2 < n and pattern[i + 1 : i + 2] == b"-" and pattern[i + 2 : i + 3] != b"]"
                ):
                    lo, hi = sorted((pattern[i], pattern[i + 2]))
                    items += re.escape(bytes([lo])) + b"-" + re.escape(bytes([hi]))
                    i += 2
                else:
                    items += re.escape(pattern[i : i + 1])
                i += 1
            if not items:
                out += b"[^\\s\\S]" if not negate else b"[\\s\\S]"
            else:
                out += b"[" + (b"^" if negate else b"") + bytes(items) + b"]"
        else:
            out += re.escape(c)
        i += 1
    flags = re.DOTALL | (re.IGNORECASE if nocase else 0)
    return re.compile(bytes(out), flags)


def matches(pattern: bytes, text: bytes, nocase: bool = False) -> bool:
    if pattern == b"*":
        return True
    return compile_pattern(pattern, nocase).fullmatch(text) is not None
