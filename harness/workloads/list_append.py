"""List-append for Elle: single-micro-op transactions ``f="txn"``; an append is RPUSH,
a read is LRANGE 0 -1, on rotating keys. Values are ``[["append", k, v]]`` and
``[["r", k, [...]]]`` (``[["r", k, None]]`` in the invocation); elements are unique per key.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from checkers.elle import ElleCliChecker
from checkers.models import CheckOptions, checker_for
from checkers.verdict import Checker
from harness.client.outcome import Outcome
from harness.client.resp import pack
from harness.workloads.base import (
    Command,
    Invocation,
    WorkloadOptions,
    WorkloadSpec,
    rotating_key,
    unique_value,
)


class ListAppendWorkload:
    name = "list-append"

    def __init__(self, options: WorkloadOptions) -> None:
        self.options = options

    def invocation(self, rng: random.Random, worker: int, seq: int) -> Invocation:
        key = rotating_key(self.options.key_prefix + "l", self.options, worker, seq)
        if rng.random() < 0.5:
            return Invocation("txn", key, [["r", key, None]])
        return Invocation("txn", key, [["append", key, unique_value(self.options, worker, seq)]])

    def command(self, inv: Invocation) -> Command:
        mop = inv.value[0]
        if mop[0] == "append":
            return Command(pack(b"RPUSH", inv.key, mop[2]), write=True)
        return Command(pack(b"LRANGE", inv.key, 0, -1), write=False)

    def completion(self, inv: Invocation, reply: Any) -> tuple[Outcome, Any]:
        mop = inv.value[0]
        if mop[0] == "append":
            return Outcome.OK, inv.value
        return Outcome.OK, [["r", inv.key, [int(v) for v in reply]]]

    def final_reads(self) -> Sequence[Invocation]:
        return ()


def checkers(options: CheckOptions) -> list[Checker]:
    """Our Elle-style checker, and elle-cli beside it (its own result) when
    ``options.elle_cli`` names the program."""
    found: list[Checker] = [checker_for("list-append", replace(options, elle_cli=None))]
    if options.elle_cli is not None:
        timeout = 300.0 if options.timeout_s is None else options.timeout_s
        found.append(ElleCliChecker(options.elle_cli, timeout_s=timeout))
    return found


WORKLOAD = WorkloadSpec(
    "list-append",
    ListAppendWorkload,
    checkers,
    "RPUSH / LRANGE transactions on rotating keys (Elle's list-append)",
)
