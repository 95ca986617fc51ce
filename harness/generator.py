"""The generator: a pure, seeded description of what each worker does and when.

Nothing here touches the clock or the network. Every worker slot has its own random
source derived from the run's seed, so the sequence of invocations of a worker does not
depend on timing or on the other workers; the runner (the interpreter) only decides
*when* the next invocation happens (the pace) and whether the phase is over.
"""

from __future__ import annotations

import enum
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from harness.workloads.base import Invocation, Workload


class Phase(enum.Enum):
    """The phases of a run, in order."""

    SETUP = "setup"
    WORKLOAD = "workload"
    HEAL = "final heal"
    RECOVERY = "recovery"
    FINAL_READS = "final reads"
    TEARDOWN = "teardown"


_CONCURRENCY_RE = re.compile(r"^(\d+)(n?)$")


def parse_concurrency(spec: str, nodes: int) -> int:
    """``"10"`` -> 10 workers; ``"2n"`` -> 2 per node. ValueError naming the bad spec."""
    m = _CONCURRENCY_RE.match(spec.strip())
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"--concurrency {spec!r}: want a positive number or N followed by 'n'")
    count = int(m.group(1))
    return count * nodes if m.group(2) else count


def worker_rng(seed: int, worker: int) -> random.Random:
    """Worker slot ``worker``'s own random source (string seeds hash deterministically)."""
    return random.Random(f"{seed}/worker/{worker}")


def nemesis_rng(seed: int) -> random.Random:
    return random.Random(f"{seed}/nemesis")


def invocations(workload: Workload, seed: int, worker: int) -> Iterator[Invocation]:
    """Worker ``worker``'s invocations, in order, forever."""
    rng = worker_rng(seed, worker)
    seq = 0
    while True:
        yield workload.invocation(rng, worker, seq)
        seq += 1


@dataclass(frozen=True, slots=True)
class Pace:
    """When worker ops start, relative to the workload start: the ``k``-th at
    ``offset_s + k * period_s`` (or at once if that moment has passed). ``period_s`` 0
    means as fast as possible."""

    period_s: float
    offset_s: float

    def due(self, k: int) -> float:
        return self.offset_s + k * self.period_s


def pace(rate: float, concurrency: int, worker: int) -> Pace:
    """Spread a total of ``rate`` ops/s evenly over ``concurrency`` workers (staggered)."""
    if rate <= 0:
        return Pace(0.0, 0.0)
    period = concurrency / rate
    return Pace(period, period * worker / concurrency)


def next_process(process: int, concurrency: int) -> int:
    """A worker whose operation ended ``info`` continues as a fresh process (Jepsen's):
    the old one may still be in flight as far as a checker knows."""
    return process + concurrency
