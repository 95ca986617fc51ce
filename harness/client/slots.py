"""Which node serves which hash slot, from CLUSTER SLOTS, shared by every worker.

A MOVED reply updates one slot at once and marks the map stale; the next operation that
finds the map stale refreshes it from CLUSTER SLOTS (one refresh at a time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from nodes.keyslot import HASH_SLOTS, keyslot


class SlotMapError(RuntimeError):
    """CLUSTER SLOTS could not be read from any node."""


def parse_cluster_slots(reply: Any) -> list[str | None]:
    """The owner address ("ip:port") of every slot from a CLUSTER SLOTS reply."""
    owners: list[str | None] = [None] * HASH_SLOTS
    if not isinstance(reply, list):
        raise SlotMapError(f"CLUSTER SLOTS: unexpected reply {reply!r:.200}")
    for entry in reply:
        start, end, primary = int(entry[0]), int(entry[1]), entry[2]
        ip = primary[0].decode() if isinstance(primary[0], bytes) else str(primary[0])
        address = f"{ip}:{int(primary[1])}"
        for slot in range(start, end + 1):
            owners[slot] = address
    return owners


class SlotMap:
    """Slot -> primary address. ``seeds`` are every node's address ("ip:port")."""

    def __init__(self, seeds: Sequence[str]) -> None:
        self.seeds = tuple(seeds)
        self._owners: list[str | None] = [None] * HASH_SLOTS
        self._slot_cache: dict[str, int] = {}
        self.stale = True
        self.refreshes = 0
        self._lock = asyncio.Lock()

    def slot(self, key: str) -> int:
        cached = self._slot_cache.get(key)
        if cached is None:
            if len(self._slot_cache) > 100_000:
                self._slot_cache.clear()
            cached = self._slot_cache[key] = keyslot(key)
        return cached

    def owner(self, slot: int) -> str | None:
        return self._owners[slot]

    def moved(self, slot: int, address: str) -> None:
        """A MOVED reply: the slot is served elsewhere; the whole map may be old."""
        self._owners[slot] = address
        self.stale = True

    def load(self, owners: list[str | None]) -> None:
        self._owners = owners
        self.stale = False
        self.refreshes += 1

    async def refresh(self, fetch: Any, timeout_s: float) -> None:
        """Re-read the map with ``fetch(address, timeout_s) -> CLUSTER SLOTS reply`` from
        the first seed that answers; a refresh already in progress is waited for, not
        repeated. Raises :class:`SlotMapError` when no seed answers."""
        if self._lock.locked():
            async with self._lock:
                return
        async with self._lock:
            errors: list[str] = []
            best: list[str | None] | None = None
            known = [a for a in dict.fromkeys(self._owners) if a is not None]
            for address in dict.fromkeys([*known, *self.seeds]):
                try:
                    owners = parse_cluster_slots(await fetch(address, timeout_s))
                except Exception as e:  # any node may be down, paused or cut off
                    errors.append(f"{address}: {e}")
                    continue
                if all(o is not None for o in owners):
                    self.load(owners)
                    return
                errors.append(f"{address}: slots not fully covered")
                if best is None or owners.count(None) < best.count(None):
                    best = owners
            if best is not None:
                self.load(best)
                return
            raise SlotMapError("CLUSTER SLOTS failed on every node: " + "; ".join(errors))
