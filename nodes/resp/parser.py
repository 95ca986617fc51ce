"""Incremental parser of client requests: RESP multibulk and inline commands.

Behaves like redis-server 7.0's ``processMultibulkBuffer``/``processInlineBuffer``:
the same limits (64 KiB for an inline request or a length line, ``proto-max-bulk-len``
for a bulk) and the same ``Protocol error: ...`` texts. Incomplete input is the normal
case: :meth:`RequestParser.gets` returns ``None`` and keeps its state, so a request
split across many reads is parsed in linear time.
"""

from __future__ import annotations

import re
from typing import Final

from nodes.errors import ProtocolError

INLINE_MAX_SIZE: Final = 64 * 1024
INT_MAX: Final = 2**31 - 1
_LL_MIN: Final = -(2**63)
_LL_MAX: Final = 2**63 - 1
_STRICT_INT = re.compile(rb"-?[1-9][0-9]{0,19}|0")
_SMALL: Final = {str(i).encode(): i for i in range(10000)}
_CR: Final = 13
_STAR: Final = 42
_DOLLAR: Final = 36


def string2ll(text: bytes) -> int | None:
    """Redis's strict integer syntax (no sign ``+``, no leading zeros, no spaces, 64-bit),
    or ``None``."""
    small = _SMALL.get(text)
    if small is not None:
        return small
    if _STRICT_INT.fullmatch(text) is None:
        return None
    value = int(text)
    if value < _LL_MIN or value > _LL_MAX:
        return None
    return value


def _find_line_end(buf: bytes, end: bytes, pos: int) -> int:
    """Where ``end`` is, as redis's ``strchr`` sees it: a NUL byte before it hides it (the
    request then waits for more input, up to the 64 KiB limit)."""
    found = buf.find(end, pos)
    if found > 0 and buf.find(b"\0", pos, found) >= 0:
        return -1
    return found


class RequestParser:
    """Feed bytes with :meth:`feed`; take complete commands with :meth:`gets`.

    ``gets`` raises :class:`ProtocolError` on malformed input; the commands returned
    before the error stay valid and the connection must be closed after the error reply.
    """

    __slots__ = (
        "_args",
        "_buf",
        "_bulk",
        "_chunk_bytes",
        "_chunks",
        "_left",
        "_need",
        "_pos",
        "auth_required",
        "max_bulk_len",
    )

    def __init__(self, max_bulk_len: int = 512 * 1024 * 1024) -> None:
        self._buf = b""
        self._pos = 0
        self._chunks: list[bytes] = []
        self._chunk_bytes = 0
        self._need = 0
        self._args: list[bytes] = []
        self._left = 0
        self._bulk = -1
        self.max_bulk_len = max_bulk_len
        self.auth_required = False

    def feed(self, data: bytes) -> None:
        if self._need:
            self._chunks.append(data)
            self._chunk_bytes += len(data)
            if len(self._buf) - self._pos + self._chunk_bytes < self._need:
                return
            self._buf = self._buf[self._pos :] + b"".join(self._chunks)
            self._chunks = []
            self._chunk_bytes = 0
            self._need = 0
        elif self._pos >= len(self._buf):
            self._buf = data
        else:
            self._buf = self._buf[self._pos :] + data
        self._pos = 0

    def idle(self) -> bool:
        """No partial command and no unconsumed input."""
        return self._left == 0 and self._pos >= len(self._buf) and not self._chunks

    def buffered(self) -> int:
        """Bytes received and not yet consumed (the query buffer's length)."""
        return len(self._buf) - self._pos + self._chunk_bytes

    def gets(self) -> list[bytes] | None:
        """The next complete command's arguments, or ``None`` when more input is needed."""
        buf = self._buf
        n = len(buf)
        while self._left == 0:
            pos = self._pos
            if self._need or pos >= n:
                return None
            if buf[pos] != _STAR:
                args = self._inline()
                if args is None:
                    return None
                if args:
                    return args
                continue
            nl = _find_line_end(buf, b"\r", pos)
            if nl < 0:
                if n - pos > INLINE_MAX_SIZE:
                    raise ProtocolError("too big mbulk count string")
                return None
            if nl >= n - 1:
                return None
            count = string2ll(buf[pos + 1 : nl])
            if count is None or count > INT_MAX:
                raise ProtocolError("invalid multibulk length")
            if count > 10 and self.auth_required:
                raise ProtocolError("unauthenticated multibulk length")
            self._pos = nl + 2
            if count > 0:
                self._left = count
                self._args = []
        pos = self._pos
        args = self._args
        while self._left:
            if self._bulk < 0:
                if pos >= n:
                    break
                nl = _find_line_end(buf, b"\r", pos)
                if nl < 0:
                    if n - pos > INLINE_MAX_SIZE:
                        self._pos = pos
                        raise ProtocolError("too big bulk count string")
                    break
                if nl >= n - 1:
                    break
                if buf[pos] != _DOLLAR:
                    self._pos = pos
                    got = buf[pos : pos + 1].decode("latin-1")
                    raise ProtocolError(f"expected '$', got '{got}'")
                size = string2ll(buf[pos + 1 : nl])
                if size is None or size < 0 or size > self.max_bulk_len:
                    self._pos = pos
                    raise ProtocolError("invalid bulk length")
                if size > 16384 and self.auth_required:
                    self._pos = pos
                    raise ProtocolError("unauthenticated bulk length")
                pos = nl + 2
                self._bulk = size
            end = pos + self._bulk
            if end + 2 > n:
                self._need = end + 2 - pos
                break
            args.append(buf[pos:end])
            pos = end + 2
            self._bulk = -1
            self._left -= 1
        self._pos = pos
        if self._left:
            return None
        self._args = []
        return args

    def _inline(self) -> list[bytes] | None:
        buf = self._buf
        pos = self._pos
        nl = _find_line_end(buf, b"\n", pos)
        if nl < 0:
            if len(buf) - pos > INLINE_MAX_SIZE:
                raise ProtocolError("too big inline request")
            return None
        end = nl - 1 if nl > pos and buf[nl - 1] == _CR else nl
        line = buf[pos:end]
        self._pos = nl + 1
        args = split_args(line)
        if args is None:
            raise ProtocolError("unbalanced quotes in request")
        return args


