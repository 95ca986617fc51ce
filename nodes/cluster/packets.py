"""What one received packet does to the cluster state (Redis's ``clusterProcessPacket``).

The order of the steps matters and follows Redis 7.0: epochs first, then the PONG reply
to PING/MEET, the handshake rename, address and role updates, slot ownership (only a
strictly greater config epoch wins), UPDATE to stale claimers, epoch collisions, and
last the gossip section.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nodes.cluster import gossip
from nodes.cluster import slots as slotset
from nodes.cluster.state import ClusterNode, ClusterState, Link, random_node_id
from nodes.cluster.wire import (
    EXT_HOSTNAME,
    FailBody,
    GossipBody,
    Message,
    MessageType,
    NodeFlag,
    UpdateBody,
)
from nodes.keyslot import HASH_SLOTS

if TYPE_CHECKING:
    from nodes.cluster.engine import ClusterEngine

log = logging.getLogger("splitbrain.cluster")

GOSSIP_TYPES = (MessageType.PING, MessageType.PONG, MessageType.MEET)


def _sender_of(engine: ClusterEngine, link: Link, msg: Message) -> ClusterNode | None:
    if link.node is not None and not link.node.in_handshake:
        return link.node
    return engine.state.lookup(msg.sender)


def _announced_ip(link: Link, msg: Message) -> str:
    return msg.myip or link.peer_ip


def process(engine: ClusterEngine, link: Link, msg: Message) -> None:
    state = engine.state
    counters = state.counters
    counters.received[msg.type] = counters.received.get(msg.type, 0) + 1
    if msg.type == engine.drop_packet_type:
        log.warning("Dropping packet that matches debug drop filter")
        return
    now = engine.now()
    sender = _sender_of(engine, link, msg)
    if sender is not None and sender.is_myself:
        sender = None  # a packet claiming to be us is someone else's mistake
    if sender is not None:
        sender.data_received = now
        if link.inbound and link.node is None:
            if sender.inbound_link is not None and sender.inbound_link is not link:
                engine.free_link(sender.inbound_link)
            sender.inbound_link = link
            link.node = sender
    if sender is not None and not sender.in_handshake:
        state.current_epoch = max(state.current_epoch, msg.current_epoch)
        if msg.config_epoch > sender.config_epoch:
            sender.config_epoch = msg.config_epoch
            engine.mark_dirty(update=False, fsync=True)
        sender.repl_offset = msg.offset
        sender.repl_offset_time = now
        if engine.failover is not None:
            engine.failover.on_master_ping(sender, msg)
    if msg.type in GOSSIP_TYPES:
        _process_gossip_message(engine, link, msg, sender)
    elif msg.type is MessageType.FAIL:
        assert isinstance(msg.body, FailBody)
        if sender is None:
            return
        failing = state.lookup(msg.body.node_id)
        if failing is not None and not failing.flags & (NodeFlag.FAIL | NodeFlag.MYSELF):
            log.info("FAIL message received from %s about %s", sender.node_id, failing.node_id)
            failing.flags = (failing.flags | NodeFlag.FAIL) & ~NodeFlag.PFAIL
            failing.fail_time = now
            engine.mark_dirty()
    elif msg.type is MessageType.UPDATE:
        assert isinstance(msg.body, UpdateBody)
        if sender is None:
            return
        about = state.lookup(msg.body.node_id)
        if about is None or about.config_epoch >= msg.body.config_epoch:
            return
        if about.is_replica:
            set_node_as_master(engine, about)
        about.config_epoch = msg.body.config_epoch
        update_slots_config_with(engine, about, msg.body.config_epoch, msg.body.slots)
    elif msg.type in (
        MessageType.FAILOVER_AUTH_REQUEST,
        MessageType.FAILOVER_AUTH_ACK,
        MessageType.MFSTART,
    ):
        handler = engine.failover
        if sender is not None and handler is not None:
            handler.on_message(sender, msg)
    elif (
        msg.type in (MessageType.PUBLISH, MessageType.PUBLISHSHARD)
        and sender is not None
        and engine.on_publish is not None
    ):
        engine.on_publish(msg)
    # MODULE: accepted and ignored.


def _process_gossip_message(
    engine: ClusterEngine, link: Link, msg: Message, sender: ClusterNode | None
) -> None:
    state = engine.state
    me = engine.myself
    now = engine.now()
    if msg.type in (MessageType.PING, MessageType.MEET):
        if (
            (msg.type is MessageType.MEET or not me.ip)
            and not engine.config.announce_ip
            and link.local_ip
            and link.local_ip != me.ip
        ):
            me.ip = link.local_ip
            log.info("IP address for this node updated to %s", me.ip)
            engine.mark_dirty(update=False)
        if sender is None and msg.type is MessageType.MEET:
            node = ClusterNode(_new_id(engine), NodeFlag.HANDSHAKE, ctime=now)
            node.ip = _announced_ip(link, msg)
            node.port, node.pport, node.cport = msg.port, msg.pport, msg.cport
            state.add_node(node)
            engine.mark_dirty()
            gossip.process_section(engine, msg, None)
        engine.send_ping(link, MessageType.PONG)

    if not link.inbound:
        peer = link.node
        assert peer is not None
        if peer.in_handshake:
            if sender is not None:
                update_address_if_needed(engine, sender, link, msg)
                engine.delete_node(peer)
                return
            if not _valid_new_id(engine, msg.sender):
                engine.delete_node(peer)
                return
            state.rename(peer, msg.sender)
            peer.flags &= ~NodeFlag.HANDSHAKE
            peer.flags |= msg.flags & (NodeFlag.MASTER | NodeFlag.SLAVE)
            log.info("Handshake with node %s completed.", peer.node_id)
            engine.mark_dirty()
        elif peer.node_id != msg.sender:
            log.info("PONG with mismatching sender id from %s; dropping its address", peer.node_id)
            peer.flags |= NodeFlag.NOADDR
            peer.ip, peer.port, peer.pport, peer.cport = "", 0, 0, 0
            engine.free_link(link)
            engine.mark_dirty()
            return

    if sender is not None:
        sender.flags = (sender.flags & ~NodeFlag.NOFAILOVER) | (msg.flags & NodeFlag.NOFAILOVER)

    if (
        sender is not None
        and msg.type is MessageType.PING
        and not sender.in_handshake
        and update_address_if_needed(engine, sender, link, msg)
    ):
        engine.mark_dirty()

    if not link.inbound and msg.type is MessageType.PONG and link.node is not None:
        node = link.node
        node.pong_received = now
        node.ping_sent = 0
        if node.timed_out:
            node.flags &= ~NodeFlag.PFAIL
            engine.mark_dirty()
        elif node.failed:
            gossip.clear_failure_if_needed(engine, node)

    if sender is None:
        return

    if msg.slaveof is None:
        set_node_as_master(engine, sender)
    else:
        master = state.lookup(msg.slaveof)
        if sender.is_master:
            state.unassign_all(sender)
            sender.flags = (sender.flags & ~(NodeFlag.MASTER | NodeFlag.MIGRATE_TO)) | (
                NodeFlag.SLAVE
            )
            engine.mark_dirty()
        if master is not None and master is not sender and sender.master is not master:
            state.set_master_of(sender, master)
            engine.mark_dirty()

    sender_master = sender if sender.is_master else sender.master
    dirty = sender_master is not None and sender_master.slots != msg.myslots
    if sender.is_master and dirty:
        update_slots_config_with(engine, sender, msg.config_epoch, msg.myslots)
    if dirty:
        newer = _owner_of_first_newer_slot(state, sender, msg.myslots, msg.config_epoch)
        if newer is not None:
            log.info("Node %s has an old slots configuration, sending UPDATE", sender.node_id)
            engine.send_update(sender.link, newer)

    if me.is_master and sender.is_master and msg.config_epoch == me.config_epoch:
        handle_epoch_collision(engine, sender)

    gossip.process_section(engine, msg, sender)
    assert isinstance(msg.body, GossipBody)
    hostname = ""
    for ext in msg.body.extensions:
        if ext.type == EXT_HOSTNAME:
            hostname = ext.hostname_value()
    if hostname != sender.hostname:
        sender.hostname = hostname
        engine.mark_dirty(update=False)


def _new_id(engine: ClusterEngine) -> str:
    return random_node_id(engine.rng)


def _valid_new_id(engine: ClusterEngine, node_id: str) -> bool:
    return (
        len(node_id) == 40
        and all(c in "0123456789abcdef" for c in node_id)
        and engine.state.lookup(node_id) is None
    )


def update_address_if_needed(
    engine: ClusterEngine, node: ClusterNode, link: Link, msg: Message
) -> bool:
    if link is node.link:
        return False
    ip = _announced_ip(link, msg)
    if (node.ip, node.port, node.cport, node.pport) == (ip, msg.port, msg.cport, msg.pport):
        return False
    node.ip, node.port, node.cport, node.pport = ip, msg.port, msg.cport, msg.pport
    if node.link is not None:
        engine.free_link(node.link)
    node.flags &= ~NodeFlag.NOADDR
    log.info("Address updated for node %s, now %s:%d", node.node_id, ip, msg.port)
    if engine.myself.master is node and engine.listener is not None:
        engine.listener.master_changed(node)
    return True


def set_node_as_master(engine: ClusterEngine, node: ClusterNode) -> None:
    if node.is_master:
        return
    had_master = node.master is not None
    engine.state.set_master_of(node, None)
    if had_master and not node.is_myself:
        node.flags |= NodeFlag.MIGRATE_TO
    engine.mark_dirty()


def _owner_of_first_newer_slot(
    state: ClusterState, sender: ClusterNode, claimed: int, config_epoch: int
) -> ClusterNode | None:
    """The owner of the lowest claimed slot that another node holds at a greater config
    epoch (redis scans the claimed slots in order; one mask test per master is the same
    answer without 16384 lookups per packet while slots move)."""
    best: ClusterNode | None = None
    lowest = HASH_SLOTS
    for node in state.nodes.values():
        if node is sender or node.config_epoch <= config_epoch:
            continue
        overlap = node.slots & claimed
        if overlap:
            first = (overlap & -overlap).bit_length() - 1
            if first < lowest:
                best, lowest = node, first
    return best


def update_slots_config_with(
    engine: ClusterEngine, sender: ClusterNode, config_epoch: int, claimed: int
) -> None:
    """Move to ``sender`` every claimed slot that is unowned or owned at a smaller epoch
    (Redis's ``clusterUpdateSlotsConfigWith``); demote ourselves if we lost everything."""
    state = engine.state
    me = engine.myself
    if sender is me:
        log.info("Discarding UPDATE message about myself.")
        return
    current_master = me if me.is_master else me.master
    new_master: ClusterNode | None = None
    migrated = 0
    lost_with_keys = 0
    for slot in slotset.iter_slots(claimed & ~sender.slots):
        if slot in state.importing_from:
            continue
        owner = state.owners[slot]
        if owner is None or owner.config_epoch < config_epoch:
            if owner is me and sender is not me:
                lost_with_keys |= 1 << slot
            if owner is not None and owner is current_master:
                new_master = sender
                migrated += 1
            state.assign_slot(slot, sender)
            engine.mark_dirty(fsync=True)
    if (
        new_master is not None
        and current_master is not None
        and current_master.numslots == 0
        and (engine.config.allow_replica_migration or sender.numslots == migrated)
    ):
        log.info(
            "Configuration change detected. Reconfiguring myself as a replica of %s", sender.node_id
        )
        set_my_master(engine, sender)
    elif lost_with_keys and engine.listener is not None:
        engine.listener.slots_lost(lost_with_keys)


def set_my_master(engine: ClusterEngine, master: ClusterNode) -> None:
    """Become a replica of ``master`` (Redis's ``clusterSetMaster``)."""
    state = engine.state
    me = engine.myself
    if me.is_master:
        lost = me.slots
        state.unassign_all(me)
        for slot in list(state.importing_from):
            del state.importing_from[slot]
        for slot in list(state.migrating_to):
            del state.migrating_to[slot]
        if lost and engine.listener is not None:
            engine.listener.slots_lost(lost)
    state.set_master_of(me, master)
    if engine.failover is not None:
        engine.failover.reset_manual()
    if engine.listener is not None:
        engine.listener.master_changed(master)
    engine.mark_dirty(fsync=True)


def handle_epoch_collision(engine: ClusterEngine, sender: ClusterNode) -> None:
    """Two masters share a config epoch: the one with the smaller id takes a new one."""
    me = engine.myself
    if sender.config_epoch != me.config_epoch or not sender.is_master or not me.is_master:
        return
    if sender.node_id <= me.node_id:
        return
    engine.state.current_epoch += 1
    me.config_epoch = engine.state.current_epoch
    engine.mark_dirty(fsync=True)
    log.info(
        "WARNING: configEpoch collision with node %s. configEpoch set to %d",
        sender.node_id,
        me.config_epoch,
    )
