"""Faults target *places*: the machines the nodes run on. A node that has a machine of its
own (``NodeHost.host`` is None) is its own place, so without ``--hosts`` nothing changes;
with ``--hosts`` (or SSH hosts) a place is a host and holds every node on it.

Pure functions: group nodes into places, lift the node roles to place roles (so the grudge
kinds of :mod:`nemesis.grudge` work on hosts unchanged), and expand a grudge over places
to the node grudge it means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from base.db import NodeHost, Topology
from nemesis.grudge import Grudge


@dataclass(frozen=True, slots=True)
class Place:
    """One machine: its name, where its packets are filtered (``netns``), the address
    its nodes share, and its nodes in order."""

    name: str
    ip: str
    netns: str | None
    nodes: tuple[NodeHost, ...]

    @property
    def port(self) -> int:
        """A port something listens on there (its first node's), for reachability probes."""
        return self.nodes[0].port

    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)


def places_of(hosts: Sequence[NodeHost]) -> dict[str, Place]:
    """Place name -> place, in the order of first appearance. Raises ``ValueError`` if
    two nodes of one place disagree on its address."""
    grouped: dict[str, list[NodeHost]] = {}
    for h in hosts:
        grouped.setdefault(h.machine, []).append(h)
    places: dict[str, Place] = {}
    for name, nodes in grouped.items():
        if len({(n.ip, n.netns) for n in nodes}) != 1:
            raise ValueError(f"host {name}: its nodes have different addresses")
        places[name] = Place(name, nodes[0].ip, nodes[0].netns, tuple(nodes))
    return places


def shared(hosts: Sequence[NodeHost]) -> bool:
    """True when some nodes share a machine (faults then name hosts too)."""
    return any(h.host is not None for h in hosts)


def machine_of(hosts: Sequence[NodeHost]) -> dict[str, str]:
    """Node name -> place name."""
    return {h.name: h.machine for h in hosts}


def place_topology(topology: Topology | None, where: Mapping[str, str]) -> Topology | None:
    """The roles seen per place: a place is a primary if it holds a primary, and the
    replicas of a place are the other places holding replicas of its primaries."""
    if topology is None:
        return None
    primaries: list[str] = []
    replicas_of: dict[str, list[str]] = {}
    for p in topology.primaries:
        place = where.get(p)
        if place is None:
            continue
        if place not in primaries:
            primaries.append(place)
        for r in topology.replicas_of.get(p, ()):
            other = where.get(r)
            if other is not None and other != place:
                mine = replicas_of.setdefault(place, [])
                if other not in mine:
                    mine.append(other)
    return Topology(
        primaries=tuple(primaries),
        replicas_of={p: tuple(rs) for p, rs in replicas_of.items()},
    )


def node_grudge(grudge: Grudge, places: Mapping[str, Place]) -> dict[str, frozenset[str]]:
    """Every node of a place drops every node of the places that place drops."""
    out: dict[str, frozenset[str]] = {}
    for place, dropped in grudge.items():
        peers = frozenset(n for d in dropped for n in places[d].node_names)
        for node in places[place].node_names:
            out[node] = peers
    return out


def nodes_on(places: Mapping[str, Place], chosen: Sequence[str]) -> list[str]:
    """The node names on the ``chosen`` places, sorted."""
    return sorted(n for c in chosen for n in places[c].node_names)
