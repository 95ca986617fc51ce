"""The contracts between the harness, the databases it runs and the nemesis.

A database (``--db splitbrain`` or ``--db redis``) implements :class:`DB` and, as separate
optional abilities (Jepsen's style: abilities, not flags), :class:`Killable`,
:class:`Pausable`, :class:`HasPrimaries` and :class:`HasLogFiles`. The nemesis works
only through these protocols and :class:`NodeHost` records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class NodeHost:
    """One cluster node as the network sees it.

    ``netns`` is the Linux network namespace the node runs in (None when it runs on the
    host's loopback); ``ip`` is its address inside that namespace, reachable from the
    harness; ``port`` the client port; ``bus_port`` the cluster bus port. ``host`` names
    the machine it shares with other nodes (``--hosts``: a namespace or an SSH host that
    runs several nodes on ports 7000, 7001, ...); None when the node has one of its own.
    """

    name: str
    ip: str
    port: int
    bus_port: int
    netns: str | None = None
    host: str | None = None

    @property
    def machine(self) -> str:
        """The name faults target: its shared host, else the node itself."""
        return self.host if self.host is not None else self.name

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass(frozen=True, slots=True)
class Topology:
    """Who is primary and who replicates whom, as read from CLUSTER NODES.

    ``replicas_of`` maps a primary's node name to the names of its replicas;
    ``slots_of`` maps a primary's node name to its slot ranges (inclusive pairs).
    """

    primaries: tuple[str, ...]
    replicas_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    slots_of: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    node_ids: Mapping[str, str] = field(default_factory=dict)

    @property
    def replicas(self) -> tuple[str, ...]:
        return tuple(r for p in self.primaries for r in self.replicas_of.get(p, ()))


class DB(Protocol):
    """A cluster under test: its nodes and their lifecycle."""

    @property
    def hosts(self) -> Sequence[NodeHost]:
        """Every node, in a stable order."""
        ...

    async def setup(self) -> None:
        """Start every node, form the cluster, and return once every node reports
        ``cluster_state:ok`` and every replica ``master_link_status:up``. Raises on
        failure after cleaning up what it started."""
        ...

    async def teardown(self) -> None:
        """Stop every node (by pid) and release what setup created. Must not raise for a
        node that is already dead; must be safe to call twice."""
        ...


@runtime_checkable
class Killable(Protocol):
    """Kills and restarts its nodes (the kill and restart-all faults)."""

    async def kill(self, node: str) -> None:
        """SIGKILL the node's process; returns once it is gone."""
        ...

    async def start(self, node: str) -> None:
        """(Re)start a stopped node with the same data dir and options; returns once it
        accepts connections. A node that is running is left alone."""
        ...


@runtime_checkable
class PowerLossable(Protocol):
    """Loses power on its nodes: the process dies and whatever it wrote but did not fsync
    is gone (the kill-power faults). The nodes restart through :class:`Killable`."""

    async def lose_power(self, node: str) -> str:
        """SIGKILL the node, then discard every write it did not fsync; returns once both
        are done, with a short description of what was lost (bytes, files)."""
        ...


@runtime_checkable
class Pausable(Protocol):
    """Pauses and resumes its nodes (the pause faults)."""

    async def pause(self, node: str) -> None:
        """SIGSTOP the node's process."""
        ...

    async def resume(self, node: str) -> None:
        """SIGCONT the node's process; a node that is not paused is left alone."""
        ...


@runtime_checkable
class HasPrimaries(Protocol):
    """Tells its live roles (failover, reshard, role-aware targets)."""

    async def topology(self) -> Topology:
        """The current roles, from CLUSTER NODES of a reachable node (not start-up order)."""
        ...


@runtime_checkable
class HasLogFiles(Protocol):
    """Names the node files to keep in the run folder."""

    def log_files(self) -> Mapping[str, Path]:
        """File name in the run folder -> path of the file to copy there."""
        ...


@runtime_checkable
class HostShell(Protocol):
    """Runs commands on the machines its nodes run on (nodes on SSH hosts), so the
    nemesis can filter their packets there (nftables) instead of in namespaces."""

    async def host_run(
        self, host: str, argv: Sequence[str], stdin: str | None = None, timeout_s: float = 10.0
    ) -> str:
        """Run ``argv`` on machine ``host`` (a :attr:`NodeHost.machine`) with ``stdin``;
        its stdout. Raises an exception naming the host if it fails or does not answer."""
        ...
