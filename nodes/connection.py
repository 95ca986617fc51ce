"""One client connection: bytes in -> parsed requests -> dispatcher -> encoded replies.

All commands found in one read are executed in order and their replies are written in one
``transport.write`` at the end of the event-loop iteration (after the AOF's fsync point).
A protocol error is answered and then the connection is closed; a query buffer over
``client-query-buffer-limit`` or an output buffer over ``client-output-buffer-limit``
closes the connection without a reply, as redis-server does. While the socket's send
buffer is full, reading from that client pauses (back-pressure).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Protocol, cast

from nodes.client import Client
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import error_reply, execute
from nodes.errors import ProtocolError
from nodes.resp.encoder import encode_into
from nodes.resp.parser import RequestParser
from nodes.resp.values import Blocked, Error, Reply, Simple

if TYPE_CHECKING:
    from nodes.server import Server

log = logging.getLogger("splitbrain.connection")

try:
    import hiredis

    _HiredisError: type[Exception] = hiredis.ProtocolError

    def _new_reader() -> _Reader | None:
        reader: _Reader = hiredis.Reader()
        return reader

except ImportError:  # pragma: no cover - hiredis is a dependency; our parser suffices
    _HiredisError = Exception

    def _new_reader() -> _Reader | None:
        return None


_BULK_HEADERS = tuple(b"$%d\r\n" % i for i in range(1024))
_HUGE_COUNT = re.compile(rb"\*[0-9]{5}")


def _hiredis_safe(data: bytes) -> bool:
    """Whether hiredis may parse this read. Not when it holds elements hiredis would take
    as strings or arrays where redis-server demands ``$`` (simple strings, verbatim, big
    numbers, sets, pushes: our parser gives the exact protocol error), nor multibulk counts
    of 10000 or more (hiredis allocates the whole list up front, so ``*3000000000`` would
    stall the server)."""
    return (
        data[:1] == b"*"
        and b"\n+" not in data
        and b"\n=" not in data
        and b"\n(" not in data
        and b"\n~" not in data
        and b"\n>" not in data
        and _HUGE_COUNT.search(data) is None
    )


class _Reader(Protocol):
    def feed(self, data: bytes) -> None: ...
    def gets(self) -> object: ...
    def has_data(self) -> bool: ...


_MAX_CLIENTS = b"-ERR max number of clients reached\r\n"


def _addr(info: object) -> str:
    if isinstance(info, tuple) and len(info) >= 2:
        host = str(info[0])
        return f"[{host}]:{info[1]}" if ":" in host else f"{host}:{info[1]}"
    return "?:0"


class Connection(asyncio.Protocol):
    def __init__(self, server: Server) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.parser = RequestParser(server.config.get_int("proto-max-bulk-len"))
        self.reader: _Reader | None = _new_reader()
        self.out: list[bytes] = []
        self.client: Client
        self.ctx: CommandContext
        self.blocked: Blocked | None = None
        self.closed = False
        self._write_scheduled = False
        self._soft_since: float | None = None

    # ---- asyncio.Protocol ----------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        server = self.server
        sock = transport.get_extra_info("socket")
        now = server.clock_ms()
        self.client = Client(
            id=server.new_client_id(),
            addr=_addr(transport.get_extra_info("peername")),
            laddr=_addr(transport.get_extra_info("sockname")),
            fd=sock.fileno() if sock is not None else -1,
            created_ms=now,
            last_interaction_ms=now,
        )
        self.ctx = CommandContext(server, self.client)
        if len(server.clients) >= server.config.get_int("maxclients"):
            server.stats.rejected_connections += 1
            self.transport.write(_MAX_CLIENTS)
            self.transport.close()
            self.closed = True
            return
        self.client.user = server.acl.default
        if not server.acl.open_without_auth():
            self.client.authenticated = False
            self.parser.auth_required = True
        server.clients[self.client.id] = self.client
        server.connections[self.client.id] = self
        server.stats.connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        server = self.server
        client = self.client
        server.clients.pop(client.id, None)
        server.connections.pop(client.id, None)
        server.monitors.pop(client.id, None)
        server.databases.unwatch_all(client, client.watched)
        client.watched.clear()
        server.pubsub.forget(client)
        server.blocking.forget(client.id)
        if server.tracking is not None:
            server.tracking.disable(client.id)
        if self.blocked is not None and not self.blocked.future.done():
            self.blocked.future.cancel()

    def eof_received(self) -> bool:
        """The client half-closed: deliver the replies still queued, then close."""
        self.client.close_after_reply = True
        idle = self.blocked is not None or not (self._write_scheduled or self.out)
        if idle and self.transport is not None:
            self.closed = True
            self.transport.close()
        return True

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        self.server.stats.net_input_bytes += len(data)
        if (
            self.reader is not None
            and self.blocked is None
            and self.client.authenticated
            and self.parser.idle()
            and _hiredis_safe(data)
        ):
            self._process_fast(data)
        else:
            self.parser.feed(data)
            if self.blocked is None:
                self._process()
        parser = self.parser
        if not parser.idle() and parser.buffered() > self.server.query_buffer_limit:
            log.warning(
                "Closing client that reached max query buffer length: id=%d addr=%s qbuf=%d",
                self.client.id,
                self.client.addr,
                parser.buffered(),
            )
            self.close_now()

    # ---- processing ----------------------------------------------------------------
    def _process_fast(self, data: bytes) -> None:
        """hiredis parses well-formed multibulk requests that arrive whole. Anything else
        (a partial command, inline syntax, malformed input, a blocked client) hands
        ``data`` to our parser, skipping the commands already executed, so limits, error
        texts and inline commands behave exactly as with our parser alone."""
        reader = self.reader
        assert reader is not None
        reader.feed(data)
        out = self.out
        ctx = self.ctx
        client = self.client
        client.last_interaction_ms = self.server.cron_ms
        done = 0
        fallback = False
        while True:
            try:
                argv = reader.gets()
            except _HiredisError:
                fallback = True
                break
            if argv is False:
                # hiredis hides a partial reply; an empty array must come out whole.
                reader.feed(b"*0\r\n")
                try:
                    fallback = reader.gets() != []
                except _HiredisError:
                    fallback = True
                break
            if type(argv) is not list:
                fallback = True
                break
            if not argv:
                continue
            for arg in argv:
                if type(arg) is not bytes:
                    fallback = True
                    break
            if fallback:
                break
            done += 1
            reply = execute(ctx, argv)
            if type(reply) is Blocked:
                assert isinstance(reply, Blocked)
                self._block(reply)
                fallback = True
                break
            kind = type(reply)
            if kind is bytes:  # the common replies, inlined
                size = len(reply)  # type: ignore[arg-type]
                out.append(_BULK_HEADERS[size] if size < 1024 else b"$%d\r\n" % size)
                out.append(reply)  # type: ignore[arg-type]
                out.append(b"\r\n")
            elif kind is Simple:
                out.append(reply.wire)  # type: ignore[union-attr]
            else:
                encode_into(out, reply, client.resp == 3)  # type: ignore[arg-type]
            if client.close_after_reply or self.closed:
                break
        if fallback:
            self.reader = _new_reader()
            parser = self.parser
            parser.feed(data)
            for _ in range(done):
                parser.gets()
            if self.blocked is None:
                self._process()
                return
        if out:
            self._schedule_output()
        elif client.close_after_reply:
            self.close_now()

    def _process(self) -> None:
        parser = self.parser
        out = self.out
        ctx = self.ctx
        client = self.client
        client.last_interaction_ms = self.server.cron_ms
        try:
            while True:
                argv = parser.gets()
                if argv is None:
                    break
                reply = execute(ctx, argv)
                if type(reply) is Blocked:
                    assert isinstance(reply, Blocked)
                    self._block(reply)
                    break
                encode_into(out, reply, client.resp == 3)  # type: ignore[arg-type]
                if client.close_after_reply or self.closed:
                    break
        except ProtocolError as exc:
            out.append(error_reply(exc).wire)
            log.debug("Protocol error (%s) from client: %s", exc.reason, client.addr)
            client.close_after_reply = True
        if out:
            self._schedule_output()
        elif client.close_after_reply:
            self.close_now()

    def schedule_output(self) -> None:
        """Send what was appended to ``out`` (a pub/sub message) this loop iteration."""
        self._schedule_output()

    def _schedule_output(self) -> None:
        """Replies go out after every ready client's input has been processed in this
        event-loop iteration (redis's ``beforeSleep``): the AOF is fsynced first, and no
        client is woken up while others still wait to be read, which nearly doubles
        unpipelined throughput on a busy machine."""
        if not self._write_scheduled:
            self._write_scheduled = True
            self.server.schedule_write(self)

    def _block(self, blocked: Blocked) -> None:
        self.blocked = blocked
        blocked.future.add_done_callback(self._unblock)

    def _unblock(self, future: asyncio.Future[Reply]) -> None:
        self.blocked = None
        if self.closed or future.cancelled():
            return
        exc = future.exception()
        reply: Reply = Error(b"ERR " + str(exc).encode()) if exc else future.result()
        encode_into(self.out, reply, self.client.resp == 3)
        self._process()

    def flush_output(self) -> None:
        """Write the accumulated replies (called directly or by the server's loop hook)."""
        self._write_scheduled = False
        transport = self.transport
        if self.closed or transport is None:
            self.out.clear()
            return
        out = self.out
        data = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        self.server.stats.net_output_bytes += len(data)
        transport.write(data)
        if self.client.close_after_reply:
            self.closed = True
            transport.close()
            return
        pending = transport.get_write_buffer_size()
        if pending:
            self._check_output_limit(pending)

    def _check_output_limit(self, pending: int) -> None:
        klass = "normal" if self.client.pubsub is None else "pubsub"
        hard, soft, seconds = self.server.config.output_limit(klass)
        over_soft = soft and pending > soft
        if over_soft and self._soft_since is None:
            self._soft_since = self.server.loop.time()
        elif not over_soft:
            self._soft_since = None
        if (hard and pending > hard) or (
            over_soft
            and self._soft_since is not None
            and self.server.loop.time() - self._soft_since > seconds
        ):
            log.warning(
                "Client id=%d addr=%s scheduled to be closed ASAP for overcoming of output "
                "buffer limits.",
                self.client.id,
                self.client.addr,
            )
            self.close_now()

    def kill(self) -> None:
        """CLIENT KILL: drop the connection now, without its pending replies; it is gone
        from the server's clients at once (asyncio's later ``connection_lost`` finds
        nothing left to do)."""
        self.close_now()
        self.connection_lost(None)

    def close_now(self) -> None:
        """Drop the connection without writing pending replies."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
