"""The arguments of LMPOP, ZMPOP, BLMPOP and BZMPOP: ``numkeys key... <end> [COUNT n]``.

One parser for the four (redis's ``lmpopGenericCommand`` / ``zmpopGenericCommand``
order of checks): ``numkeys`` (1 .. LONG_MAX, else ``numkeys should be greater than
0``), then the end word right after the keys (a missing or unknown one is a syntax
error), then at most one ``COUNT n`` (1 .. LONG_MAX, else ``count should be greater
than 0``); anything else is a syntax error. The blocking forms have their timeout
first, so their ``numkeys`` is one further; their timeout is parsed after this.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodes.commands.keynum import numkeys_getkeys
from nodes.commands.registry import GetKeys, KeySpec
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.parser import string2ll

LIST_ENDS = (b"left", b"right")
ZSET_ENDS = (b"min", b"max")


@dataclass(frozen=True, slots=True)
class MpopArgs:
    """What to pop: from the first non-empty of ``keys``; ``first_end`` is True for the
    first of the two end words (LEFT, MIN); ``count`` is 1 without COUNT."""

    keys: list[bytes]
    first_end: bool
    count: int


def parse_count_range(arg: bytes, message: str) -> int:
    """A number from 1 to LONG_MAX, else ``message`` (not a number included), as
    redis's ``getRangeLongFromObjectOrReply`` with a message."""
    value = string2ll(arg)
    if value is None or value < 1:
        raise CommandError(message)
    return value


def parse_mpop(argv: list[bytes], numkeys_at: int, ends: tuple[bytes, bytes]) -> MpopArgs:
    """Parse ``argv`` whose ``numkeys`` is at ``numkeys_at`` (1 for LMPOP/ZMPOP, 2 for
    BLMPOP/BZMPOP); ``ends`` is :data:`LIST_ENDS` or :data:`ZSET_ENDS`."""
    numkeys = parse_count_range(argv[numkeys_at], "numkeys should be greater than 0")
    where_at = numkeys_at + numkeys + 1
    if where_at >= len(argv):
        raise SyntaxErr()
    end = argv[where_at].lower()
    if end not in ends:
        raise SyntaxErr()
    count = -1
    i = where_at + 1
    while i < len(argv):
        if count == -1 and argv[i].lower() == b"count" and i + 1 < len(argv):
            count = parse_count_range(argv[i + 1], "count should be greater than 0")
            i += 2
        else:
            raise SyntaxErr()
    return MpopArgs(argv[numkeys_at + 1 : where_at], end == ends[0], 1 if count == -1 else count)


def mpop_getkeys(numkeys_at: int) -> GetKeys:
    """COMMAND GETKEYS of an MPOP form: the ``numkeys`` keys after ``numkeys_at``."""
    return numkeys_getkeys(numkeys_at, numkeys_at + 1)


def mpop_key_specs(numkeys_at: int) -> tuple[KeySpec, ...]:
    """The key spec redis declares for an MPOP form (``keynum`` at ``numkeys_at``)."""
    return (KeySpec(("RW", "access", "delete"), begin_index=numkeys_at, keynum=(0, 1, 1)),)
