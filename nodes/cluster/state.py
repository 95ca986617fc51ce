"""The node table and the cluster-wide state one node keeps (Redis's ``clusterState``).

Pure data plus the invariant-keeping operations on it: slot ownership is stored twice
(``owners[slot]`` and each node's ``slots`` mask) and only :meth:`ClusterState.assign_slot`
/ :meth:`ClusterState.unassign_slot` change it; replica lists are kept in step with
``master`` by :meth:`ClusterState.set_master_of`. Times are wall-clock milliseconds from
the injected clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import Enum

from nodes.cluster import slots as slotset
from nodes.cluster.wire import ClusterHealth, MessageType, NodeFlag
from nodes.keyslot import HASH_SLOTS

ROLE_FLAGS = NodeFlag.MASTER | NodeFlag.SLAVE


def random_node_id(rng: random.Random) -> str:
    """A fresh 40-hex-character node id."""
    return f"{rng.getrandbits(160):040x}"


class Direction(Enum):
    TO = "to"
    FROM = "from"


@dataclass(eq=False, slots=True)
class Link:
    """One TCP connection of the bus. Outbound links belong to a node (``node.link``);
    inbound links learn their node from the first packet carrying a known sender."""

    link_id: int
    inbound: bool
    ctime: int
    node: ClusterNode | None = None
    peer_ip: str = ""
    local_ip: str = ""
    connected: bool = False
    sent_bytes: int = 0
    received_bytes: int = 0
    closed: bool = False

    @property
    def direction(self) -> Direction:
        return Direction.FROM if self.inbound else Direction.TO


@dataclass(eq=False, slots=True)
class ClusterNode:
    node_id: str
    flags: NodeFlag
    ctime: int = 0
    ip: str = ""
    port: int = 0
    cport: int = 0
    pport: int = 0
    hostname: str = ""
    config_epoch: int = 0
    slots: int = 0
    master: ClusterNode | None = None
    replicas: list[ClusterNode] = field(default_factory=list)
    ping_sent: int = 0
    pong_received: int = 0
    data_received: int = 0
    fail_time: int = 0
    voted_time: int = 0
    orphaned_time: int = 0
    repl_offset: int = 0
    repl_offset_time: int = 0
    link: Link | None = None
    inbound_link: Link | None = None
    fail_reports: dict[str, int] = field(default_factory=dict)

    @property
    def is_master(self) -> bool:
        return bool(self.flags & NodeFlag.MASTER)

    @property
    def is_replica(self) -> bool:
        return bool(self.flags & NodeFlag.SLAVE)

    @property
    def is_myself(self) -> bool:
        return bool(self.flags & NodeFlag.MYSELF)

    @property
    def in_handshake(self) -> bool:
        return bool(self.flags & NodeFlag.HANDSHAKE)

    @property
    def timed_out(self) -> bool:
        return bool(self.flags & NodeFlag.PFAIL)

    @property
    def failed(self) -> bool:
        return bool(self.flags & NodeFlag.FAIL)

    @property
    def numslots(self) -> int:
        return self.slots.bit_count()

    @property
    def shown_epoch(self) -> int:
        """The epoch CLUSTER NODES prints: a replica shows its master's."""
        if self.is_replica and self.master is not None:
            return self.master.config_epoch
        return self.config_epoch

    def address(self) -> str:
        return f"{self.ip}:{self.port}@{self.cport}"


@dataclass(slots=True)
class Counters:
    sent: dict[MessageType, int] = field(default_factory=dict)
    received: dict[MessageType, int] = field(default_factory=dict)
    sent_bytes: int = 0
    received_bytes: int = 0
    links_buffer_limit_exceeded: int = 0


