"""One RESP connection to one node: asyncio protocol + hiredis parser, pipelined.

Requests are answered in order; each request may carry its own deadline. A request whose
deadline passes closes the connection (a late reply would otherwise answer the next
request), and every pending request learns whether its bytes had been written.
No retries here: the caller classifies what happened (:mod:`harness.client.outcome`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Any, cast

import hiredis

Reply = Any
"""A decoded RESP reply: bytes, int, list, None, or a :class:`hiredis.ReplyError`."""


def pack(*args: bytes | str | int | float) -> bytes:
    """One command as RESP request bytes (hiredis's packer)."""
    packed: bytes = hiredis.pack_command(cast(Any, args))
    return packed


class ConnectFailed(OSError):
    """The connection could not be opened: nothing was sent."""


class NotSent(OSError):
    """The connection was already closed when the request was made: nothing was sent."""


class LostAfterSend(OSError):
    """The connection closed (reset, EOF) after the request was written: outcome unknown."""


class ReplyTimeout(TimeoutError):
    """The request was written and no reply came before its deadline: outcome unknown."""


class RespProtocol(asyncio.Protocol):
    """The asyncio side of :class:`RespConnection`; one instance per socket."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._reader = hiredis.Reader()
        self._pending: deque[asyncio.Future[Reply]] = deque()
        self._transport: asyncio.Transport | None = None
        self.closed = False
        self.close_reason: str = "closed"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        reader.feed(data)
        pending = self._pending
        while True:
            try:
                reply = reader.gets()
            except hiredis.ProtocolError as e:
                self.abort(f"protocol error: {e}")
                return
            if reply is False:
                return
            if not pending:
                self.abort("reply without a request")
                return
            fut = pending.popleft()
            if not fut.done():
                fut.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if exc is not None:
            self.close_reason = f"{type(exc).__name__}: {exc}"
        self._fail_pending()

    def eof_received(self) -> bool | None:
        self.close_reason = "connection closed by the server"
        return None

    def send(self, payload: bytes) -> asyncio.Future[Reply]:
        if self.closed or self._transport is None or self._transport.is_closing():
            raise NotSent(f"connection already closed ({self.close_reason})")
        fut: asyncio.Future[Reply] = self._loop.create_future()
        self._pending.append(fut)
        self._transport.write(payload)
        return fut

    def abort(self, reason: str) -> None:
        if not self.closed:
            self.close_reason = reason
        self.closed = True
        if self._transport is not None:
            self._transport.abort()
        self._fail_pending()

    def _fail_pending(self) -> None:
        while self._pending:
            fut = self._pending.popleft()
            if not fut.done():
                fut.set_exception(LostAfterSend(self.close_reason))


class RespConnection:
    """A pipelined RESP connection. Use :meth:`open`, then :meth:`call`; :meth:`close` at
    the end. ``call`` raises :class:`NotSent`, :class:`LostAfterSend` or
    :class:`ReplyTimeout`; error replies are returned as :class:`hiredis.ReplyError`."""

    def __init__(self, protocol: RespProtocol, address: str) -> None:
        self._protocol = protocol
        self.address = address

    @classmethod
    async def open(cls, host: str, port: int, timeout_s: float) -> RespConnection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout_s):
                _, protocol = await loop.create_connection(lambda: RespProtocol(loop), host, port)
        except TimeoutError as e:
            raise ConnectFailed(f"connect to {host}:{port} timed out") from e
        except OSError as e:
            raise ConnectFailed(f"connect to {host}:{port}: {e.strerror or e}") from e
        return cls(protocol, f"{host}:{port}")

    @property
    def closed(self) -> bool:
        return self._protocol.closed

    async def call(self, *args: bytes | str | int, timeout_s: float | None = None) -> Reply:
        """Send one command and wait for its reply."""
        return await self.send(pack(*args), timeout_s)

    async def send_many(self, payloads: Sequence[bytes], timeout_s: float | None) -> list[Reply]:
        """Pipeline several requests (written together) and wait for all their replies."""
        futs = [self._protocol.send(p) for p in payloads]
        handle = None
        if timeout_s is not None:
            loop = asyncio.get_running_loop()
            handle = loop.call_later(timeout_s, self._expire, futs[-1], timeout_s)
        try:
            return [await f for f in futs]
        finally:
            if handle is not None:
                handle.cancel()

    def send_nowait(self, payload: bytes) -> None:
        """Send a request whose reply is read and ignored (``ASKING`` before a command)."""
        self._protocol.send(payload).add_done_callback(_ignore)

    async def send(self, payload: bytes, timeout_s: float | None) -> Reply:
        """Send pre-packed request bytes holding exactly one command."""
        fut = self._protocol.send(payload)
        if timeout_s is None:
            return await fut
        loop = asyncio.get_running_loop()
        handle = loop.call_later(timeout_s, self._expire, fut, timeout_s)
        try:
            return await fut
        finally:
            handle.cancel()

    def _expire(self, fut: asyncio.Future[Reply], timeout_s: float) -> None:
        if fut.done():
            return
        fut.set_exception(ReplyTimeout(f"no reply from {self.address} within {timeout_s:g}s"))
        self._protocol.abort(f"closed after a reply timeout on {self.address}")

    def close(self) -> None:
        self._protocol.abort("closed by the client")


def _ignore(fut: asyncio.Future[Reply]) -> None:
    if not fut.cancelled():
        fut.exception()


async def ping_problem(host: str, port: int, timeout_s: float = 0.5) -> str | None:
    """One PING on a fresh connection: None when the node answers PONG, else what went
    wrong (the reply or the connection error), for a start-up wait to report."""
    try:
        conn = await RespConnection.open(host, port, timeout_s)
        try:
            reply = await conn.call(b"PING", timeout_s=timeout_s)
        finally:
            conn.close()
    except OSError as e:
        return str(e)
    return None if reply == b"PONG" else repr(reply)
