"""Encode reply values (:mod:`nodes.resp.values`) to RESP2 or RESP3 bytes."""

from __future__ import annotations

import math

from nodes.resp.values import (
    NULL_ARRAY,
    Error,
    Push,
    Raw,
    Reply,
    SetReply,
    Simple,
    Verbatim,
)

_NULL2 = b"$-1\r\n"
_NULL_ARRAY2 = b"*-1\r\n"
_NULL3 = b"_\r\n"
_INT_CACHE = tuple(b":%d\r\n" % i for i in range(-1, 1024))
_BULK_LEN_CACHE = tuple(b"$%d\r\n" % i for i in range(1024))


def format_double(value: float) -> bytes:
    """A double the way redis-server 7.0 prints it (``%.17g``; ``inf``, ``-inf``, ``nan``)."""
    if math.isinf(value):
        return b"inf" if value > 0 else b"-inf"
    if math.isnan(value):
        return b"nan"
    return b"%.17g" % value


def encode(reply: Reply, resp3: bool = False) -> bytes:
    """The wire bytes of one reply."""
    out: list[bytes] = []
    encode_into(out, reply, resp3)
    return b"".join(out)


def encode_into(out: list[bytes], reply: Reply, resp3: bool) -> None:
    """Append the wire form of ``reply`` to ``out`` (pieces; join once per write)."""
    kind = type(reply)
    if kind is bytes:
        assert isinstance(reply, bytes)
        n = len(reply)
        out.append(_BULK_LEN_CACHE[n] if n < 1024 else b"$%d\r\n" % n)
        out.append(reply)
        out.append(b"\r\n")
    elif kind is Simple or kind is Error or kind is Raw:
        out.append(reply.wire)  # type: ignore[union-attr]
    elif reply is None:
        out.append(_NULL3 if resp3 else _NULL2)
    elif kind is int:
        assert isinstance(reply, int)
        out.append(_INT_CACHE[reply + 1] if -1 <= reply < 1023 else b":%d\r\n" % reply)
    elif kind is list:
        assert isinstance(reply, list)
        out.append(b"*%d\r\n" % len(reply))
        for item in reply:
            encode_into(out, item, resp3)
    elif kind is dict:
        assert isinstance(reply, dict)
        out.append((b"%%%d\r\n" if resp3 else b"*%d\r\n") % (len(reply) * (1 if resp3 else 2)))
        for key, value in reply.items():
            encode_into(out, key, resp3)
            encode_into(out, value, resp3)
    elif kind is bool:
        if resp3:
            out.append(b"#t\r\n" if reply else b"#f\r\n")
        else:
            out.append(b":1\r\n" if reply else b":0\r\n")
    elif kind is float:
        assert isinstance(reply, float)
        text = format_double(reply)
        if resp3:
            out.append(b"," + text + b"\r\n")
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(text), text))
    elif reply is NULL_ARRAY:
        out.append(_NULL3 if resp3 else _NULL_ARRAY2)
    elif kind is SetReply or kind is Push:
        assert isinstance(reply, SetReply | Push)
        if resp3:
            out.append((b"~%d\r\n" if kind is SetReply else b">%d\r\n") % len(reply.items))
        else:
            out.append(b"*%d\r\n" % len(reply.items))
        for item in reply.items:
            encode_into(out, item, resp3)
    elif kind is Verbatim:
        assert isinstance(reply, Verbatim)
        if resp3:
            out.append(b"=%d\r\n%s:%s\r\n" % (len(reply.text) + 4, reply.fmt, reply.text))
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(reply.text), reply.text))
    else:
        raise TypeError(f"not a reply value: {reply!r}")