_SPACE: Final = frozenset(b" \t\n\r\v\f")
"""C's isspace: skipped between arguments and required after a closing quote."""
_TOKEN_END: Final = frozenset(b" \t\n\r")
"""What ends an unquoted argument (``\v`` and ``\f`` do not, as in sdssplitargs)."""
_ESCAPES: Final = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("a"): 7}
_HEX: Final = frozenset(b"0123456789abcdefABCDEF")


def split_args(line: bytes) -> list[bytes] | None:
    """Split an inline request like redis's ``sdssplitargs``: blanks separate arguments,
    ``"..."`` takes escapes (``\\n``, ``\\xHH``...), ``'...'`` takes ``\\'``; ``None`` when
    quotes are unbalanced (or a closing quote is not followed by a blank)."""
    nul = line.find(b"\0")
    if nul >= 0:
        line = line[:nul]
    if b'"' not in line and b"'" not in line and b"\v" not in line and b"\f" not in line:
        return line.split()
    args: list[bytes] = []
    i = 0
    n = len(line)
    while True:
        while i < n and line[i] in _SPACE:
            i += 1
        if i >= n:
            return args
        cur = bytearray()
        in_dq = in_sq = False
        while True:
            if in_dq:
                if i >= n:
                    return None
                c = line[i]
                if (
                    c == 92
                    and i + 3 < n
                    and line[i + 1] == ord("x")
                    and line[i + 2] in _HEX
                    and line[i + 3] in _HEX
                ):
                    cur.append(int(line[i + 2 : i + 4], 16))
                    i += 3
                elif c == 92 and i + 1 < n:
                    i += 1
                    cur.append(_ESCAPES.get(line[i], line[i]))
                elif c == 34:
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    i += 1
                    break
                else:
                    cur.append(c)
            elif in_sq:
                if i >= n:
                    return None
                c = line[i]
                if c == 92 and i + 1 < n and line[i + 1] == 39:
                    i += 1
                    cur.append(39)
                elif c == 39:
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    i += 1
                    break
                else:
                    cur.append(c)
            else:
                if i >= n:
                    break
                c = line[i]
                if c in _TOKEN_END:
                    break
                if c == 34:
                    in_dq = True
                elif c == 39:
                    in_sq = True
                else:
                    cur.append(c)
            i += 1
        args.append(bytes(cur))
