"""A master's graceful shutdown waits for lagging replicas, as redis 7.0 does.

On SIGTERM / SHUTDOWN, a master whose replicas have not acknowledged its whole stream
pauses writes (a client pause of mode WRITE: writes wait, none is refused; reads, new
connections and the cluster bus go on, so peers do not see the node fail meanwhile), asks
for ACKs, and waits up to ``shutdown-timeout`` seconds (default 10) for every replica to
catch up. Writes acknowledged before a clean shutdown therefore reach the replicas, unless
a replica is unreachable. Called by the replication component's ``drain``, before the
server closes anything.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from nodes.client_pause import DURING_SHUTDOWN, WRITE

if TYPE_CHECKING:
    from nodes.replication.component import Replication

log = logging.getLogger("splitbrain.replication")

DEFAULT_TIMEOUT_S = 10


async def wait_for_replicas(repl: Replication) -> None:
    if repl.master is not None or "now" in repl.server.shutdown_flags:
        return
    primary = repl.primary
    links = primary.live_links()
    target = repl.offset
    if not links or all(link.ack_offset >= target for link in links):
        return
    server = repl.server
    try:
        timeout = server.config.get_int("shutdown-timeout")
    except KeyError:
        timeout = DEFAULT_TIMEOUT_S
    if timeout <= 0:
        return
    server.client_pause.pause(WRITE, None, server.clock_ms(), DURING_SHUTDOWN)
    log.info("Waiting for replicas before shutting down.")
    primary.request_acks()
    loop = server.loop
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        lagging = [link for link in primary.live_links() if link.ack_offset < target]
        if not lagging:
            log.info("All replicas are in sync: shutting down.")
            return
        await asyncio.sleep(0.01)
    for link in primary.live_links():
        if link.ack_offset < target:
            log.warning(
                "Lagging replica %s:%d reported offset %d behind master, lag=%d",
                link.ip,
                link.port,
                target - link.ack_offset,
                (server.clock_ms() - link.ack_ms) // 1000,
            )
