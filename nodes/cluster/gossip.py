"""Gossip sections and failure detection: PFAIL reports -> FAIL, and FAIL cleared again.

A PING/PONG/MEET carries ``max(3, N/10)`` random healthy nodes plus every node we think
is PFAIL. Masters' gossip saying "PFAIL/FAIL" becomes a failure report (valid
``2 * node_timeout``); reports from a majority of slot-owning masters (counting
ourselves when we are a master) turn PFAIL into FAIL, which is broadcast.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nodes.cluster.state import ClusterNode, Link
from nodes.cluster.wire import Extension, GossipBody, GossipEntry, Message, NodeFlag

if TYPE_CHECKING:
    from nodes.cluster.engine import ClusterEngine

log = logging.getLogger("splitbrain.cluster")

FAIL_REPORT_VALIDITY_MULT = 2
FAIL_UNDO_TIME_MULT = 2


def _entry(node: ClusterNode) -> GossipEntry:
    return GossipEntry(
        node.node_id,
        node.ping_sent // 1000,
        node.pong_received // 1000,
        node.ip,
        node.port,
        node.cport,
        node.flags,
        node.pport,
    )


def build_section(engine: ClusterEngine, link: Link) -> GossipBody:
    """The gossip entries and ping extensions of our next PING/PONG/MEET."""
    nodes = list(engine.state.nodes.values())
    fresh = len(nodes) - 2
    wanted = min(max(3, len(nodes) // 10), fresh)
    pfail_wanted = sum(1 for n in nodes if n.flags & NodeFlag.PFAIL)
    chosen: dict[str, ClusterNode] = {}
    iterations = wanted * 3
    while fresh > 0 and len(chosen) < wanted and iterations > 0:
        iterations -= 1
        node = engine.rng.choice(nodes)
        if node.is_myself or node.flags & NodeFlag.PFAIL:
            continue
        if node.flags & (NodeFlag.HANDSHAKE | NodeFlag.NOADDR) or (
            node.link is None and node.numslots == 0
        ):
            fresh -= 1  # as redis does: not exact, but bounds the loop
            continue
        if node.node_id in chosen:
            continue
        chosen[node.node_id] = node
        fresh -= 1
    if pfail_wanted:
        for node in nodes:
            if pfail_wanted == 0:
                break
            if not node.flags & NodeFlag.PFAIL:
                continue
            if node.flags & (NodeFlag.HANDSHAKE | NodeFlag.NOADDR):
                continue
            chosen[node.node_id] = node
            pfail_wanted -= 1
    extensions: tuple[Extension, ...] = ()
    if engine.config.announce_hostname:
        extensions = (Extension.hostname(engine.config.announce_hostname),)
    return GossipBody(tuple(_entry(n) for n in chosen.values()), extensions)


# ---- failure reports -------------------------------------------------------------------


def _clean_reports(engine: ClusterEngine, node: ClusterNode) -> None:
    horizon = engine.now() - engine.config.node_timeout * FAIL_REPORT_VALIDITY_MULT
    for reporter in [r for r, t in node.fail_reports.items() if t < horizon]:
        del node.fail_reports[reporter]


def add_failure_report(engine: ClusterEngine, node: ClusterNode, sender: ClusterNode) -> bool:
    """True when this is a new report (an existing one only gets its time refreshed)."""
    new = sender.node_id not in node.fail_reports
    node.fail_reports[sender.node_id] = engine.now()
    return new


def count_failure_reports(engine: ClusterEngine, node: ClusterNode) -> int:
    _clean_reports(engine, node)
    return len(node.fail_reports)


def mark_failing_if_needed(engine: ClusterEngine, node: ClusterNode) -> None:
    needed = engine.state.size // 2 + 1
    if not node.timed_out or node.failed:
        return
    failures = count_failure_reports(engine, node)
    if engine.myself.is_master:
        failures += 1
    if failures < needed:
        return
    log.info("Marking node %s as failing (quorum reached).", node.node_id)
    node.flags = (node.flags & ~NodeFlag.PFAIL) | NodeFlag.FAIL
    node.fail_time = engine.now()
    engine.send_fail(node)
    engine.mark_dirty()


def clear_failure_if_needed(engine: ClusterEngine, node: ClusterNode) -> None:
    """A FAIL node answered again: replicas and slotless masters are cleared at once, a
    master with slots only when nobody failed it over for ``2 * node_timeout``."""
    now = engine.now()
    if node.is_replica or node.numslots == 0:
        log.info("Clear FAIL state for node %s: it is reachable again.", node.node_id)
        node.flags &= ~NodeFlag.FAIL
        engine.mark_dirty()
    if (
        node.is_master
        and node.numslots > 0
        and now - node.fail_time > engine.config.node_timeout * FAIL_UNDO_TIME_MULT
    ):
        log.info("Clear FAIL state for node %s: it is serving slots again.", node.node_id)
        node.flags &= ~NodeFlag.FAIL
        engine.mark_dirty()


# ---- processing a received section -------------------------------------------------------


def process_section(engine: ClusterEngine, msg: Message, sender: ClusterNode | None) -> None:
    assert isinstance(msg.body, GossipBody)
    state = engine.state
    now = engine.now()
    for entry in msg.body.entries:
        flags = entry.flags
        node = state.lookup(entry.node_id)
        if node is not None:
            if sender is not None and sender.is_master and node is not engine.myself:
                if flags & (NodeFlag.FAIL | NodeFlag.PFAIL):
                    if add_failure_report(engine, node, sender):
                        log.debug("%s reported %s as not reachable", sender.node_id, node.node_id)
                    mark_failing_if_needed(engine, node)
                elif node.fail_reports.pop(sender.node_id, None) is not None:
                    log.debug("%s reported %s is back online", sender.node_id, node.node_id)
            if (
                not flags & (NodeFlag.FAIL | NodeFlag.PFAIL)
                and node.ping_sent == 0
                and count_failure_reports(engine, node) == 0
            ):
                pong = entry.pong_received * 1000
                if pong <= now + 500 and pong > node.pong_received:
                    node.pong_received = pong
            if (
                node.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)
                and not flags & NodeFlag.NOADDR
                and not flags & (NodeFlag.FAIL | NodeFlag.PFAIL)
                and (node.ip != entry.ip or node.port != entry.port or node.cport != entry.cport)
            ):
                if node.link is not None:
                    engine.free_link(node.link)
                node.ip, node.port, node.cport = entry.ip, entry.port, entry.cport
                node.pport = entry.pport
                node.flags &= ~NodeFlag.NOADDR
        elif (
            sender is not None
            and not flags & NodeFlag.NOADDR
            and entry.node_id not in state.blacklist
            and _plausible_id(entry.node_id)
        ):
            fresh = ClusterNode(entry.node_id, flags & ~NodeFlag.MYSELF, ctime=now)
            fresh.ip, fresh.port, fresh.cport, fresh.pport = (
                entry.ip,
                entry.port,
                entry.cport,
                entry.pport,
            )
            state.add_node(fresh)
            engine.mark_dirty()


def _plausible_id(node_id: str) -> bool:
    return len(node_id) == 40 and all(c in "0123456789abcdef" for c in node_id)
