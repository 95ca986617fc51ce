"""Reading a node's view of the cluster: CLUSTER NODES -> Topology, INFO -> fields,
and a one-shot admin call on a fresh connection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import hiredis

from base.db import NodeHost, Topology
from harness.client.resp import Reply, RespConnection


class AdminError(RuntimeError):
    """An admin command got an error reply."""


async def admin_call(host: NodeHost, *args: str | bytes | int, timeout_s: float = 2.0) -> Reply:
    """One command on a fresh connection to ``host``; raises OSError or AdminError."""
    conn = await RespConnection.open(host.ip, host.port, timeout_s)
    try:
        reply = await conn.call(*args, timeout_s=timeout_s)
    finally:
        conn.close()
    if isinstance(reply, hiredis.ReplyError):
        raise AdminError(f"{host.name}: {' '.join(map(str, args))}: {reply}")
    return reply


def parse_info(text: bytes | str) -> dict[str, str]:
    """``key:value`` lines of INFO / CLUSTER INFO."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, _, v = line.partition(":")
            fields[k.strip()] = v.strip()
    return fields


@dataclass(frozen=True, slots=True)
class NodeLine:
    """One line of CLUSTER NODES."""

    node_id: str
    address: str  # ip:port (without @cport)
    flags: frozenset[str]
    master_id: str | None
    connected: bool
    slots: tuple[tuple[int, int], ...]


def parse_cluster_nodes(text: bytes | str) -> list[NodeLine]:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    lines: list[NodeLine] = []
    for raw in text.splitlines():
        parts = raw.split()
        if len(parts) < 8:
            continue
        address = parts[1].split("@", 1)[0].split(",", 1)[0]
        slots: list[tuple[int, int]] = []
        for token in parts[8:]:
            if token.startswith("["):
                continue  # migrating / importing markers
            lo, _, hi = token.partition("-")
            slots.append((int(lo), int(hi or lo)))
        lines.append(
            NodeLine(
                node_id=parts[0],
                address=address,
                flags=frozenset(parts[2].split(",")),
                master_id=None if parts[3] == "-" else parts[3],
                connected=parts[7] == "connected",
                slots=tuple(slots),
            )
        )
    return lines


def topology_from(lines: list[NodeLine], names: Mapping[str, str]) -> Topology:
    """Roles from one node's CLUSTER NODES; ``names`` maps "ip:port" to node names.

    Primaries are masters that own slots and are not flagged ``fail``; a replica belongs
    to its master even when that master is failed (it is then a candidate)."""
    by_id = {line.node_id: line for line in lines}

    def name(line: NodeLine) -> str:
        return names.get(line.address, line.address)

    primaries = [
        line for line in lines if "master" in line.flags and line.slots and "fail" not in line.flags
    ]
    primaries.sort(key=name)
    replicas_of: dict[str, list[str]] = {}
    for line in lines:
        if "slave" in line.flags and line.master_id in by_id:
            replicas_of.setdefault(name(by_id[line.master_id]), []).append(name(line))
    return Topology(
        primaries=tuple(name(p) for p in primaries),
        replicas_of={k: tuple(sorted(v)) for k, v in sorted(replicas_of.items())},
        slots_of={name(p): p.slots for p in primaries},
        node_ids={name(line): line.node_id for line in lines},
    )
