"""CLUSTER SETSLOT: open, close and hand over a hash slot, with redis-server 7.0's rules.

- ``MIGRATING node``: only the slot's owner; the target must be a known master.
- ``IMPORTING node``: only a node that does not own the slot; the source must be a known
  master.
- ``STABLE``: forget both open states of the slot.
- ``NODE node``: bind the slot to ``node``. The owner refuses to give it away while it
  still holds keys of the slot; an empty migrating slot is closed. A node that closes a
  slot it was *importing* takes a new config epoch without a cluster-wide agreement
  (``bump_epoch``: only when its epoch is 0 or not the unique maximum) and tells every
  node at once, so its claim wins over the old owner's. A master that gives away its
  last slot becomes a replica of the new owner (when ``cluster-allow-replica-migration``).

nodes.conf is then rewritten without fsync, as redis 7.0 does after SETSLOT; with fsync
when the config epoch was bumped or the node became a replica.

Every refusal raises :class:`ClusterCommandError` with the text after ``-ERR``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from nodes.cluster import admin, packets
from nodes.cluster.admin import ClusterCommandError
from nodes.cluster.engine import ClusterEngine
from nodes.cluster.state import ClusterNode

log = logging.getLogger("splitbrain.migration")

INVALID_ACTION = "Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP"

KeyCounter = Callable[[int], int]
"""slot -> how many keys this node holds in it."""


def require_master(engine: ClusterEngine) -> None:
    if engine.myself.is_replica:
        raise ClusterCommandError("Please use SETSLOT only with masters.")


def _master_named(engine: ClusterEngine, node_id: str, unknown: str) -> ClusterNode:
    node = engine.state.lookup(node_id)
    if node is None:
        raise ClusterCommandError(f"{unknown} {node_id}")
    if node.is_replica:
        raise ClusterCommandError("Target node is not a master")
    return node


def migrating(engine: ClusterEngine, slot: int, node_id: str) -> None:
    state = engine.state
    if state.owners[slot] is not engine.myself:
        raise ClusterCommandError(f"I'm not the owner of hash slot {slot}")
    state.migrating_to[slot] = _master_named(engine, node_id, "I don't know about node")
    engine.mark_dirty(fsync=False)


def importing(engine: ClusterEngine, slot: int, node_id: str) -> None:
    state = engine.state
    if state.owners[slot] is engine.myself:
        raise ClusterCommandError(f"I'm already the owner of hash slot {slot}")
    state.importing_from[slot] = _master_named(engine, node_id, "I don't know about node")
    engine.mark_dirty(fsync=False)


def stable(engine: ClusterEngine, slot: int) -> None:
    engine.state.importing_from.pop(slot, None)
    engine.state.migrating_to.pop(slot, None)
    engine.mark_dirty(fsync=False)


def assign(engine: ClusterEngine, slot: int, node_id: str, keys_in_slot: KeyCounter) -> None:
    """``SETSLOT slot NODE node_id``."""
    state = engine.state
    me = engine.myself
    node = _master_named(engine, node_id, "Unknown node")
    was_mine = state.owners[slot] is me
    held = keys_in_slot(slot)
    if was_mine and node is not me and held:
        raise ClusterCommandError(
            f"Can't assign hashslot {slot} to a different node "
            "while I still hold keys for this hash slot."
        )
    if held == 0:
        state.migrating_to.pop(slot, None)
    state.unassign_slot(slot)
    state.assign_slot(slot, node)
    if was_mine and node is not me and me.numslots == 0 and engine.config.allow_replica_migration:
        log.warning(
            "Configuration change detected. Reconfiguring myself as a replica of %s",
            node.node_id,
        )
        packets.set_my_master(engine, node)
    if node is me and slot in state.importing_from:
        bumped, _ = admin.bump_epoch(engine)
        if bumped:
            log.warning("configEpoch updated after importing slot %d", slot)
        del state.importing_from[slot]
        engine.broadcast_pong()
    engine.mark_dirty(fsync=False)  # bump_epoch and set_my_master asked for fsync
