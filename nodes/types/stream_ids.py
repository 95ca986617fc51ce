"""Stream IDs: ``<ms>-<seq>``, two unsigned 64-bit numbers, held as one 128-bit ``int``
(``ms << 64 | seq``) so that comparing IDs is comparing ints and the rax key redis uses
(128-bit big endian) is ``id.to_bytes(16, "big")``.

Parsing follows redis 7.0's ``streamGenericParseIDOrReply``: ``-`` and ``+`` (unless
strict), ``<ms>`` alone (the sequence is filled in), ``<ms>-<seq>``, and for XADD
``<ms>-*``; each number as ``string2ull`` reads it. Anything else is
``Invalid stream ID specified as stream command argument``.
"""

from __future__ import annotations

from typing import Final

from nodes.errors import CommandError
from nodes.resp.parser import string2ll

MASK64: Final = (1 << 64) - 1
MIN_ID: Final = 0
MAX_ID: Final = (1 << 128) - 1
_C_SPACE = b" \t\n\v\f\r"


class InvalidStreamId(CommandError):
    def __init__(self) -> None:
        super().__init__("Invalid stream ID specified as stream command argument")


def make(ms: int, seq: int) -> int:
    return (ms << 64) | seq


def ms_of(stream_id: int) -> int:
    return stream_id >> 64


def seq_of(stream_id: int) -> int:
    return stream_id & MASK64


def text(stream_id: int) -> bytes:
    """``<ms>-<seq>`` as redis replies it."""
    return b"%d-%d" % (stream_id >> 64, stream_id & MASK64)


def string2ull(arg: bytes) -> int | None:
    """redis's ``string2ull``: the strict integer syntax, else what ``strtoull`` takes in
    full (leading spaces, a sign; a minus negates modulo 2**64), else ``None``."""
    value = string2ll(arg)
    if value is not None:
        return value if value >= 0 else None
    body = arg.lstrip(_C_SPACE)
    negative = False
    if body[:1] in (b"+", b"-"):
        negative = body[:1] == b"-"
        body = body[1:]
    if not body or not body.isdigit() or not body.isascii():
        return None
    number = int(body)
    if number > MASK64:
        return None
    return (-number) & MASK64 if negative else number


def parse(
    arg: bytes, missing_seq: int = 0, *, strict: bool = False, allow_auto_seq: bool = False
) -> tuple[int, bool]:
    """(the ID, whether the sequence was given). ``allow_auto_seq``: ``<ms>-*`` is
    accepted (the sequence is then not given). ``strict``: ``-`` and ``+`` refused."""
    nul = arg.find(b"\0")
    if nul >= 0:
        arg = arg[:nul]
    if len(arg) > 127:
        raise InvalidStreamId()
    if arg == b"-":
        if strict:
            raise InvalidStreamId()
        return MIN_ID, True
    if arg == b"+":
        if strict:
            raise InvalidStreamId()
        return MAX_ID, True
    head, dash, tail = arg.partition(b"-")
    ms = string2ull(head)
    if ms is None:
        raise InvalidStreamId()
    if not dash:
        return make(ms, missing_seq), True
    if allow_auto_seq and tail == b"*":
        return make(ms, 0), False
    seq = string2ull(tail)
    if seq is None:
        raise InvalidStreamId()
    return make(ms, seq), True


def parse_strict(arg: bytes, missing_seq: int = 0) -> int:
    return parse(arg, missing_seq, strict=True)[0]


def parse_loose(arg: bytes, missing_seq: int = 0) -> int:
    return parse(arg, missing_seq)[0]


def parse_interval(arg: bytes, missing_seq: int) -> tuple[int, bool]:
    """An XRANGE/XPENDING bound: (ID, exclusive) where ``(`` prefixes an exclusive
    (then strict) ID."""
    if len(arg) > 1 and arg[:1] == b"(":
        return parse(arg[1:], missing_seq, strict=True)[0], True
    return parse(arg, missing_seq)[0], False


def start_bound(arg: bytes) -> int:
    """A range start: incomplete IDs take sequence 0; ``(`` moves to the next ID."""
    stream_id, exclusive = parse_interval(arg, 0)
    if exclusive:
        if stream_id == MAX_ID:
            raise CommandError("invalid start ID for the interval")
        stream_id += 1
    return stream_id


def end_bound(arg: bytes) -> int:
    """A range end: incomplete IDs take the largest sequence; ``(`` moves to the
    previous ID."""
    stream_id, exclusive = parse_interval(arg, MASK64)
    if exclusive:
        if stream_id == MIN_ID:
            raise CommandError("invalid end ID for the interval")
        stream_id -= 1
    return stream_id
