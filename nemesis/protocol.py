"""The nemesis contract, after Jepsen's: setup, invoke an operation, teardown.

Fault operations are ordinary history events with ``process == "nemesis"``: the
invocation says what to do (``f`` such as ``start-partition``, ``value`` the grudge or
the targets), the completion says what was done. The harness records both.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from base.db import DB, NodeHost
from base.op import Op


@dataclass(frozen=True)
class FaultEnv:
    """What a nemesis may act on: the database (with its optional abilities: Killable,
    Pausable, HasPrimaries), the hosts, a seeded random source and a logger."""

    db: DB
    hosts: Sequence[NodeHost]
    rng: random.Random
    log: Callable[[str], None]


class Nemesis(Protocol):
    @property
    def fs(self) -> frozenset[str]:
        """The operation names (``f``) this nemesis handles."""
        ...

    async def setup(self, env: FaultEnv) -> None:
        """Prepare (for example check that nftables works); must not inject a fault."""
        ...

    async def invoke(self, op: Op) -> Op:
        """Carry out the nemesis invocation ``op`` and return its completion
        (``op.complete(...)`` with the value describing what was actually done)."""
        ...

    async def teardown(self) -> None:
        """Undo every fault this nemesis may have left (heal, resume, restart). Must try
        every step even if one fails, and be safe to call twice."""
        ...
