"""Realistic run folders for the report tests, written the way the harness writes them:
test.json, history.jsonl (Op.to_json() lines, nemesis events included), results.json,
resources.jsonl and nodes/<name>/ files.

The simulated cluster is simple but honest: each worker process issues operations one
at a time; an operation takes effect at a point inside its interval, so register
histories are linearizable unless a stale read is planted on purpose; during a fault,
operations fail or time out (info, after which the worker takes a fresh process id, as
in Jepsen).
"""

from __future__ import annotations

import heapq
import json
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.op import NEMESIS, Op, OpType

NODES = ("n1", "n2", "n3", "n4", "n5", "n6")
MS = 1_000_000


@dataclass
class Sim:
    """One simulated run: its events and what the checkers would find."""

    rng: random.Random
    concurrency: int
    duration_ns: int
    events: list[Op] = field(default_factory=list)
    faults: list[tuple[int, int, str, Any]] = field(default_factory=list)

    def fault_at(self, t: int) -> tuple[int, int, str, Any] | None:
        return next((f for f in self.faults if f[0] <= t <= f[1]), None)


def _schedule_faults(sim: Sim, kinds: list[str]) -> None:
    """Alternate fault periods and recovery windows, then emit the nemesis events."""
    t = sim.duration_ns // 8
    k = 0
    while t < sim.duration_ns * 0.85 and kinds:
        kind = kinds[k % len(kinds)]
        length = int(sim.duration_ns * sim.rng.uniform(0.08, 0.14))
        if kind == "partition":
            minority = ["n1", "n4"]
            grudge = {n: [m for m in NODES if m not in minority] for n in minority}
            grudge.update({m: list(minority) for m in NODES if m not in minority})
            value: Any = grudge
        else:
            value = [sim.rng.choice(NODES)]
        sim.faults.append((t, t + length, kind, value))
        t += length + int(sim.duration_ns * sim.rng.uniform(0.1, 0.16))
        k += 1
    for start, end, kind, value in sim.faults:
        # as nemesis/ records them: the invocation names the kind or the targets, the
        # completion says what was done (the grudge, the nodes killed)
        asked = "minority" if kind == "partition" else "one"
        inv = Op(OpType.INVOKE, f"start-{kind}", asked, NEMESIS, time_ns=start)
        sim.events += [inv, _at(inv.complete(OpType.OK, value=value), start + 3 * MS)]
        stop = Op(OpType.INVOKE, f"stop-{kind}", None, NEMESIS, time_ns=end)
        done = _at(stop.complete(OpType.OK, value=f"{kind}-healed"), end + 2 * MS)
        sim.events += [stop, done]


def _at(op: Op, t: int) -> Op:
    return Op(
        op.type, op.f, op.value, op.process, -1, t, op.key, op.node, op.error, op.acks,
        dict(op.extra),
    )  # fmt: skip


@dataclass(frozen=True)
class Planned:
    """An operation with its interval and the instant it takes effect (None: never)."""

    process: int
    f: str
    key: str
    value: Any
    start: int
    end: int
    effect: int | None
    outcome: OpType
    error: str | None
    node: str


