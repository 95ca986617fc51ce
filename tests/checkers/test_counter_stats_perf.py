"""Counter bounds, stats, perf quantiles (against brute force) and fault windows."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from base.op import NEMESIS, Op, OpType
from checkers.counter import CounterChecker
from checkers.faults import FaultIndex, fault_windows
from checkers.perf import PerfChecker
from checkers.stats import StatsChecker
from checkers.verdict import Verdict
from tests.checkers.builder import MS, History

# ---------- counter ----------


def counter_history(read_value: int) -> History:
    h = History()
    h.invoke(0, "add", 1, "c")
    h.ok(0)  # definitely applied: lower bound 1
    h.invoke(0, "add", 2, "c")
    h.invoke(1, "add", 4, "c")
    h.invoke(2, "read", None, "c")
    h.ok(0)
    h.info(1)  # may or may not apply: upper bound 1 + 2 + 4
    h.ok(2, read_value)
    return h


@pytest.mark.parametrize(
    ("value", "valid"), [(0, False), (1, True), (3, True), (7, True), (8, False)]
)
def test_counter_read_must_lie_between_acknowledged_and_attempted(value, valid):
    r = CounterChecker().check(counter_history(value).events)
    assert (r.verdict is Verdict.VALID) is valid
    if not valid:
        (err,) = r.details["errors"]
        assert (err["lower"], err["upper"], err["value"]) == (1, 7, value)


def test_counter_failed_adds_never_count_and_negative_deltas_widen_the_lower_bound():
    h = History()
    h.invoke(0, "add", 5, "c")
    h.fail(0)
    h.invoke(0, "add", -3, "c")
    h.invoke(1, "read", None, "c")
    h.ok(1, -3)
    h.ok(0)
    assert CounterChecker().check(h.events).verdict is Verdict.VALID
    h.invoke(1, "read", None, "c")
    h.ok(1, 2)
    r = CounterChecker().check(h.events)
    assert r.verdict is Verdict.INVALID
    assert r.details["errors"][0]["upper"] == -3


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_counter_simulated_runs_are_valid_and_an_impossible_read_is_not(seed):
    rng = random.Random(seed)
    h = History()
    total = 0
    pending: dict[int, tuple[str, int, bool]] = {}
    for _ in range(40):
        p = rng.randrange(4)
        if p not in pending:
            if rng.random() < 0.6:
                d = rng.randint(0, 5)
                pending[p] = ("add", d, False)
                h.invoke(p, "add", d, "c")
            else:
                pending[p] = ("read", 0, False)
                h.invoke(p, "read", None, "c")
            continue
        f, d, applied = pending[p]
        if not applied:
            total += d if f == "add" else 0
            pending[p] = (f, total if f == "read" else d, True)
            continue
        del pending[p]
        h.ok(p, d if f == "read" else None)
    for p, (f, _, applied) in sorted(pending.items()):
        if applied:
            h.ok(p, pending[p][1] if f == "read" else None)
        else:
            h.info(p) if f == "add" else h.fail(p)
    assert CounterChecker().check(h.events).verdict is Verdict.VALID
    h.invoke(9, "read", None, "c")
    h.ok(9, 10**9)
    assert CounterChecker().check(h.events).verdict is Verdict.INVALID


# ---------- stats ----------


def test_stats_counts_and_the_never_ok_rule():
    h = History()
    h.add(0, 1)
    h.add(0, 2, outcome="fail")
    h.add(0, 3, outcome="info")
    h.invoke(1, "read", None, "k")
    h.fail(1)
    r = StatsChecker().check(h.events)
    assert r.details["by_f"]["add"] == {"count": 3, "ok_count": 1, "fail_count": 1, "info_count": 1}
    assert r.details["never_ok"] == ["read"]
    assert r.verdict is Verdict.INVALID
    assert StatsChecker(require_ok=False).check(h.events).verdict is Verdict.VALID


# ---------- perf ----------


def brute_quantile(samples: list[int], q: float) -> int:
    """The smallest sample x with at least q of all samples <= x."""
    return min(x for x in samples if sum(1 for y in samples if y <= x) >= q * len(samples))


def history_with_latencies(latencies: list[int]) -> list[Op]:
    events: list[Op] = []
    t = 0
    for i, lat in enumerate(latencies):
        inv = Op(OpType.INVOKE, "read", None, i, index=len(events), time_ns=t)
        events.append(inv)
        events.append(Op(OpType.OK, "read", 1, i, index=len(events), time_ns=t + lat))
    return events


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 50 * MS), min_size=1, max_size=60))
def test_perf_quantiles_match_brute_force(latencies):
    lat = PerfChecker().check(history_with_latencies(latencies)).details["latency_ms"]["read"]
    for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        assert lat["ok"][name] == round(brute_quantile(latencies, q) / 1e6, 3)
    assert lat["ok"]["max"] == round(max(latencies) / 1e6, 3)
    assert lat["ok"]["count"] == len(latencies)


def test_perf_throughput_buckets_and_availability_by_fault_window():
    s = 1_000_000_000
    ev: list[Op] = []

    def add(op: Op) -> None:
        ev.append(Op(op.type, op.f, op.value, op.process, index=len(ev), time_ns=op.time_ns))

    add(Op(OpType.INVOKE, "w", 1, 0, time_ns=0))
    add(Op(OpType.OK, "w", 1, 0, time_ns=s // 2))
    add(Op(OpType.INVOKE, "kill", None, NEMESIS, time_ns=s))
    add(Op(OpType.INFO, "kill", None, NEMESIS, time_ns=s + 1))
    add(Op(OpType.INVOKE, "w", 2, 0, time_ns=s + 10))
    add(Op(OpType.INFO, "w", 2, 0, time_ns=2 * s + 10))
    add(Op(OpType.INVOKE, "start", None, NEMESIS, time_ns=3 * s))
    add(Op(OpType.INFO, "start", None, NEMESIS, time_ns=3 * s + 5))
    add(Op(OpType.INVOKE, "w", 3, 1, time_ns=4 * s))
    add(Op(OpType.OK, "w", 3, 1, time_ns=4 * s + 1))
    d = PerfChecker().check(ev).details
    assert d["availability"]["healthy"] == {"count": 2, "ok_count": 2, "ok_share": 1.0}
    assert d["availability"]["faulted"] == {"count": 1, "ok_count": 0, "ok_share": 0.0}
    assert d["throughput"] == [
        {"bucket": 0, "ok": 1, "fail": 0, "info": 0},
        {"bucket": 2, "ok": 0, "fail": 0, "info": 1},
        {"bucket": 4, "ok": 1, "fail": 0, "info": 0},
    ]
    assert d["faults"] == [{"fault": "kill", "start": s, "end": 3 * s + 5}]


# ---------- fault windows ----------


def test_fault_windows_pair_start_stop_kill_start_pause_resume_and_heal():
    h = History()
    h.nemesis("start-partition", "halves")
    h.nemesis("pause")
    h.nemesis("resume")
    h.nemesis("kill")
    h.nemesis("heal")
    h.nemesis("start-clock-skew")
    names = [w.name for w in fault_windows(h.events)]
    assert names == ["partition", "pause", "kill", "clock-skew"]
    windows = fault_windows(h.events)
    index = FaultIndex(windows)
    assert index.active(MS, MS) == ["partition"]
    assert index.active(0, 1) == []
    assert index.active(windows[2].start_ns, windows[2].start_ns) == ["kill", "partition"]
    assert index.active(h.events[-1].time_ns + 1, h.events[-1].time_ns + 1) == []
    assert math.isfinite(windows[-1].end_ns)
