"""Cluster faults sent as commands to the nodes: manual failover and live resharding.

Commands go over one plain connection per node (redis-py's asyncio client, no cluster
routing, no retries) to the address the harness reaches each node at.

Resharding follows the Redis Cluster protocol, one slot at a time: the target is told
``CLUSTER SETSLOT s IMPORTING src``, the source ``SETSLOT s MIGRATING dst``, keys move in
batches with ``CLUSTER GETKEYSINSLOT`` + ``MIGRATE ... KEYS``, and finally both (then the
other primaries) learn ``SETSLOT s NODE dst``. Clients keep working throughout: they get
``ASK`` redirections while a slot is half-moved.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from typing import Any

import redis.asyncio as aioredis

from base.db import NodeHost, Topology
from base.op import Op, OpType
from nemesis.errors import FaultFailed
from nemesis.faultspec import FaultSpec
from nemesis.options import NemesisOptions
from nemesis.protocol import FaultEnv
from nemesis.targets import read_topology
from nodes.keyslot import keyslot

CLUSTER_FS = frozenset({"failover", "reshard"})


@contextlib.asynccontextmanager
async def node_connection(host: NodeHost, timeout_s: float) -> AsyncIterator[aioredis.Redis]:
    conn = aioredis.Redis(
        host=host.ip,
        port=host.port,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        single_connection_client=True,
    )
    try:
        yield conn
    finally:
        await conn.aclose()


async def command(conn: aioredis.Redis, *args: str | int | bytes) -> Any:
    """One command on a plain connection (redis-py leaves execute_command untyped)."""
    return await conn.execute_command(*args)  # type: ignore[no-untyped-call]


def slots_of(topology: Topology, node: str) -> list[int]:
    return [s for lo, hi in topology.slots_of.get(node, ()) for s in range(lo, hi + 1)]


def choose_reshard_pair(
    topology: Topology, live: Sequence[str], rng: random.Random
) -> tuple[str, str]:
    """Pure: (source, target), random live primaries with ids; the source owns slots."""
    primaries = [p for p in topology.primaries if p in set(live) and p in topology.node_ids]
    sources = [p for p in primaries if slots_of(topology, p)]
    if len(primaries) < 2 or not sources:
        raise FaultFailed(
            f"reshard: needs 2 live primaries with ids, one with slots; have {primaries}"
        )
    src = rng.choice(sorted(sources))
    dst = rng.choice(sorted(p for p in primaries if p != src))
    return src, dst


def choose_slots(
    owned: Sequence[int], occupied: Collection[int], count: int, rng: random.Random
) -> list[int]:
    """Pure: ``count`` slots of ``owned`` to move, those holding keys first (moving an
    empty slot tests little), the rest a run of consecutive slots from a random start."""
    own = set(owned)
    chosen = sorted(s for s in set(occupied) if s in own)
    rng.shuffle(chosen)
    chosen = chosen[:count]
    if len(chosen) < count and owned:
        start = rng.randrange(len(owned))
        for slot in [*owned[start:], *owned[:start]]:
            if len(chosen) >= count:
                break
            if slot not in chosen:
                chosen.append(slot)
    return sorted(chosen)


class ClusterNemesis:
    """Handles ``failover`` and ``reshard``; needs the DB's live roles (HasPrimaries, on
    the specs: the package checks it at setup)."""

    def __init__(self, options: NemesisOptions, specs: Iterable[FaultSpec]) -> None:
        self.options = options
        self.specs = {s.name: s for s in specs}
        self._env: FaultEnv | None = None
        self._hosts: dict[str, NodeHost] = {}

    @property
    def fs(self) -> frozenset[str]:
        return CLUSTER_FS

    async def setup(self, env: FaultEnv) -> None:
        self._env = env
        self._hosts = {h.name: h for h in env.hosts}

    async def invoke(self, op: Op) -> Op:
        env = self._require_env()
        topology = await read_topology(env.db, self.options.topology_timeout_s, env.log)
        if topology is None:
            return op.complete(OpType.FAIL, error="roles unknown (CLUSTER NODES unavailable)")
        try:
            if op.f == "failover":
                spec = self.specs.get(str(op.value))
                mode = spec.target if spec is not None and spec.target else "default"
                return await self._failover(op, topology, mode, env.rng)
            if op.f == "reshard":
                return await self._reshard(op, topology, env)
        except FaultFailed as e:
            return op.complete(OpType.FAIL, error=str(e))
        raise ValueError(f"cluster nemesis: unknown f {op.f!r}")

    async def teardown(self) -> None:
        """Nothing to undo: a failover or a finished reshard is the new normal."""

    async def _failover(self, op: Op, topology: Topology, mode: str, rng: random.Random) -> Op:
        pairs = [
            (r, p)
            for p in topology.primaries
            for r in topology.replicas_of.get(p, ())
            if r in self._hosts
        ]
        if not pairs:
            raise FaultFailed("failover: no replica known")
        replica, primary = rng.choice(sorted(pairs))
        args: list[str] = ["CLUSTER", "FAILOVER"]
        if mode != "default":
            args.append(mode.upper())
        value: dict[str, Any] = {"node": replica, "primary": primary, "mode": mode}
        host = self._hosts[replica]
        try:
            async with node_connection(host, self.options.command_timeout_s) as conn:
                await command(conn, *args)
                promoted = await self._wait_promoted(conn)
        except (aioredis.RedisError, OSError) as e:
            return op.complete(OpType.INFO, value=value, error=f"{replica}: {e}")
        return op.complete(OpType.OK, value={**value, "promoted": promoted})

    async def _wait_promoted(self, conn: aioredis.Redis) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.failover_wait_s
        while True:
            role = await command(conn, "ROLE")
            first = role[0] if isinstance(role, list | tuple) and role else role
            if first in (b"master", "master"):
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.1)

    async def _reshard(self, op: Op, topology: Topology, env: FaultEnv) -> Op:
        src, dst = choose_reshard_pair(topology, list(self._hosts), env.rng)
        try:
            occupied = await self._occupied_slots(self._hosts[src])
        except (aioredis.RedisError, OSError) as e:
            env.log(f"nemesis: reshard could not scan {src}: {e}")
            occupied = set()
        slots = choose_slots(slots_of(topology, src), occupied, self.options.reshard_slots, env.rng)
        src_id, dst_id = topology.node_ids[src], topology.node_ids[dst]
        others = [p for p in topology.primaries if p not in (src, dst) and p in self._hosts]
        moved: list[int] = []
        keys = 0
        value: dict[str, Any] = {"from": src, "to": dst, "slots": slots}
        timeout = self.options.command_timeout_s
        try:
            async with (
                node_connection(self._hosts[src], timeout) as source,
                node_connection(self._hosts[dst], timeout) as target,
            ):
                for slot in slots:
                    keys += await self._move_slot(
                        source,
                        target,
                        dst=self._hosts[dst],
                        slot=slot,
                        src_id=src_id,
                        dst_id=dst_id,
                    )
                    moved.append(slot)
                    for other in others:  # best effort: gossip would tell them anyway
                        with contextlib.suppress(aioredis.RedisError, OSError):
                            async with node_connection(self._hosts[other], timeout) as conn:
                                await command(conn, "CLUSTER", "SETSLOT", slot, "NODE", dst_id)
        except (aioredis.RedisError, OSError) as e:
            env.log(f"nemesis: reshard {src}->{dst} stopped at slot {len(moved)}: {e}")
            return op.complete(
                OpType.INFO,
                value={**value, "moved": moved, "keys": keys},
                error=f"reshard stopped after {len(moved)} slots: {e}",
            )
        return op.complete(OpType.OK, value={**value, "moved": moved, "keys": keys})

    async def _occupied_slots(self, host: NodeHost, max_keys: int = 10_000) -> set[int]:
        """Slots of (at most ``max_keys``) keys the node holds, found with SCAN."""
        slots: set[int] = set()
        seen = 0
        cursor: int | bytes = 0
        async with node_connection(host, self.options.command_timeout_s) as conn:
            while seen < max_keys:
                cursor, keys = await command(conn, "SCAN", cursor, "COUNT", 1000)
                seen += len(keys)
                slots.update(keyslot(k) for k in keys)
                if int(cursor) == 0:
                    break
        return slots

    async def _move_slot(
        self,
        source: aioredis.Redis,
        target: aioredis.Redis,
        *,
        dst: NodeHost,
        slot: int,
        src_id: str,
        dst_id: str,
    ) -> int:
        await command(target, "CLUSTER", "SETSLOT", slot, "IMPORTING", src_id)
        await command(source, "CLUSTER", "SETSLOT", slot, "MIGRATING", dst_id)
        moved = 0
        batch = self.options.reshard_keys_per_batch
        timeout_ms = int(self.options.command_timeout_s * 1000)
        for _ in range(100_000):  # bounded: a slot holds far fewer batches than this
            keys = await command(source, "CLUSTER", "GETKEYSINSLOT", slot, batch)
            if not keys:
                break
            await command(source, "MIGRATE", dst.ip, dst.port, "", 0, timeout_ms, "KEYS", *keys)
            moved += len(keys)
        await command(target, "CLUSTER", "SETSLOT", slot, "NODE", dst_id)
        await command(source, "CLUSTER", "SETSLOT", slot, "NODE", dst_id)
        return moved

    def _require_env(self) -> FaultEnv:
        if self._env is None:
            raise RuntimeError("cluster nemesis used before setup")
        return self._env
