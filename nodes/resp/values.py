"""Reply values that command handlers return; encoded per connection for RESP2 or RESP3.

Plain Python values stand for the common RESP types so the hot path allocates nothing:

===================  ======================  ==============================
handler returns      RESP3                   RESP2
===================  ======================  ==============================
``bytes``            bulk string ``$``       bulk string
``int``              integer ``:``           integer
``bool``             boolean ``#``           integer 1/0
``float``            double ``,``            bulk string (redis formatting)
``None``             null ``_``              null bulk ``$-1``
``NULL_ARRAY``       null ``_``              null array ``*-1``
``list``             array ``*``             array
``dict``             map ``%``               flat array k1 v1 k2 v2
:class:`Simple`      simple string ``+``     simple string
:class:`Error`       error ``-``             error
:class:`SetReply`    set ``~``               array
:class:`Verbatim`    verbatim ``=``          bulk string (text only)
:class:`Push`        push ``>``              array
:class:`Raw`         the given bytes         the given bytes
===================  ======================  ==============================

Handlers normally *raise* :class:`nodes.errors.NodeError` instead of returning
:class:`Error`; :class:`Error` exists for replies nested in arrays (EXEC results).
A handler that must wait without blocking the server returns :class:`Blocked`.
"""

from __future__ import annotations

import asyncio
from typing import Final, Union


class Simple:
    """A simple string (``+OK``); ``wire`` is its pre-encoded form (same in both protocols)."""

    __slots__ = ("text", "wire")

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.wire = b"+" + text + b"\r\n"

    def __repr__(self) -> str:
        return f"Simple({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Simple) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class Error:
    """An error reply value (``text`` without ``-`` and CRLF), e.g. inside an EXEC array."""

    __slots__ = ("text", "wire")

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.wire = b"-" + text + b"\r\n"

    def __repr__(self) -> str:
        return f"Error({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Error) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class Raw:
    """Pre-encoded bytes sent as they are (for constant replies on hot paths)."""

    __slots__ = ("wire",)

    def __init__(self, wire: bytes) -> None:
        self.wire = wire


class _NullArray:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL_ARRAY"


NULL_ARRAY: Final = _NullArray()


class SetReply:
    """A RESP3 set (``~``); a plain array in RESP2."""

    __slots__ = ("items",)

    def __init__(self, items: list[Reply]) -> None:
        self.items = items


class Verbatim:
    """A RESP3 verbatim string (``=``, format ``txt``/``mkd``); a bulk string in RESP2."""

    __slots__ = ("fmt", "text")

    def __init__(self, text: bytes, fmt: bytes = b"txt") -> None:
        self.fmt = fmt
        self.text = text


class Push:
    """A RESP3 out-of-band push (``>``); an array in RESP2."""

    __slots__ = ("items",)

    def __init__(self, items: list[Reply]) -> None:
        self.items = items


class Blocked:
    """Returned by a handler that waits (e.g. WAIT): the client's connection stops
    processing its further commands until ``future`` resolves to the real reply; other
    clients are served meanwhile. A handler that fails later sets the future's result to
    an :class:`Error` value."""

    __slots__ = ("future",)

    def __init__(self, future: asyncio.Future[Reply]) -> None:
        self.future = future


Reply = Union[
    bytes,
    int,
    float,
    None,
    Simple,
    Error,
    Raw,
    _NullArray,
    SetReply,
    Verbatim,
    Push,
    "list[Reply]",
    "dict[bytes, Reply]",
]

NO_REPLY: Final = Raw(b"")
"""Send nothing (SHUTDOWN closes the connection without a reply, as redis does)."""
OK: Final = Simple(b"OK")
PONG: Final = Simple(b"PONG")
QUEUED: Final = Simple(b"QUEUED")