@dataclass(eq=False, slots=True)
class ClusterState:
    myself: ClusterNode
    nodes: dict[str, ClusterNode] = field(default_factory=dict)
    owners: list[ClusterNode | None] = field(default_factory=lambda: [None] * HASH_SLOTS)
    migrating_to: dict[int, ClusterNode] = field(default_factory=dict)
    importing_from: dict[int, ClusterNode] = field(default_factory=dict)
    current_epoch: int = 0
    last_vote_epoch: int = 0
    health: ClusterHealth = ClusterHealth.FAIL
    size: int = 1  # redis starts at 1 until the first state update
    blacklist: dict[str, int] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)

    def __post_init__(self) -> None:
        self.nodes.setdefault(self.myself.node_id, self.myself)

    # -- nodes -------------------------------------------------------------------------

    def add_node(self, node: ClusterNode) -> None:
        self.nodes[node.node_id] = node

    def lookup(self, node_id: str) -> ClusterNode | None:
        return self.nodes.get(node_id)

    def rename(self, node: ClusterNode, new_id: str) -> None:
        del self.nodes[node.node_id]
        node.node_id = new_id
        self.nodes[new_id] = node

    def remove_node(self, node: ClusterNode) -> None:
        """Forget ``node``: its slots become unowned, its replicas lose their master, every
        failure report it made is dropped. Closing its links is the caller's job."""
        for slot in slotset.iter_slots(node.slots):
            self.owners[slot] = None
        node.slots = 0
        for table in (self.migrating_to, self.importing_from):
            for slot in [s for s, n in table.items() if n is node]:
                del table[slot]
        for other in self.nodes.values():
            other.fail_reports.pop(node.node_id, None)
        if node.master is not None and node in node.master.replicas:
            node.master.replicas.remove(node)
        for replica in node.replicas:
            replica.master = None
        node.replicas.clear()
        self.nodes.pop(node.node_id, None)

    def masters(self) -> list[ClusterNode]:
        return [n for n in self.nodes.values() if n.is_master]

    # -- slots -------------------------------------------------------------------------

    def assign_slot(self, slot: int, node: ClusterNode) -> None:
        old = self.owners[slot]
        if old is node:
            return
        if old is not None:
            old.slots &= ~(1 << slot)
        self.owners[slot] = node
        first = not node.slots
        node.slots |= 1 << slot
        if first and any(m.replicas for m in self.nodes.values() if m.is_master):
            # a new master is a replica-migration target if the others have replicas
            node.flags |= NodeFlag.MIGRATE_TO

    def unassign_slot(self, slot: int) -> None:
        old = self.owners[slot]
        if old is not None:
            old.slots &= ~(1 << slot)
            self.owners[slot] = None

    def assign_mask(self, mask: int, node: ClusterNode) -> None:
        for slot in slotset.iter_slots(mask & ~node.slots):
            self.assign_slot(slot, node)

    def unassign_all(self, node: ClusterNode) -> int:
        """Drop every slot of ``node``; returns how many it had."""
        had = node.numslots
        for slot in slotset.iter_slots(node.slots):
            self.owners[slot] = None
        node.slots = 0
        return had

    def assigned_mask(self) -> int:
        mask = 0
        for node in self.nodes.values():
            mask |= node.slots
        return mask

    # -- roles -------------------------------------------------------------------------

    def set_master_of(self, node: ClusterNode, master: ClusterNode | None) -> None:
        """Make ``node`` a replica of ``master`` (or a master when ``None``)."""
        if node.master is master and (master is None) == node.is_master:
            return
        previous = node.master
        if previous is not None and node in previous.replicas:
            previous.replicas.remove(node)
            if not previous.replicas:
                previous.flags &= ~NodeFlag.MIGRATE_TO
        node.master = master
        if master is None:
            node.flags = (node.flags & ~ROLE_FLAGS) | NodeFlag.MASTER
        else:
            node.flags = (node.flags & ~(ROLE_FLAGS | NodeFlag.MIGRATE_TO)) | NodeFlag.SLAVE
            if node not in master.replicas:
                master.replicas.append(node)
                master.flags |= NodeFlag.MIGRATE_TO

    def max_epoch(self) -> int:
        return max([self.current_epoch, *(n.config_epoch for n in self.nodes.values())], default=0)

    # -- health ------------------------------------------------------------------------

    def compute_health(self, require_full_coverage: bool) -> tuple[ClusterHealth, int]:
        """(state this node should report, cluster size) from the node table alone;
        the timing rules (rejoin delay) are applied by the engine."""
        health = ClusterHealth.OK
        if require_full_coverage:
            covered = 0
            for node in self.nodes.values():
                if node.slots and not node.failed:
                    covered |= node.slots
            if covered != slotset.ALL_SLOTS:
                health = ClusterHealth.FAIL
        size = 0
        reachable = 0
        for node in self.nodes.values():
            if node.is_master and node.slots:
                size += 1
                if not node.flags & (NodeFlag.FAIL | NodeFlag.PFAIL):
                    reachable += 1
        if reachable < size // 2 + 1:
            health = ClusterHealth.FAIL
        return health, size

    def slot_stats(self) -> tuple[int, int, int, int]:
        """(assigned, ok, pfail, fail) slot counts for CLUSTER INFO."""
        assigned = ok = pfail = fail = 0
        for node in self.nodes.values():
            n = node.numslots
            if not n:
                continue
            assigned += n
            if node.failed:
                fail += n
            elif node.timed_out:
                pfail += n
            else:
                ok += n
        return assigned, ok, pfail, fail
