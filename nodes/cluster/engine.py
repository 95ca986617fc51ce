"""The cluster bus state machine of one node, without I/O (Redis 7.0 ``cluster.c`` semantics).

Driven by three kinds of events, all from the event loop: :meth:`ClusterEngine.cron`
every 100 ms, link events from the transport (:meth:`accept`, :meth:`link_up`,
:meth:`link_down`) and packets (:meth:`receive`). Time comes from an injected
:class:`Clock`, randomness from an injected ``random.Random``, the network from a
:class:`BusTransport`, so a simulation can run many engines deterministically. After each
event, :meth:`_before_sleep` recomputes ``cluster_state`` and saves ``nodes.conf`` when
something changed (Redis's ``clusterBeforeSleep``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from nodes.cluster import describe, gossip, nodes_conf
from nodes.cluster.packets import process
from nodes.cluster.ports import (
    BusTransport,
    Clock,
    ClusterConfig,
    ClusterListener,
    ConfigStore,
    FailoverHandler,
)
from nodes.cluster.state import ClusterNode, ClusterState, Link
from nodes.cluster.wire import (
    Body,
    ClusterHealth,
    FailBody,
    GossipBody,
    Message,
    MessageFlag,
    MessageType,
    NodeFlag,
    UpdateBody,
    WireError,
    decode,
    encode,
)

log = logging.getLogger("splitbrain.cluster")

CRON_PERIOD_MS = 100
WRITABLE_DELAY_MS = 2000
MIN_REJOIN_DELAY_MS = 500
MAX_REJOIN_DELAY_MS = 5000
FAIL_REPORT_VALIDITY_MULT = 2
FAIL_UNDO_TIME_MULT = 2
BLACKLIST_TTL_MS = 60_000
GOSSIP_TYPES = (MessageType.PING, MessageType.PONG, MessageType.MEET)


class ClusterEngine:
    def __init__(
        self,
        *,
        state: ClusterState,
        config: ClusterConfig,
        clock: Clock,
        rng: random.Random,
        transport: BusTransport,
        store: ConfigStore,
        listener: ClusterListener | None = None,
    ) -> None:
        self.state = state
        self.config = config
        self.clock = clock
        self.rng = rng
        self.transport = transport
        self.store = store
        self.listener = listener
        self.iteration = 0
        self.first_update_time = 0
        self.among_minority_time = 0
        self.todo_update_state = True
        self.todo_save = False
        self.todo_fsync = False
        self.repl_offset_source: Callable[[], int] = lambda: 0
        self.on_publish: Callable[[Message], None] | None = None
        """Called with each PUBLISH / PUBLISHSHARD message from a known node."""
        """Where our replication offset comes from (the replication component)."""
        self._next_link_id = 1
        self._bad_peers: set[str] = set()
        self.failover: FailoverHandler | None = None  # the replica election (issue 8)
        self.drop_packet_type = -1
        """DEBUG DROP-CLUSTER-PACKET-FILTER: received packets of this type are dropped
        after being counted (-1: none)."""

    # ---- helpers ----------------------------------------------------------------------
    @property
    def repl_offset(self) -> int:
        return self.repl_offset_source()

    @property
    def myself(self) -> ClusterNode:
        return self.state.myself

    def now(self) -> int:
        return self.clock.now_ms()

    def new_link(self, *, inbound: bool, node: ClusterNode | None = None) -> Link:
        link = Link(self._next_link_id, inbound, self.now(), node)
        self._next_link_id += 1
        return link

    def mark_dirty(self, *, save: bool = True, update: bool = True, fsync: bool = True) -> None:
        """Save nodes.conf and/or recompute the state before the next reply or cron end.

        The save is fsynced (issue 7: fsync on every change) unless every change since
        the last save passed ``fsync=False``: CLUSTER SETSLOT, which redis 7.0 also
        writes without fsync (``CLUSTER_TODO_SAVE_CONFIG`` alone), except when it bumps
        the config epoch or turns the node into a replica.
        """
        self.todo_save |= save
        self.todo_update_state |= update
        self.todo_fsync |= save and fsync

    def free_link(self, link: Link) -> None:
        """Close ``link`` and detach it from its node (Redis's ``freeClusterLink``)."""
        if link.closed:
            return
        link.closed = True
        node = link.node
        if node is not None:
            if node.link is link:
                node.link = None
            if node.inbound_link is link:
                node.inbound_link = None
        self.transport.close(link)

    def delete_node(self, node: ClusterNode) -> None:
        for link in (node.link, node.inbound_link):
            if link is not None:
                self.free_link(link)
        self.state.remove_node(node)
        self.mark_dirty()

    # ---- sending ----------------------------------------------------------------------
    def build(self, mtype: MessageType, body: Body | None = None) -> Message:
        me = self.myself
        master = me.master if (me.is_replica and me.master is not None) else me
        mflags = MessageFlag.NONE
        if me.is_master and self.failover is not None and self.failover.paused:
            mflags = MessageFlag.PAUSED
        return Message(
            type=mtype,
            sender=me.node_id,
            current_epoch=self.state.current_epoch,
            config_epoch=master.config_epoch,
            offset=self.repl_offset,
            myslots=master.slots,
            slaveof=me.master.node_id if me.master is not None else None,
            myip=self.config.announce_ip,
            port=self.config.announced_port,
            pport=0,
            cport=self.config.announced_cport,
            flags=me.flags,
            state=self.state.health,
            mflags=mflags,
            body=body if body is not None else GossipBody(),
        )

    def send(self, link: Link | None, msg: Message) -> None:
        if link is None or link.closed:
            return
        data = encode(msg)
        link.sent_bytes += len(data)
        counters = self.state.counters
        counters.sent[msg.type] = counters.sent.get(msg.type, 0) + 1
        counters.sent_bytes += len(data)
        self.transport.send(link, data)

    def send_ping(self, link: Link, mtype: MessageType) -> None:
        body = gossip.build_section(self, link)
        if mtype is MessageType.PING and link.node is not None and not link.inbound:
            link.node.ping_sent = self.now()
        self.send(link, self.build(mtype, body))

    def broadcast(self, msg: Message) -> None:
        for node in list(self.state.nodes.values()):
            if node.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE):
                continue
            self.send(node.link, msg)

    def broadcast_pong(self) -> None:
        for node in list(self.state.nodes.values()):
            if node.link is None or node.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE):
                continue
            self.send_ping(node.link, MessageType.PONG)

    def send_fail(self, node: ClusterNode) -> None:
        self.broadcast(self.build(MessageType.FAIL, FailBody(node.node_id)))

    def send_update(self, link: Link | None, about: ClusterNode) -> None:
        if link is None:
            return
        body = UpdateBody(about.config_epoch, about.node_id, about.slots)
        self.send(link, self.build(MessageType.UPDATE, body))

    # ---- transport events -------------------------------------------------------------
    def accept(self, peer_ip: str, local_ip: str) -> Link:
        """A peer connected to our bus port."""
        link = self.new_link(inbound=True)
        link.peer_ip, link.local_ip, link.connected = peer_ip, local_ip, True
        return link

    def link_up(self, link: Link, local_ip: str = "") -> None:
        """An outbound connection completed: greet with MEET (if flagged) or PING."""
        node = link.node
        if link.closed or node is None:
            return
        link.connected = True
        link.local_ip = local_ip
        old_ping_sent = node.ping_sent
        mtype = MessageType.MEET if node.flags & NodeFlag.MEET else MessageType.PING
        self.send_ping(link, mtype)
        if old_ping_sent:
            node.ping_sent = old_ping_sent
        node.flags &= ~NodeFlag.MEET
        self._before_sleep()

    def link_down(self, link: Link) -> None:
        """The peer closed the link, or an outbound connect failed."""
        was_connected = link.connected
        node = link.node
        self.free_link(link)
        if node is not None and not link.inbound and not was_connected and node.ping_sent == 0:
            # An unreachable node must still time out: count the failed connect as a ping.
            node.ping_sent = self.now()
        self._before_sleep()

    def receive(self, link: Link, data: bytes) -> bool:
        """One framed packet from ``link``; malformed packets close the link. Returns
        whether the link is still open."""
        if link.closed:
            return False
        link.received_bytes += len(data)
        self.state.counters.received_bytes += len(data)
        try:
            msg = decode(data)
        except WireError as exc:
            peer = link.node.node_id if link.node is not None else link.peer_ip
            if peer not in self._bad_peers:
                self._bad_peers.add(peer)
                log.warning(
                    "cluster bus: dropped a bad packet from %s (%s); closing link", peer, exc
                )
            self.free_link(link)
            self._before_sleep()
            return False
        process(self, link, msg)
        self._before_sleep()
        return not link.closed

    def bad_frame(self, link: Link, reason: str) -> None:
        """The transport could not frame the stream (bad signature or length)."""
        peer = link.node.node_id if link.node is not None else link.peer_ip
        if peer not in self._bad_peers:
            self._bad_peers.add(peer)
            log.warning("cluster bus: bad data from %s (%s); closing link", peer, reason)
        self.free_link(link)
        self._before_sleep()

    # ---- cron -------------------------------------------------------------------------
    def cron(self) -> None:
        """Every 100 ms: reconnect, ping, detect timeouts (Redis's ``clusterCron``)."""
        self.iteration += 1
        now = self.now()
        timeout = self.config.node_timeout
        handshake_timeout = max(timeout, 1000)
        limit = self.config.link_sendbuf_limit
        for node in list(self.state.nodes.values()):
            if limit:
                self._enforce_sendbuf_limit(node, limit)
            if node.flags & (NodeFlag.MYSELF | NodeFlag.NOADDR):
                continue
            if node.in_handshake and now - node.ctime > handshake_timeout:
                self.delete_node(node)
                continue
            if node.link is None:
                node.link = self.new_link(inbound=False, node=node)
                self.transport.connect(node.link, node.ip, node.cport)
        if self.iteration % 10 == 0:
            self._ping_random_node()
        update = False
        for node in list(self.state.nodes.values()):
            now = self.now()
            if node.flags & (NodeFlag.MYSELF | NodeFlag.NOADDR | NodeFlag.HANDSHAKE):
                continue
            ping_delay = now - node.ping_sent
            data_delay = now - node.data_received
            link: Link | None = node.link
            if (
                link is not None
                and link.connected
                and now - link.ctime > timeout
                and node.ping_sent
                and ping_delay > timeout // 2
                and data_delay > timeout // 2
            ):
                self.free_link(link)
                link = None
            if (
                link is not None
                and link.connected
                and node.ping_sent == 0
                and now - node.pong_received > timeout // 2
            ):
                self.send_ping(link, MessageType.PING)
                continue
            if node.ping_sent == 0:
                continue
            if min(ping_delay, data_delay) > timeout and not node.flags & (
                NodeFlag.PFAIL | NodeFlag.FAIL
            ):
                log.info("*** NODE %s possibly failing", node.node_id)
                node.flags |= NodeFlag.PFAIL
                update = True
        self._expire_blacklist(now)
        if self.failover is not None:
            self.failover.cron()
        if update or self.state.health is ClusterHealth.FAIL:
            self.todo_update_state = True
        self._before_sleep()

    def _enforce_sendbuf_limit(self, node: ClusterNode, limit: int) -> None:
        """``cluster-link-sendbuf-limit``: drop a link whose peer does not read."""
        for link in (node.link, node.inbound_link):
            if link is not None and self.transport.buffered(link) > limit:
                log.warning(
                    "Freeing cluster link (%s node %s) due to exceeding send buffer limit",
                    link.direction.value,
                    node.node_id,
                )
                self.free_link(link)
                self.state.counters.links_buffer_limit_exceeded += 1

    def _ping_random_node(self) -> None:
        candidates = list(self.state.nodes.values())
        best: ClusterNode | None = None
        for _ in range(5):
            node = self.rng.choice(candidates)
            if node.link is None or not node.link.connected or node.ping_sent != 0:
                continue
            if node.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE):
                continue
            if best is None or node.pong_received < best.pong_received:
                best = node
        if best is not None and best.link is not None:
            self.send_ping(best.link, MessageType.PING)

    def _expire_blacklist(self, now: int) -> None:
        for node_id in [n for n, exp in self.state.blacklist.items() if exp < now]:
            del self.state.blacklist[node_id]

    # ---- state ------------------------------------------------------------------------
    def update_state(self) -> None:
        """Recompute ``cluster_state`` with Redis's delays (``clusterUpdateState``)."""
        now = self.now()
        if self.first_update_time == 0:
            self.first_update_time = now
        state = self.state
        if (
            self.myself.is_master
            and state.health is ClusterHealth.FAIL
            and now - self.first_update_time < WRITABLE_DELAY_MS
        ):
            return
        health, size = state.compute_health(self.config.require_full_coverage)
        state.size = size
        if self._in_minority():
            self.among_minority_time = now
        if health is not state.health:
            rejoin = min(max(self.config.node_timeout, MIN_REJOIN_DELAY_MS), MAX_REJOIN_DELAY_MS)
            if (
                health is ClusterHealth.OK
                and self.myself.is_master
                and now - self.among_minority_time < rejoin
            ):
                return
            log.info("Cluster state changed: %s", "ok" if health is ClusterHealth.OK else "fail")
            state.health = health

    def _in_minority(self) -> bool:
        size = reachable = 0
        for node in self.state.nodes.values():
            if node.is_master and node.slots:
                size += 1
                if not node.flags & (NodeFlag.FAIL | NodeFlag.PFAIL):
                    reachable += 1
        return reachable < size // 2 + 1

    def config_text(self) -> str:
        return nodes_conf.render(
            describe.config_lines(self.state), self.state.current_epoch, self.state.last_vote_epoch
        )

    def save_now(self, *, fsync: bool = True) -> None:
        self.store.save(self.config_text(), fsync=fsync)
        self.todo_save = self.todo_fsync = False

    def _before_sleep(self) -> None:
        if self.todo_update_state:
            self.todo_update_state = False
            self.update_state()
        if self.todo_save:
            try:
                self.save_now(fsync=self.todo_fsync)
            except OSError as exc:
                log.warning("Could not save the cluster config: %s", exc)

    def after_command(self) -> None:
        """Called by the command layer after an operator command changed the state."""
        self._before_sleep()
