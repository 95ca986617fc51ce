"""Real TCP/UDP endpoints inside node namespaces, for probing partitions from tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from base.db import NodeHost
from nemesis.probe import Reach, socket_in, tcp_probe


@contextlib.asynccontextmanager
async def tcp_listeners(hosts: Sequence[NodeHost]) -> AsyncIterator[None]:
    """An accept-and-close TCP server on every host's ip:port, inside its namespace."""

    async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    servers = []
    try:
        for h in hosts:
            sock = socket_in(h.netns)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((h.ip, h.port))
            sock.listen(64)
            sock.setblocking(False)
            servers.append(await asyncio.start_server(close_at_once, sock=sock))
        yield
    finally:
        for server in servers:
            server.close()
            await server.wait_closed()


@dataclass(frozen=True)
class Reachability:
    """Who reaches whom: ``pairs[(a, b)]`` is a's probe of b; ``harness[b]`` the root's."""

    pairs: dict[tuple[str, str], Reach]
    harness: dict[str, Reach]


async def probe_all(hosts: Sequence[NodeHost], timeout_s: float = 0.3) -> Reachability:
    """Probe every ordered pair of hosts, and every host from the root namespace, at once."""
    pairs = [(a, b) for a in hosts for b in hosts if a.name != b.name]
    results = await asyncio.gather(
        *(tcp_probe(a.netns, b.ip, b.port, timeout_s) for a, b in pairs),
        *(tcp_probe(None, b.ip, b.port, timeout_s) for b in hosts),
    )
    pair_results = dict(zip([(a.name, b.name) for a, b in pairs], results, strict=False))
    harness = dict(zip([b.name for b in hosts], results[len(pairs) :], strict=True))
    return Reachability(pair_results, harness)


async def udp_delivery(
    sender: NodeHost | None, receiver: NodeHost, count: int, port: int = 9999
) -> int:
    """Send ``count`` datagrams from ``sender``'s namespace (None: root) to ``receiver``;
    return how many arrived (waiting until 0.3 s pass without one)."""
    rx = socket_in(receiver.netns, kind=socket.SOCK_DGRAM)
    tx = socket_in(sender.netns if sender else None, kind=socket.SOCK_DGRAM)
    loop = asyncio.get_running_loop()
    try:
        rx.bind((receiver.ip, port))
        rx.setblocking(False)
        for i in range(count):
            tx.sendto(i.to_bytes(4, "big"), (receiver.ip, port))
            if i % 50 == 49:
                await asyncio.sleep(0.005)  # pacing: stay under the socket buffers
        got = 0
        while True:
            try:
                async with asyncio.timeout(0.3):
                    await loop.sock_recv(rx, 16)
            except TimeoutError:
                return got
            got += 1
    finally:
        rx.close()
        tx.close()
