"""Build a node's :class:`ClusterState` from ``nodes.conf`` (or a fresh identity)."""

from __future__ import annotations

import random
from pathlib import Path

from nodes.cluster.nodes_conf import CorruptNodesConf, NodesConf
from nodes.cluster.ports import ClusterConfig
from nodes.cluster.state import ClusterNode, ClusterState, random_node_id
from nodes.cluster.wire import NodeFlag


def fresh_state(config: ClusterConfig, rng: random.Random, now: int) -> ClusterState:
    me = ClusterNode(random_node_id(rng), NodeFlag.MYSELF | NodeFlag.MASTER, ctime=now)
    me.ip = config.announce_ip
    me.port, me.cport = config.announced_port, config.announced_cport
    me.hostname = config.announce_hostname
    if config.replica_no_failover:
        me.flags |= NodeFlag.NOFAILOVER
    return ClusterState(myself=me)


def state_from_conf(conf: NodesConf, config: ClusterConfig, path: Path, now: int) -> ClusterState:
    """The saved state; our own address is refreshed from the current configuration."""
    if conf.myself is None:
        raise CorruptNodesConf(path, 1, "no node is flagged myself")
    nodes: dict[str, ClusterNode] = {}
    for rec in conf.nodes:
        node = ClusterNode(rec.node_id, rec.flags, ctime=now)
        node.ip, node.port, node.cport, node.hostname = rec.ip, rec.port, rec.cport, rec.hostname
        node.config_epoch = rec.config_epoch
        node.ping_sent = now if rec.ping_sent else 0
        node.pong_received = now if rec.pong_received else 0
        nodes[rec.node_id] = node
    me = nodes[conf.myself.node_id]
    state = ClusterState(myself=me)
    state.current_epoch = conf.current_epoch
    state.last_vote_epoch = conf.last_vote_epoch
    for node in nodes.values():
        state.add_node(node)
    for lineno, rec in enumerate(conf.nodes, start=1):
        node = nodes[rec.node_id]
        if rec.master_id is not None:
            master = nodes.get(rec.master_id)
            if master is None:
                master = ClusterNode(rec.master_id, NodeFlag.MASTER | NodeFlag.NOADDR, ctime=now)
                nodes[rec.master_id] = master
                state.add_node(master)
            state.set_master_of(node, master)
            node.flags = (node.flags & ~NodeFlag.MASTER) | NodeFlag.SLAVE
        state.assign_mask(rec.slots, node)
        for slot, other_id in rec.migrating + rec.importing:
            other = nodes.get(other_id)
            if other is None:
                raise CorruptNodesConf(path, lineno, f"open slot {slot} names unknown {other_id}")
            table = (
                state.migrating_to if (slot, other_id) in rec.migrating else state.importing_from
            )
            table[slot] = other
    if config.announce_ip:
        me.ip = config.announce_ip
    me.port, me.cport = config.announced_port, config.announced_cport
    me.hostname = config.announce_hostname
    if config.replica_no_failover:
        me.flags |= NodeFlag.NOFAILOVER
    else:
        me.flags &= ~NodeFlag.NOFAILOVER
    return state
