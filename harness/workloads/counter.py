"""Counter: INCRBY small deltas and GET on a few keys spread over every primary; final
reads of every key. Jepsen's shape: ``add`` with the delta, ``read`` with the value."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from checkers.models import CheckOptions, checker_for
from checkers.verdict import Checker
from harness.client.outcome import Outcome
from harness.client.resp import pack
from harness.workloads.base import Command, Invocation, WorkloadOptions, WorkloadSpec, spread_keys


class CounterWorkload:
    name = "counter"

    def __init__(self, options: WorkloadOptions) -> None:
        self.options = options
        self.keys = spread_keys(options.key_prefix + "c", max(1, options.keys // 2))

    def invocation(self, rng: random.Random, worker: int, seq: int) -> Invocation:
        key = self.keys[rng.randrange(len(self.keys))]
        if rng.random() < 0.5:
            return Invocation("read", key, None)
        return Invocation("add", key, rng.randint(1, 5))

    def command(self, inv: Invocation) -> Command:
        if inv.f == "add":
            return Command(pack(b"INCRBY", inv.key, inv.value), write=True)
        return Command(pack(b"GET", inv.key), write=False)

    def completion(self, inv: Invocation, reply: Any) -> tuple[Outcome, Any]:
        if inv.f == "add":
            return Outcome.OK, inv.value
        return Outcome.OK, 0 if reply is None else int(reply)

    def final_reads(self) -> Sequence[Invocation]:
        return [Invocation("read", k, None) for k in self.keys]


def checkers(options: CheckOptions) -> list[Checker]:
    """Every read within the bounds its concurrent adds allow (counter-bounds)."""
    return [checker_for("counter-bounds", options)]


WORKLOAD = WorkloadSpec(
    "counter", CounterWorkload, checkers, "INCRBY and GET on a few keys (counter-bounds)"
)
