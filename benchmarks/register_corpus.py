"""A seeded generator of random single-register cas histories, for comparing checkers.

Each history is a simulation: ``processes`` workers each run one operation at a time
(read, write or cas ``[old new]`` over a few values), every operation takes effect at
a random instant inside its window, and the register's real value gives reads their
results and decides whether a cas succeeded (``ok``) or not (``fail``). A few
operations crash: they end ``info`` or never complete (the worker then continues as a
new process), and took effect or not, at random. Such a history is linearizable by
construction. An *anomaly* then changes one operation's reported result: a read
returns an older value (``stale-read``), an acknowledged write never took effect
(``lost-write``) or a cas reports the opposite outcome (``wrong-cas``); the result is
usually, not always, not linearizable.

*easy* histories have 2-10 processes, 20-2,000 operations and few crashes; *hard*
ones many processes and crashes over few values (the search must try many orders).
Files are ``history.jsonl`` (``base.op.Op.to_json`` lines).
"""

from __future__ import annotations

import heapq
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ANOMALIES = ("stale-read", "lost-write", "wrong-cas")


@dataclass(frozen=True, slots=True)
class Spec:
    """One history to generate. ``anomaly`` is None or one of :data:`ANOMALIES`."""

    name: str
    seed: int
    processes: int
    operations: int
    crash_rate: float
    values: int
    anomaly: str | None


@dataclass(slots=True)
class _Planned:
    process: int
    f: str
    value: Any
    start: float
    point: float
    end: float
    crash: str | None  # None, "info" or "never"
    applies: bool
    result: Any = None
    outcome: str = "ok"


def specs(seed: int, easy: int, hard: int, hard_ops: int = 2_000) -> list[Spec]:
    """``easy`` + ``hard`` specs; about a third of each get an anomaly."""
    rng = random.Random(seed)
    out: list[Spec] = []
    for i in range(easy):
        anomaly = rng.choice(ANOMALIES) if rng.random() < 0.35 else None
        out.append(
            Spec(
                f"easy-{i:04d}",
                rng.getrandbits(32),
                rng.randint(2, 10),
                int(20 * 100 ** rng.random()),  # 20-2,000, log-uniform
                rng.choice((0.0, 0.0, 0.001, 0.002)),
                rng.randint(5, 50),
                anomaly,
            )
        )
    for i in range(hard):
        anomaly = rng.choice(ANOMALIES) if rng.random() < 0.35 else None
        out.append(
            Spec(
                f"hard-{i:04d}",
                rng.getrandbits(32),
                rng.randint(10, 20),
                hard_ops,
                rng.choice((0.05, 0.1)),
                rng.randint(2, 4),
                anomaly,
            )
        )
    return out


def generate(spec: Spec) -> list[dict[str, Any]]:
    """The events of ``spec``'s history, as ``history.jsonl`` objects in index order."""
    rng = random.Random(spec.seed)
    planned = _plan(spec, rng)
    _apply(planned, rng)
    if spec.anomaly is not None:
        _inject(spec.anomaly, planned, rng)
    return _events(planned)


def _plan(spec: Spec, rng: random.Random) -> list[_Planned]:
    ids = list(range(spec.processes))
    next_id = spec.processes
    heap = [(rng.random(), w) for w in range(spec.processes)]
    heapq.heapify(heap)
    planned: list[_Planned] = []
    while len(planned) < spec.operations:
        start, w = heapq.heappop(heap)
        duration = rng.expovariate(1.0) + 0.05
        roll = rng.random()
        f = "read" if roll < 0.4 else "write" if roll < 0.7 else "cas"
        value: Any = None
        if f == "write":
            value = rng.randrange(spec.values)
        elif f == "cas":
            value = [rng.randrange(spec.values), rng.randrange(spec.values)]
        crash = None
        if rng.random() < spec.crash_rate:
            crash = "info" if rng.random() < 0.7 else "never"
        op = _Planned(ids[w], f, value, start, start + rng.random() * duration, start + duration,
                      crash, crash is None or rng.random() < 0.5)  # fmt: skip
        planned.append(op)
        if crash is not None:
            ids[w] = next_id
            next_id += 1
        heapq.heappush(heap, (start + duration + rng.random() * 0.3, w))
    return planned


def _apply(planned: list[_Planned], rng: random.Random) -> None:
    """Run the register in linearization order: results and cas outcomes."""
    del rng
    state: Any = None
    for op in sorted(planned, key=lambda o: o.point):
        if not op.applies:
            continue
        if op.f == "read":
            op.result = state
        elif op.f == "write":
            state = op.value
        elif state == op.value[0]:
            state = op.value[1]
        else:
            op.outcome = "fail"


def _inject(anomaly: str, planned: list[_Planned], rng: random.Random) -> None:
    done = [op for op in planned if op.crash is None]
    if anomaly == "stale-read":
        reads = [op for op in done if op.f == "read"]
        seen = [op.value for op in done if op.f == "write"]
        if reads and seen:
            op = rng.choice(reads)
            older = [v for v in seen if v != op.result] or [None]
            op.result = rng.choice(older)
    elif anomaly == "lost-write":
        writes = [op for op in done if op.f == "write"]
        if writes:
            lost = rng.choice(writes)
            lost.applies = False
            for op in planned:
                if op.f == "cas":
                    op.outcome = "ok"
            _apply(planned, rng)
            lost.applies = True  # reported as acknowledged all the same
    else:
        cas = [op for op in done if op.f == "cas"]
        if cas:
            op = rng.choice(cas)
            op.outcome = "fail" if op.outcome == "ok" else "ok"


def _events(planned: list[_Planned]) -> list[dict[str, Any]]:
    timed: list[tuple[float, int, dict[str, Any]]] = []
    for op in planned:
        invoke = {"type": "invoke", "process": op.process, "f": op.f, "value": op.value}
        timed.append((op.start, 1, invoke))
        if op.crash == "never":
            continue
        if op.crash == "info":
            value = op.value
            done = {"type": "info", "process": op.process, "f": op.f, "value": value}
        else:
            value = op.result if op.f == "read" else op.value
            done = {"type": op.outcome, "process": op.process, "f": op.f, "value": value}
        timed.append((op.end, 0, done))
    timed.sort(key=lambda t: (t[0], t[1]))
    events = []
    for i, (t, _, event) in enumerate(timed):
        events.append({"index": i, "time": int(t * 1_000_000), **event})
    return events


def write_corpus(directory: Path, all_specs: list[Spec]) -> Iterator[tuple[Spec, Path, int]]:
    """Write each spec's history to ``directory/NAME.jsonl``; yields (spec, path,
    operations)."""
    directory.mkdir(parents=True, exist_ok=True)
    for spec in all_specs:
        events = generate(spec)
        path = directory / f"{spec.name}.jsonl"
        with path.open("w") as f:
            for event in events:
                f.write(json.dumps(event, separators=(",", ":")) + "\n")
        yield spec, path, sum(e["type"] == "invoke" for e in events)
