"""What the cluster engine needs from the outside world, as Protocols.

The engine never touches sockets, clocks or the disk itself: the asyncio bus, the server
and a deterministic simulation each provide these. Every callback into the engine
(``link_up``, ``link_down``, ``receive``) must come from the event loop, never from inside
one of these methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from nodes.cluster.state import ClusterNode, Link
from nodes.cluster.wire import Message


class Clock(Protocol):
    def now_ms(self) -> int:
        """Wall-clock milliseconds since the Unix epoch (peers compare gossip times)."""
        ...


class BusTransport(Protocol):
    def connect(self, link: Link, ip: str, port: int) -> None:
        """Start connecting ``link`` to ``ip:port``; later call ``engine.link_up(link)`` or
        ``engine.link_down(link)``. Must not call back before returning."""

    def send(self, link: Link, data: bytes) -> None:
        """Queue ``data`` on ``link``; a link that is not connected yet buffers it."""

    def close(self, link: Link) -> None:
        """Close ``link`` now; must not call ``engine.link_down`` for it."""

    def buffered(self, link: Link) -> int:
        """Bytes queued on ``link`` and not yet written to the socket."""
        ...


class ConfigStore(Protocol):
    def save(self, content: str, *, fsync: bool) -> None:
        """Replace the saved configuration atomically; raise ``OSError`` on failure."""


class ClusterListener(Protocol):
    """What the rest of the server does when the cluster configuration moves under it."""

    def master_changed(self, master: ClusterNode | None) -> None:
        """This node became a replica of ``master`` (or a master again when ``None``)."""

    def slots_lost(self, mask: int) -> None:
        """Slots this node owned (and may hold keys in) now belong elsewhere."""


class FailoverHandler(Protocol):
    """The replica election and manual failover (issue 8) plugged into the engine."""

    def on_message(self, sender: ClusterNode, msg: Message) -> None:
        """FAILOVER_AUTH_REQUEST / FAILOVER_AUTH_ACK / MFSTART from a known ``sender``."""

    def on_master_ping(self, sender: ClusterNode, msg: Message) -> None:
        """Any packet from a known sender (a paused master announces its offset)."""

    def cron(self) -> None:
        """Called at the end of every engine cron tick."""

    def reset_manual(self) -> None:
        """Forget any manual failover in progress (and end a master's write pause)."""

    @property
    def paused(self) -> bool:
        """Master side of a manual failover: our packets carry the PAUSED flag."""


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    port: int
    cport: int
    node_timeout: int = 15000
    require_full_coverage: bool = True
    allow_reads_when_down: bool = False
    allow_replica_migration: bool = True
    replica_validity_factor: int = 10
    migration_barrier: int = 1
    replica_no_failover: bool = False
    announce_ip: str = ""
    announce_port: int = 0
    announce_bus_port: int = 0
    announce_hostname: str = ""
    repl_ping_replica_period: int = 10
    preferred_endpoint: str = "ip"
    link_sendbuf_limit: int = 0
    """Bytes queued on a link before it is dropped (0: no limit)."""

    @property
    def announced_port(self) -> int:
        return self.announce_port or self.port

    @property
    def announced_cport(self) -> int:
        return self.announce_bus_port or self.cport
