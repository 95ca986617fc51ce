"""Text and reply shapes of CLUSTER NODES / INFO / SLOTS / SHARDS / LINKS, as redis 7.0.

Pure functions of a :class:`ClusterState`; aggregate replies are returned as plain
Python values (``list``, ``dict`` for RESP maps, ``int``, ``str``) that the command layer
turns into frames.
"""

from __future__ import annotations

from collections.abc import Callable

from nodes.cluster import slots as slotset
from nodes.cluster.nodes_conf import flags_text
from nodes.cluster.state import ClusterNode, ClusterState, Link
from nodes.cluster.wire import ClusterHealth, MessageType, NodeFlag


class _Null:
    """A null bulk reply (``$-1`` / ``_``)."""

    def __repr__(self) -> str:
        return "NULL"


NULL = _Null()

ReplyValue = int | str | _Null | list["ReplyValue"] | dict[str, "ReplyValue"]


def node_line(state: ClusterState, node: ClusterNode) -> str:
    """One CLUSTER NODES line (without the trailing newline)."""
    address = node.address()
    if node.hostname:
        address += "," + node.hostname
    master = node.master.node_id if node.master is not None else "-"
    link = "connected" if (node.link is not None or node.is_myself) else "disconnected"
    parts = [
        node.node_id,
        address,
        flags_text(node.flags & ~(NodeFlag.MEET | NodeFlag.MIGRATE_TO)),
        master,
        str(node.ping_sent),
        str(node.pong_received),
        str(node.shown_epoch),
        link,
        *slotset.format_ranges(node.slots),
    ]
    if node.is_myself:
        for slot in sorted({*state.migrating_to, *state.importing_from}):
            if slot in state.migrating_to:
                parts.append(f"[{slot}->-{state.migrating_to[slot].node_id}]")
            else:
                parts.append(f"[{slot}-<-{state.importing_from[slot].node_id}]")
    return " ".join(parts)


def nodes_text(state: ClusterState, *, include_handshake: bool = True) -> str:
    lines = [
        node_line(state, n) for n in state.nodes.values() if include_handshake or not n.in_handshake
    ]
    return "".join(line + "\n" for line in lines)


def config_lines(state: ClusterState) -> list[str]:
    return [node_line(state, n) for n in state.nodes.values() if not n.in_handshake]


def info_text(state: ClusterState) -> str:
    assigned, ok, pfail, fail = state.slot_stats()
    me = state.myself
    my_epoch = me.shown_epoch
    lines = [
        f"cluster_state:{'ok' if state.health is ClusterHealth.OK else 'fail'}",
        f"cluster_slots_assigned:{assigned}",
        f"cluster_slots_ok:{ok}",
        f"cluster_slots_pfail:{pfail}",
        f"cluster_slots_fail:{fail}",
        f"cluster_known_nodes:{len(state.nodes)}",
        f"cluster_size:{state.size}",
        f"cluster_current_epoch:{state.current_epoch}",
        f"cluster_my_epoch:{my_epoch}",
    ]
    counters = state.counters
    total = 0
    for mtype in MessageType:
        n = counters.sent.get(mtype, 0)
        if n:
            total += n
            lines.append(f"cluster_stats_messages_{mtype.stats_name}_sent:{n}")
    lines.append(f"cluster_stats_messages_sent:{total}")
    total = 0
    for mtype in MessageType:
        n = counters.received.get(mtype, 0)
        if n:
            total += n
            lines.append(f"cluster_stats_messages_{mtype.stats_name}_received:{n}")
    lines.append(f"cluster_stats_messages_received:{total}")
    lines.append(
        f"total_cluster_links_buffer_limit_exceeded:{counters.links_buffer_limit_exceeded}"
    )
    return "".join(line + "\r\n" for line in lines)


def endpoint(node: ClusterNode, preferred: str = "ip") -> str:
    """What clients are told to connect to (``cluster-preferred-endpoint-type``)."""
    if preferred == "ip":
        return node.ip
    if preferred == "hostname":
        return node.hostname or "?"
    return ""  # unknown-endpoint: "the address you used" ("MOVED 12182 :30002")


def _slot_node(node: ClusterNode, preferred: str) -> list[ReplyValue]:
    extra: dict[str, ReplyValue] = {}
    if preferred != "ip":
        extra["ip"] = node.ip
    if preferred != "hostname" and node.hostname:
        extra["hostname"] = node.hostname
    where: ReplyValue = endpoint(node, preferred) if preferred != "unknown-endpoint" else NULL
    return [where, node.port, node.node_id, extra]


def _replica_available(node: ClusterNode, my_offset: int) -> bool:
    """Redis lists a replica in CLUSTER SLOTS once it is not FAIL and has some data."""
    if node.failed:
        return False
    return (my_offset if node.is_myself else node.repl_offset) != 0


def slots_reply(state: ClusterState, preferred: str = "ip", my_offset: int = 0) -> list[ReplyValue]:
    """One entry per run of consecutive slots with the same owner, by slot."""
    runs: list[tuple[int, int, ClusterNode]] = []
    for node in state.nodes.values():
        if node.slots:
            runs.extend((start, end, node) for start, end in slotset.ranges(node.slots))
    runs.sort(key=lambda run: run[0])
    out: list[ReplyValue] = []
    for start, end, node in runs:
        entry: list[ReplyValue] = [start, end, _slot_node(node, preferred)]
        entry.extend(
            _slot_node(r, preferred) for r in node.replicas if _replica_available(r, my_offset)
        )
        out.append(entry)
    return out


def _offset(node: ClusterNode, my_offset: int) -> int:
    return my_offset if node.is_myself else node.repl_offset


def _shard_node(node: ClusterNode, my_offset: int, preferred: str) -> dict[str, ReplyValue]:
    offset = _offset(node, my_offset)
    entry: dict[str, ReplyValue] = {
        "id": node.node_id,
        "port": node.port,
        "ip": node.ip,
        "endpoint": endpoint(node, preferred),
    }
    if node.hostname:
        entry["hostname"] = node.hostname
    if node.failed:
        health = "fail"
    elif node.is_replica and offset == 0:
        health = "loading"
    else:
        health = "online"
    entry["role"] = "replica" if node.is_replica else "master"
    entry["replication-offset"] = offset
    entry["health"] = health
    return entry


def shards_reply(
    state: ClusterState, my_offset: int = 0, preferred: str = "ip"
) -> list[ReplyValue]:
    out: list[ReplyValue] = []
    for node in state.nodes.values():
        if not node.is_master:
            continue
        bounds: list[ReplyValue] = []
        for start, end in slotset.ranges(node.slots):
            bounds.extend((start, end))
        members: list[ReplyValue] = [_shard_node(node, my_offset, preferred)]
        members.extend(_shard_node(r, my_offset, preferred) for r in node.replicas)
        out.append({"slots": bounds, "nodes": members})
    return out


def links_reply(
    state: ClusterState, buffered: Callable[[Link], int] = lambda link: 0
) -> list[ReplyValue]:
    out: list[ReplyValue] = []
    for node in state.nodes.values():
        for link in (node.link, node.inbound_link):
            if link is None:
                continue
            out.append(
                {
                    "direction": link.direction.value,
                    "node": node.node_id,
                    "create-time": link.ctime,
                    "events": "r" if link.inbound else "rw",
                    "send-buffer-allocated": buffered(link),
                    "send-buffer-used": buffered(link),
                }
            )
    return out
