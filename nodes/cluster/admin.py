"""Operator actions behind the CLUSTER subcommands, with redis-server 7.0's error texts.

Each function changes the engine's state and raises :class:`ClusterCommandError` (the
text after ``-ERR``) on a refusal; the command layer calls ``engine.after_command()``.
"""

from __future__ import annotations

import ipaddress
import logging

from nodes.cluster import describe, gossip, packets
from nodes.cluster.engine import BLACKLIST_TTL_MS, ClusterEngine
from nodes.cluster.state import ClusterNode, random_node_id
from nodes.cluster.wire import NodeFlag
from nodes.keyslot import HASH_SLOTS

log = logging.getLogger("splitbrain.cluster")


class ClusterCommandError(Exception):
    """A CLUSTER subcommand refused: the message is the reply text without ``ERR``."""


def normalize_ip(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def meet(engine: ClusterEngine, ip: str, port: int, cport: int) -> None:
    """Start a handshake with ``ip:port`` (a duplicate handshake is silently accepted)."""
    norm = normalize_ip(ip)
    if norm is None or not (0 < port <= 65535 and 0 < cport <= 65535):
        raise ClusterCommandError(f"Invalid node address specified: {ip}:{port}")
    for node in engine.state.nodes.values():
        if node.in_handshake and (node.ip, node.port, node.cport) == (norm, port, cport):
            return
    node = ClusterNode(random_node_id(engine.rng), NodeFlag.HANDSHAKE | NodeFlag.MEET)
    node.ctime = engine.now()
    node.ip, node.port, node.cport = norm, port, cport
    engine.state.add_node(node)
    engine.mark_dirty()


def _check_slots(slots: list[int]) -> None:
    seen: set[int] = set()
    for slot in slots:
        if slot in seen:
            raise ClusterCommandError(f"Slot {slot} specified multiple times")
        seen.add(slot)


def add_slots(engine: ClusterEngine, slots: list[int]) -> None:
    state = engine.state
    for slot in slots:
        if state.owners[slot] is not None:
            raise ClusterCommandError(f"Slot {slot} is already busy")
    _check_slots(slots)
    for slot in slots:
        state.importing_from.pop(slot, None)
        state.assign_slot(slot, engine.myself)
    engine.mark_dirty()


def del_slots(engine: ClusterEngine, slots: list[int]) -> None:
    state = engine.state
    for slot in slots:
        if state.owners[slot] is None:
            raise ClusterCommandError(f"Slot {slot} is already unassigned")
    _check_slots(slots)
    for slot in slots:
        state.unassign_slot(slot)
    engine.mark_dirty()


def flush_slots(engine: ClusterEngine, dbsize: int) -> None:
    if dbsize != 0:
        raise ClusterCommandError("DB must be empty to perform CLUSTER FLUSHSLOTS.")
    engine.state.unassign_all(engine.myself)
    engine.mark_dirty()


def set_config_epoch(engine: ClusterEngine, epoch: int) -> None:
    if epoch < 0:
        raise ClusterCommandError(f"Invalid config epoch specified: {epoch}")
    if len(engine.state.nodes) > 1:
        raise ClusterCommandError(
            "The user can assign a config epoch only when the node does not know any other node."
        )
    if engine.myself.config_epoch != 0:
        raise ClusterCommandError("Node config epoch is already non-zero")
    engine.myself.config_epoch = epoch
    log.info("configEpoch set to %d via CLUSTER SET-CONFIG-EPOCH", epoch)
    engine.state.current_epoch = max(engine.state.current_epoch, epoch)
    engine.mark_dirty(fsync=True)


def bump_epoch(engine: ClusterEngine) -> tuple[bool, int]:
    """(bumped?, my config epoch): bump unless I already hold the unique maximum."""
    me = engine.myself
    if me.config_epoch == 0 or me.config_epoch != engine.state.max_epoch():
        engine.state.current_epoch += 1
        me.config_epoch = engine.state.current_epoch
        engine.mark_dirty(fsync=True)
        return True, me.config_epoch
    return False, me.config_epoch


def lookup(engine: ClusterEngine, node_id: str) -> ClusterNode:
    node = engine.state.lookup(node_id)
    if node is None:
        raise ClusterCommandError(f"Unknown node {node_id}")
    return node


def replicate(engine: ClusterEngine, node_id: str, dbsize: int) -> None:
    node = lookup(engine, node_id)
    me = engine.myself
    if node is me:
        raise ClusterCommandError("Can't replicate myself")
    if node.is_replica:  # redis refuses a replica only: a node whose role is not known yet
        raise ClusterCommandError("I can only replicate a master, not a replica.")
    if me.is_master and (me.numslots != 0 or dbsize != 0):
        raise ClusterCommandError(
            "To set a master the node must be empty and without assigned slots."
        )
    packets.set_my_master(engine, node)


def replicas(engine: ClusterEngine, node_id: str) -> list[str]:
    node = lookup(engine, node_id)
    if node.is_replica:
        raise ClusterCommandError("The specified node is not a master")
    return [describe.node_line(engine.state, r) for r in node.replicas]


def forget(engine: ClusterEngine, node_id: str) -> None:
    node = lookup(engine, node_id)
    me = engine.myself
    if node is me:
        raise ClusterCommandError("I tried hard but I can't forget myself...")
    if me.is_replica and me.master is node:
        raise ClusterCommandError("Can't forget my master!")
    engine.state.blacklist[node.node_id] = engine.now() + BLACKLIST_TTL_MS
    engine.delete_node(node)


def reset(engine: ClusterEngine, *, hard: bool, dbsize: int) -> None:
    state = engine.state
    me = engine.myself
    if me.is_master and dbsize != 0:
        raise ClusterCommandError("CLUSTER RESET can't be called with master nodes containing keys")
    if me.is_replica:
        packets.set_node_as_master(engine, me)
        if engine.listener is not None:
            engine.listener.master_changed(None)
    state.migrating_to.clear()
    state.importing_from.clear()
    for slot in range(HASH_SLOTS):
        state.unassign_slot(slot)
    for node in list(state.nodes.values()):
        if node is not me:
            engine.delete_node(node)
    if hard:
        state.current_epoch = 0
        state.last_vote_epoch = 0
        me.config_epoch = 0
        state.rename(me, random_node_id(engine.rng))
        log.info("Node hard reset, now I'm %s", me.node_id)
    engine.mark_dirty(fsync=True)


def count_failure_reports(engine: ClusterEngine, node_id: str) -> int:
    return gossip.count_failure_reports(engine, lookup(engine, node_id))
