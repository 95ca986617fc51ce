"""A deterministic, socket-free network of cluster engines (fake clock, seeded rng).

Each node is a :class:`ClusterEngine` on a fake address ``10.0.0.<i>``; links are pairs
of engine-side :class:`Link` objects joined by in-memory queues. ``partition`` makes
connects fail and drops traffic between two groups until ``heal``.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from nodes.cluster import admin
from nodes.cluster.bootstrap import fresh_state
from nodes.cluster.engine import ClusterEngine
from nodes.cluster.failover import Failover
from nodes.cluster.ports import ClusterConfig
from nodes.cluster.state import Link
from nodes.cluster.wire import ClusterHealth


@dataclass
class FakeClock:
    ms: int = 1_700_000_000_000

    def now_ms(self) -> int:
        return self.ms


@dataclass
class MemoryStore:
    saves: int = 0
    content: str = ""

    def save(self, content: str, *, fsync: bool) -> None:
        self.saves += 1
        self.content = content


@dataclass
class SimNode:
    index: int
    ip: str
    engine: ClusterEngine
    store: MemoryStore
    up: bool = True
    offset: int = 0
    """The replication offset this node advertises."""
    data_age_ms: int = 0
    """How long ago a replica last heard from its master (the validity-factor check)."""


@dataclass
class Network:
    seed: int
    node_timeout: int = 1000
    clock: FakeClock = field(default_factory=FakeClock)
    nodes: list[SimNode] = field(default_factory=list)
    peers: dict[int, tuple[SimNode, Link]] = field(default_factory=dict)
    links: dict[int, Link] = field(default_factory=dict)
    owner: dict[int, SimNode] = field(default_factory=dict)
    events: deque[tuple[str, SimNode, Link, bytes]] = field(default_factory=deque)
    blocked: set[frozenset[int]] = field(default_factory=set)
    bytes_sent: int = 0

    def add_node(self) -> SimNode:
        index = len(self.nodes)
        rng = random.Random(self.seed * 1000 + index)
        config = ClusterConfig(port=7000, cport=17000, node_timeout=self.node_timeout)
        store = MemoryStore()
        state = fresh_state(config, rng, self.clock.ms)
        node = SimNode(index, f"10.0.0.{index + 1}", None, store)  # type: ignore[arg-type]
        node.engine = ClusterEngine(
            state=state,
            config=config,
            clock=self.clock,
            rng=rng,
            transport=_Transport(self, node),
            store=store,
        )
        node.engine.repl_offset_source = lambda: node.offset
        node.engine.failover = Failover(node.engine, lambda: node.data_age_ms)
        self.nodes.append(node)
        return node

    def node_at(self, ip: str) -> SimNode | None:
        for node in self.nodes:
            if node.ip == ip and node.up:
                return node
        return None

    def can_talk(self, a: SimNode, b: SimNode) -> bool:
        return a.up and b.up and frozenset((a.index, b.index)) not in self.blocked

    def partition(self, group_a: list[SimNode], group_b: list[SimNode]) -> None:
        for a in group_a:
            for b in group_b:
                self.blocked.add(frozenset((a.index, b.index)))
        for link_id, (peer, _) in list(self.peers.items()):
            me = self.owner[link_id]
            if not self.can_talk(me, peer):
                self.events.append(("down", me, self.links[link_id], b""))

    def heal(self) -> None:
        self.blocked.clear()

    def crash(self, node: SimNode) -> None:
        """The process dies: every link to it breaks."""
        node.up = False
        for link_id, (peer, _) in list(self.peers.items()):
            if peer is node:
                self.events.append(("down", self.owner[link_id], self.links[link_id], b""))

    def deliver(self, limit: int = 100_000) -> None:
        while self.events and limit:
            limit -= 1
            kind, node, link, data = self.events.popleft()
            if not node.up or link.closed:
                continue
            if kind == "up":
                node.engine.link_up(link, node.ip)
            elif kind == "down":
                node.engine.link_down(link)
            else:
                node.engine.receive(link, data)

    def tick(self, ms: int = 100) -> None:
        self.clock.ms += ms
        self.deliver()
        for node in self.nodes:
            if node.up:
                node.engine.cron()
        self.deliver()

    def run(self, seconds: float) -> None:
        for _ in range(int(seconds * 10)):
            self.tick()

    def run_until(self, predicate: object, seconds: float) -> float:
        assert callable(predicate)
        start = self.clock.ms
        for _ in range(int(seconds * 10)):
            if predicate():
                return (self.clock.ms - start) / 1000
            self.tick()
        raise AssertionError(f"condition not reached in {seconds}s of simulated time")

    def all_ok(self) -> bool:
        return all(n.engine.state.health is ClusterHealth.OK for n in self.nodes if n.up)

    def replicate(self, replica: SimNode, master: SimNode) -> None:
        admin.replicate(replica.engine, master.engine.myself.node_id, 0)
        replica.engine.after_command()

    def restart(self, node: SimNode) -> None:
        """The process comes back with its saved nodes.conf (a fresh engine)."""
        from pathlib import Path  # noqa: PLC0415

        from nodes.cluster import nodes_conf  # noqa: PLC0415
        from nodes.cluster.bootstrap import state_from_conf  # noqa: PLC0415

        old = node.engine
        conf = nodes_conf.parse(node.store.content, Path("nodes.conf"))
        state = state_from_conf(conf, old.config, Path("nodes.conf"), self.clock.ms)
        node.engine = ClusterEngine(
            state=state,
            config=old.config,
            clock=self.clock,
            rng=old.rng,
            transport=_Transport(self, node),
            store=node.store,
        )
        node.engine.repl_offset_source = lambda: node.offset
        node.engine.failover = Failover(node.engine, lambda: node.data_age_ms)
        node.up = True

    def create(self, masters: int) -> None:
        """What ``redis-cli --cluster create`` does, without replicas."""
        step = 16384 // masters
        for i, node in enumerate(self.nodes[:masters]):
            end = 16383 if i == masters - 1 else (i + 1) * step - 1
            admin.add_slots(node.engine, list(range(i * step, end + 1)))
            admin.set_config_epoch(node.engine, i + 1)
            node.engine.after_command()
        first = self.nodes[0]
        for node in self.nodes[1:]:
            admin.meet(node.engine, first.ip, 7000, 17000)
            node.engine.after_command()


@dataclass
class _Transport:
    net: Network
    node: SimNode

    def connect(self, link: Link, ip: str, port: int) -> None:
        net = self.net
        target = net.node_at(ip)
        if target is None or not net.can_talk(self.node, target):
            net.events.append(("down", self.node, link, b""))
            return
        remote = target.engine.accept(self.node.ip, target.ip)
        net.peers[id(link)] = (target, remote)
        net.peers[id(remote)] = (self.node, link)
        net.owner[id(link)] = self.node
        net.owner[id(remote)] = target
        net.links[id(link)] = link
        net.links[id(remote)] = remote
        net.events.append(("up", self.node, link, b""))

    def send(self, link: Link, data: bytes) -> None:
        net = self.net
        net.bytes_sent += len(data)
        peer = net.peers.get(id(link))
        if peer is None:
            return
        target, remote = peer
        if net.can_talk(self.node, target):
            net.events.append(("data", target, remote, data))

    def buffered(self, link: Link) -> int:
        return 0

    def close(self, link: Link) -> None:
        net = self.net
        peer = net.peers.pop(id(link), None)
        if peer is not None:
            target, remote = peer
            net.peers.pop(id(remote), None)
            net.events.append(("down", target, remote, b""))
