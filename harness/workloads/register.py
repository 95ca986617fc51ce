"""Register: read / write / compare-and-set on independent rotating keys.

Values are small integers (0-4, as Jepsen's). ``cas`` runs either a Lua script (GET,
compare, SET: atomic on the node; ``--cas lua``) or a WATCH transaction (WATCH, GET, then
MULTI / SET / EXEC only if the value matched; ``--cas watch``). A cas whose expected value
does not match, or whose EXEC is aborted, completes as ``fail`` (it did not apply).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from checkers.models import LINEAR_MODELS, CheckOptions, checker_for
from checkers.verdict import Checker
from harness.client.outcome import Outcome
from harness.client.resp import pack
from harness.workloads.base import (
    Command,
    Invocation,
    WorkloadOptions,
    WorkloadSpec,
    as_int,
    rotating_key,
)

CAS_SCRIPT = (
    "local v = redis.call('GET', KEYS[1]) "
    "if v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end "
    "return 0"
)


class RegisterWorkload:
    name = "register"

    def __init__(self, options: WorkloadOptions) -> None:
        self.options = options

    def invocation(self, rng: random.Random, worker: int, seq: int) -> Invocation:
        key = rotating_key(self.options.key_prefix + "r", self.options, worker, seq)
        roll = rng.random()
        if roll < 0.5:
            return Invocation("read", key, None)
        if roll < 0.75:
            return Invocation("write", key, rng.randrange(5))
        return Invocation("cas", key, [rng.randrange(5), rng.randrange(5)])

    def command(self, inv: Invocation) -> Command:
        if inv.f == "read":
            return Command(pack(b"GET", inv.key), write=False)
        if inv.f == "write":
            return Command(pack(b"SET", inv.key, inv.value), write=True)
        old, new = inv.value
        if self.options.cas == "watch":
            expected = str(old).encode()
            transaction = (pack(b"MULTI"), pack(b"SET", inv.key, new), pack(b"EXEC"))

            def decide(current: Any) -> Sequence[bytes] | None:
                return transaction if current == expected else None

            return Command(pack(b"GET", inv.key), write=True, decide=decide)
        payload = pack(b"EVAL", CAS_SCRIPT, 1, inv.key, old, new)
        return Command(payload, write=True)

    def completion(self, inv: Invocation, reply: Any) -> tuple[Outcome, Any]:
        if inv.f == "read":
            return Outcome.OK, as_int(reply)
        if inv.f == "cas" and reply == 0:  # the script found another value
            return Outcome.FAIL, inv.value
        return Outcome.OK, inv.value

    def final_reads(self) -> Sequence[Invocation]:
        return ()


def checkers(options: CheckOptions) -> list[Checker]:
    """Linearizability against ``options.model`` (``ValueError`` for a model that is not
    one of checkers.linear's)."""
    if options.model not in LINEAR_MODELS:
        known = ", ".join(sorted(LINEAR_MODELS))
        raise ValueError(f"unknown model {options.model!r}: use one of {known}")
    return [checker_for(options.model, options)]


WORKLOAD = WorkloadSpec(
    "register",
    RegisterWorkload,
    checkers,
    "read / write / cas on rotating keys (linearizability)",
)
