"""Which nodes a process fault hits, chosen from the live roles (pure), and reading
those roles from the database (the one impure function here)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence

from base.db import DB, HasPrimaries, Topology
from nemesis.errors import FaultFailed
from nemesis.grudge import majority, minority_size

HOST_TARGETS = frozenset({"one", "minority", "majority", "all"})
"""Targets counted in hosts when nodes share hosts (``kill-one`` kills a host's nodes)."""


def choose_targets(
    target: str,
    nodes: Sequence[str],
    topology: Topology | None,
    rng: random.Random,
    machine_of: Mapping[str, str] | None = None,
) -> list[str]:
    """``one`` / ``minority`` / ``majority`` / ``all`` / ``primaries`` / ``replicas`` of
    ``nodes`` (sorted). Roles come from ``topology``; raises :class:`FaultFailed` when the
    roles are needed but unknown or empty. With ``machine_of`` (node -> its host, when
    nodes share hosts) the counted targets are chosen among the hosts of ``nodes`` and
    hit every one of those nodes on them."""
    if machine_of is not None and target in HOST_TARGETS:
        machines = sorted({machine_of[n] for n in nodes})
        chosen_hosts = set(choose_targets(target, machines, None, rng))
        return sorted(n for n in nodes if machine_of[n] in chosen_hosts)
    order = sorted(nodes)
    rng.shuffle(order)
    if target == "one":
        chosen = order[:1]
    elif target == "minority":
        chosen = order[: max(1, minority_size(len(order)))]
    elif target == "majority":
        chosen = order[: majority(len(order))]
    elif target == "all":
        chosen = order
    elif target in ("primaries", "replicas"):
        if topology is None:
            raise FaultFailed(f"targets {target}: roles unknown (CLUSTER NODES unavailable)")
        pool = topology.primaries if target == "primaries" else topology.replicas
        chosen = [n for n in pool if n in set(nodes)]
        if not chosen:
            raise FaultFailed(f"targets {target}: none among the live nodes")
    else:
        raise ValueError(f"unknown target {target!r}")
    return sorted(chosen)


async def read_topology(db: DB, timeout_s: float, log: Callable[[str], None]) -> Topology | None:
    """The DB's current roles, or None (logged) if it has none or did not answer in time."""
    if not isinstance(db, HasPrimaries):
        return None
    try:
        async with asyncio.timeout(timeout_s):
            return await db.topology()
    except Exception as e:  # a partitioned or dead node: carry on without roles
        log(f"nemesis: could not read the topology: {type(e).__name__}: {e}")
        return None
