"""Key positions of commands that say how many keys follow (``numkeys``): LMPOP, ZMPOP,
SINTERCARD, ZUNION/ZINTER/ZDIFF and their STORE forms, as redis's ``genericGetKeys``
finds them (``atoi`` of the count; no keys at all when the count is out of range)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nodes.commands.registry import GetKeys

_ATOI = re.compile(rb"[ \t\n\v\f\r]*([+-]?[0-9]+)")


def atoi(arg: bytes) -> int:
    """C's ``atoi``: leading white space, a sign, digits; 0 when there are none."""
    m = _ATOI.match(arg)
    if m is None:
        return 0
    value = int(m.group(1))
    return value if -(2**31) <= value < 2**31 else -1


def numkeys_getkeys(count_at: int, first_at: int, store_at: int = 0) -> GetKeys:
    """``argv -> key positions`` for ``numkeys`` at ``count_at``, the keys from
    ``first_at``, and a destination key at ``store_at`` (0: none)."""

    def keys(argv: Sequence[bytes]) -> list[int]:
        if count_at >= len(argv):
            return []
        num = atoi(argv[count_at])
        if num < 1 or num > len(argv) - first_at:
            return []
        found = list(range(first_at, first_at + num))
        return [store_at, *found] if store_at else found  # key-spec order: destination first

    return keys
