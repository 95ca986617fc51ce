"""Set: unique adds (SADD) to a few keys spread over every primary, then one final read
(SMEMBERS) of every key after healing. The lost-write workload: every acknowledged add
must be in the final read."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from checkers.models import CheckOptions, checker_for
from checkers.verdict import Checker
from harness.client.outcome import Outcome
from harness.client.resp import pack
from harness.workloads.base import (
    Command,
    Invocation,
    WorkloadOptions,
    WorkloadSpec,
    spread_keys,
    unique_value,
)


class SetWorkload:
    name = "set"

    def __init__(self, options: WorkloadOptions) -> None:
        self.options = options
        self.keys = spread_keys(options.key_prefix + "s", options.keys)

    def invocation(self, rng: random.Random, worker: int, seq: int) -> Invocation:
        key = self.keys[rng.randrange(len(self.keys))]
        return Invocation("add", key, unique_value(self.options, worker, seq))

    def command(self, inv: Invocation) -> Command:
        if inv.f == "add":
            return Command(pack(b"SADD", inv.key, inv.value), write=True)
        return Command(pack(b"SMEMBERS", inv.key), write=False)

    def completion(self, inv: Invocation, reply: Any) -> tuple[Outcome, Any]:
        if inv.f == "add":
            return Outcome.OK, inv.value
        return Outcome.OK, sorted(int(v) for v in reply)

    def final_reads(self) -> Sequence[Invocation]:
        return [Invocation("read", k, None) for k in self.keys]


def checkers(options: CheckOptions) -> list[Checker]:
    """Set-full: every acknowledged add must be in the final read."""
    return [checker_for("set-full", options)]


WORKLOAD = WorkloadSpec(
    "set", SetWorkload, checkers, "unique SADDs, then a final SMEMBERS of every key (set-full)"
)
