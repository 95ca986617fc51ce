"""The cluster bus over asyncio TCP: the :class:`BusTransport` the engine talks through.

One listener on the bus port accepts inbound links; one outbound connection per peer is
opened on the engine's request. Bytes are framed here (8-byte prefix: signature and
``totlen``) and whole packets are handed to the engine, which decodes them strictly. A
stream that cannot be framed (bad signature, absurd length) closes the link.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import TYPE_CHECKING, cast

from nodes.cluster.state import Link
from nodes.cluster.wire import WireError, frame_length

if TYPE_CHECKING:
    from nodes.cluster.engine import ClusterEngine

log = logging.getLogger("splitbrain.cluster")

CONNECT_TIMEOUT_S = 1.0


def _ip_of(address: object) -> str:
    if isinstance(address, tuple) and address:
        ip = str(address[0])
        return ip.removeprefix("::ffff:")
    return ""


class _BusProtocol(asyncio.Protocol):
    def __init__(self, bus: AsyncioBus, link: Link | None) -> None:
        self.bus = bus
        self.link = link
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport but behave as one.
        self.transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        local_ip = _ip_of(transport.get_extra_info("sockname"))
        if self.link is None:  # inbound
            peer_ip = _ip_of(transport.get_extra_info("peername"))
            self.link = self.bus.engine.accept(peer_ip, local_ip)
        elif self.link.closed:  # the engine gave up on it while connecting
            transport.close()
            return
        self.bus.protocols[self.link.link_id] = self
        if not self.link.inbound:
            self.bus.engine.link_up(self.link, local_ip)

    def data_received(self, data: bytes) -> None:
        link = self.link
        if link is None or link.closed:
            return
        self.buffer += data
        engine = self.bus.engine
        while len(self.buffer) >= 8:
            try:
                need = frame_length(bytes(self.buffer[:8]))
            except WireError as exc:
                engine.bad_frame(link, str(exc))
                self._drop()
                return
            if len(self.buffer) < need:
                return
            packet = bytes(self.buffer[:need])
            del self.buffer[:need]
            try:
                alive = engine.receive(link, packet)
            except Exception:  # a bug in packet processing must not take the node down
                log.exception("cluster bus: processing a packet failed; closing the link")
                engine.bad_frame(link, "processing failed")
                self._drop()
                return
            if not alive:
                return

    def connection_lost(self, exc: Exception | None) -> None:
        link = self.link
        if link is None:
            return
        self.bus.protocols.pop(link.link_id, None)
        if not link.closed:
            self.bus.engine.link_down(link)

    def _drop(self) -> None:
        self.buffer.clear()
        if self.transport is not None:
            self.transport.close()


class AsyncioBus:
    """Real TCP links for one engine (set :attr:`engine` before :meth:`listen`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.engine: ClusterEngine
        self.protocols: dict[int, _BusProtocol] = {}
        self.pending: dict[int, asyncio.Task[None]] = {}
        self.servers: list[asyncio.AbstractServer] = []

    async def listen(self, sockets: list[socket.socket]) -> None:
        """Serve the bus on already bound listening sockets (:mod:`nodes.listen`)."""
        for sock in sockets:
            server = await self.loop.create_server(lambda: _BusProtocol(self, None), sock=sock)
            self.servers.append(server)

    # ---- BusTransport ----------------------------------------------------------------
    def connect(self, link: Link, ip: str, port: int) -> None:
        self.pending[link.link_id] = self.loop.create_task(self._connect(link, ip, port))

    async def _connect(self, link: Link, ip: str, port: int) -> None:
        try:
            await asyncio.wait_for(
                self.loop.create_connection(lambda: _BusProtocol(self, link), ip, port),
                CONNECT_TIMEOUT_S,
            )
        except (TimeoutError, OSError, ValueError) as exc:
            log.debug("Connection with node at %s:%d failed: %s", ip, port, exc)
            if not link.closed:
                self.engine.link_down(link)
        finally:
            self.pending.pop(link.link_id, None)

    def send(self, link: Link, data: bytes) -> None:
        proto = self.protocols.get(link.link_id)
        if proto is not None and proto.transport is not None:
            proto.transport.write(data)

    def buffered(self, link: Link) -> int:
        proto = self.protocols.get(link.link_id)
        if proto is None or proto.transport is None:
            return 0
        return proto.transport.get_write_buffer_size()

    def close(self, link: Link) -> None:
        proto = self.protocols.pop(link.link_id, None)
        if proto is not None and proto.transport is not None:
            proto.transport.close()
        task = self.pending.pop(link.link_id, None)
        if task is not None:
            task.cancel()

    async def aclose(self) -> None:
        for server in self.servers:
            server.close()
        for proto in list(self.protocols.values()):
            if proto.transport is not None:
                proto.transport.abort()
        for task in list(self.pending.values()):
            task.cancel()
        self.protocols.clear()
        for server in self.servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)