def _plan(sim: Sim, total_ops: int, pick: Any) -> list[Planned]:
    """``total_ops`` operations spread over the workers and the duration."""
    rng = sim.rng
    per_worker = max(1, total_ops // sim.concurrency)
    gap = sim.duration_ns // (per_worker + 1)
    planned: list[Planned] = []
    for worker in range(sim.concurrency):
        process = worker
        t = rng.randrange(0, max(1, gap))
        for _ in range(per_worker):
            f, key, value = pick(rng)
            latency = int(rng.lognormvariate(0, 0.6) * 0.6 * MS) + 50_000
            fault = sim.fault_at(t)
            outcome, error = OpType.OK, None
            effect: int | None = t + rng.randrange(0, latency)
            if fault is not None and rng.random() < 0.45:
                if rng.random() < 0.6:
                    outcome, error = OpType.FAIL, "CLUSTERDOWN The cluster is down"
                    effect = None
                else:
                    outcome, error = OpType.INFO, "timeout"
                    latency = int(rng.uniform(200, 500) * MS) if f != "read" else latency
                    effect = effect if rng.random() < 0.5 and f != "read" else None
            node = NODES[zlib.crc32(key.encode()) % 3]
            planned.append(Planned(process, f, key, value, t, t + latency, effect, outcome,
                                   error, node))  # fmt: skip
            if outcome is OpType.INFO:
                process += sim.concurrency
            t += latency + rng.randrange(gap // 2, gap * 3 // 2 + 1)
    return planned


def _emit(sim: Sim, planned: list[Planned], results: dict[int, Any], acks: dict[int, int]) -> None:
    for i, p in enumerate(planned):
        inv = Op(OpType.INVOKE, p.f, p.value, p.process, time_ns=p.start, key=p.key, node=p.node)
        if p.outcome is OpType.OK:
            done = inv.complete(OpType.OK, value=results.get(i, p.value), acks=acks.get(i))
        else:
            done = inv.complete(p.outcome, error=p.error)
        sim.events += [inv, _at(done, p.end)]


def _finish(sim: Sim) -> list[Op]:
    ordered = sorted(sim.events, key=lambda op: (op.time_ns, op.type is OpType.INVOKE))
    return [
        Op(op.type, op.f, op.value, op.process, i, op.time_ns, op.key, op.node, op.error,
           op.acks, dict(op.extra))
        for i, op in enumerate(ordered)
    ]  # fmt: skip


def register_history(
    rng: random.Random, total_ops: int, duration_s: float, stale_key: str | None = None
) -> list[Op]:
    """Read / write / cas on keys r0..r4. With ``stale_key``, one read of that key late
    in the run returns a value overwritten before the read began (not linearizable)."""
    sim = Sim(rng, concurrency=5, duration_ns=int(duration_s * 1e9))
    _schedule_faults(sim, ["partition", "kill"])
    keys = [f"r{i}" for i in range(5)]
    counter = iter(range(1, 10**9))
    last: dict[str, int] = {}

    def pick(r: random.Random) -> tuple[str, str, Any]:
        f = r.choices(["read", "write", "cas"], [5, 3, 2])[0]
        key = r.choice(keys)
        if f == "read":
            return f, key, None
        new = last[key] = next(counter)
        if f == "cas":
            expected = last.get(key + "'", 0) if r.random() < 0.6 else r.randrange(0, 5)
            return f, key, [expected, new]
        last[key + "'"] = new
        return f, key, new

    planned = _plan(sim, total_ops, pick)
    state: dict[str, Any] = {}
    results: dict[int, Any] = {}
    order = sorted((p.effect or 0, i) for i, p in enumerate(planned) if p.effect is not None)
    final = list(planned)
    for _t, i in order:
        p = planned[i]
        if p.f == "read":
            results[i] = state.get(p.key)
        elif p.f == "write":
            state[p.key] = p.value
        elif p.f == "cas":
            if state.get(p.key) == p.value[0]:
                state[p.key] = p.value[1]
            elif p.outcome is OpType.OK:
                final[i] = Planned(p.process, p.f, p.key, p.value, p.start, p.end, None,
                                   OpType.FAIL, "cas mismatch", p.node)  # fmt: skip
    if stale_key is not None:
        _plant_stale_read(planned, results, stale_key)
    _emit(sim, final, results, {})
    return _finish(sim)


def _plant_stale_read(planned: list[Planned], results: dict[int, Any], key: str) -> int:
    """Make the last ok read of ``key`` that follows two completed ok writes return the
    older one: the newer write completed before the read began."""
    writes = [
        (p.end, p.value)
        for p in planned
        if p.key == key and p.f == "write" and p.outcome is OpType.OK and p.effect is not None
    ]
    writes.sort()
    for i in range(len(planned) - 1, -1, -1):
        p = planned[i]
        if p.key != key or p.f != "read" or p.outcome is not OpType.OK or p.effect is None:
            continue
        before = [v for end, v in writes if end < p.start]
        if len(before) >= 2 and results.get(i) == before[-1]:
            results[i] = before[-2]
            return i
    raise AssertionError(f"no read of {key} to make stale; use more operations")


def set_history(
    rng: random.Random, total_ops: int, duration_s: float, lose: int = 0
) -> tuple[list[Op], list[Any]]:
    """Unique adds to keys s0..s2 with WAIT acks, then a final read of every key after
    healing. ``lose`` acknowledged adds made during a partition vanish from the final
    reads; their values are returned."""
    sim = Sim(rng, concurrency=6, duration_ns=int(duration_s * 1e9))
    _schedule_faults(sim, ["partition"])
    keys = ["s0", "s1", "s2"]
    counter = iter(range(10**9))
    planned = _plan(sim, total_ops, lambda r: ("add", r.choice(keys), next(counter)))
    acks = {
        i: (0 if sim.fault_at(p.start) and rng.random() < 0.7 else 1)
        for i, p in enumerate(planned)
        if p.outcome is OpType.OK
    }
    candidates = [
        i for i, p in enumerate(planned)
        if p.outcome is OpType.OK and sim.fault_at(p.start) is not None
    ]  # fmt: skip
    lost = set(rng.sample(candidates, min(lose, len(candidates))))
    _emit(sim, planned, {}, acks)
    present: dict[str, list[int]] = {k: [] for k in keys}
    for i, p in enumerate(planned):
        if p.effect is not None and i not in lost:
            present[p.key].append(p.value)
    t = max(p.end for p in planned) + 50 * MS
    for n, key in enumerate(keys):
        inv = Op(OpType.INVOKE, "read", None, 10_000 + n, time_ns=t, key=key, node="n2")
        sim.events += [inv, _at(inv.complete(OpType.OK, value=sorted(present[key])), t + 2 * MS)]
    lost_values = [planned[i].value for i in sorted(lost)]
    return _finish(sim), lost_values


def resources(duration_s: float) -> Iterator[dict[str, Any]]:
    for second in range(int(duration_s) + 1):
        for k, node in enumerate(NODES):
            yield {
                "time": second * 1_000_000_000,
                "node": node,
                "cpu": round(5 + 10 * ((second + k) % 7) / 7, 1),
                "rss": (8 + k + second // 3) * 2**20,
                "connections": 3 + k,
            }


def write_run(
    store: Path,
    test_name: str,
    stamp: str,
    history: list[Op],
    results: dict[str, Any],
    *,
    seed: int,
    workload: str,
    nemesis: list[str],
    duration_s: float,
) -> Path:
    """Write a complete run folder ``store/<test_name>/<stamp>`` and return it."""
    run = store / test_name / stamp
    run.mkdir(parents=True)
    argv = ["harness", "run", "--db", "redis", "--workload", workload, "--nemesis",
            ",".join(nemesis) or "none", "--time-limit", str(int(duration_s)), "--seed",
            str(seed)]  # fmt: skip
    test = {
        "name": test_name,
        "db": "redis",
        "workload": workload,
        "nemesis": nemesis,
        "seed": seed,
        "concurrency": 5,
        "time_limit": duration_s,
        "nodes": 6,
        "replicas": 1,
        "node_timeout": 2000,
        "start_time": f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:00Z",
        "versions": {n: "7.0.15" for n in NODES},
        "argv": argv,
    }
    (run / "test.json").write_text(json.dumps(test, indent=1))
    with (run / "history.jsonl").open("w") as out:
        for op in history:
            out.write(json.dumps(op.to_json()) + "\n")
    (run / "results.json").write_text(json.dumps(results, indent=1))
    with (run / "resources.jsonl").open("w") as out:
        for sample in resources(duration_s):
            out.write(json.dumps(sample) + "\n")
    for node in NODES:
        folder = run / "nodes" / node
        folder.mkdir(parents=True)
        (folder / "redis.log").write_text(f"1:M 22 Nov 2026 10:00:00.000 * {node} ready\n")
        (folder / "nodes.conf").write_text(f"{node} 10.77.0.2:6379@16379 myself,master\n")
    (run / "harness.log").write_text("harness log\n")
    return run


def merge_sorted(*histories: list[Op]) -> list[Op]:
    """Interleave already-indexed histories by time, re-indexed."""
    merged = list(heapq.merge(*histories, key=lambda op: op.time_ns))
    return [
        Op(op.type, op.f, op.value, op.process, i, op.time_ns, op.key, op.node, op.error,
           op.acks, dict(op.extra))
        for i, op in enumerate(merged)
    ]  # fmt: skip
