"""Fault windows (checkers/faults.py), the one reading of nemesis events: what ends a
kill period, the faults our nemesis declares, one-shot faults, and the index."""

from __future__ import annotations

import random

import pytest

from base.op import NEMESIS, Op, OpType
from checkers.faults import FaultIndex, FaultWindow, fault_windows
from nemesis.catalog import SPECS
from tests.checkers.builder import MS, History


def ok_nemesis(h: History, f: str, asked: object = None, done: object = None) -> None:
    h.invoke(NEMESIS, f, asked)
    h.ok(NEMESIS, done)


def test_our_kill_is_closed_by_its_stop_and_keeps_what_was_done():
    kill = SPECS["kill-primaries"]
    h = History()
    ok_nemesis(h, kill.start_f, "kill-primaries", ["n1", "n3"])
    assert kill.stop_f is not None
    ok_nemesis(h, kill.stop_f, None, ["n1", "n3"])
    h.invoke(0, "read", None, "k")
    h.ok(0, 1)
    (w,) = fault_windows(h.events)
    assert (w.name, w.start_ns, w.end_ns) == ("kill", 1 * MS, 4 * MS)
    assert (w.asked, w.done, w.open_ended, w.one_shot) == (
        "kill-primaries",
        ["n1", "n3"],
        False,
        False,
    )


@pytest.mark.parametrize("closer", ["start", "stop-kill", "heal"])
def test_what_ends_a_kill_period(closer: str):
    h = History()
    ok_nemesis(h, "kill", ["n2"])
    ok_nemesis(h, closer)
    (w,) = fault_windows(h.events)
    assert (w.name, w.end_ns, w.open_ended) == ("kill", 4 * MS, False)


@pytest.mark.parametrize("f", ["restart", "restart-all", "resume", "stop-pause"])
def test_nothing_else_ends_a_kill_period(f: str):
    """A bare ``restart`` is emitted by no nemesis: it does not close a kill (with
    one-shot faults on, it is a one-shot fault of its own)."""
    h = History()
    ok_nemesis(h, "start-kill", "kill")
    ok_nemesis(h, f)
    h.invoke(0, "read", None, "k")
    h.ok(0, 1)
    kills = [w for w in fault_windows(h.events, one_shot=True) if w.name == "kill"]
    assert [(w.end_ns, w.open_ended) for w in kills] == [(6 * MS, True)]


def test_every_fault_the_nemesis_declares_opens_and_closes_its_window():
    for name, spec in SPECS.items():
        h = History()
        ok_nemesis(h, spec.start_f, name)
        if spec.stop_f is not None:
            ok_nemesis(h, spec.stop_f, "final-heal")
        assert [w.one_shot for w in fault_windows(h.events, one_shot=True)] == [
            spec.stop_f is None
        ], name
        windows = fault_windows(h.events)
        if spec.stop_f is None:
            assert windows == [], name
        else:
            (w,) = windows
            assert (w.start_ns, w.end_ns, w.open_ended) == (MS, 4 * MS, False), name
            assert w.name == spec.start_f.removeprefix("start-"), name


def test_failed_events_open_and_close_nothing():
    h = History()
    ok_nemesis(h, "start-partition", "partition-halves")
    h.invoke(NEMESIS, "stop-partition")
    h.fail(NEMESIS)  # the fault is still in effect
    h.invoke(NEMESIS, "start-pause", "pause")
    h.fail(NEMESIS)
    h.invoke(NEMESIS, "failover", "failover")
    h.fail(NEMESIS)
    (w,) = fault_windows(h.events, one_shot=True)
    assert (w.name, w.end_ns, w.open_ended) == ("partition", 8 * MS, True)


def test_one_shot_faults_span_their_invocation_to_their_completion():
    h = History()
    ok_nemesis(h, "reshard", "reshard", {"slots": [1, 2]})
    h.invoke(NEMESIS, "failover", "failover")  # never completed
    h.invoke(0, "read", None, "k")
    h.ok(0, 1)
    got = [
        (w.name, w.start_ns, w.end_ns, w.open_ended) for w in fault_windows(h.events, one_shot=True)
    ]
    assert got == [("reshard", MS, 2 * MS, False), ("failover", 3 * MS, 5 * MS, True)]
    assert fault_windows(h.events) == []


def test_window_json_round_trip():
    w = FaultWindow("partition", 5, 9, "partition-halves", {"n1": ["n2"]})
    back = FaultWindow.from_json(w.to_json())
    assert (back.name, back.start_ns, back.end_ns) == (w.name, w.start_ns, w.end_ns)
    with pytest.raises(ValueError, match="not a fault window"):
        FaultWindow.from_json({"fault": "kill"})


def test_index_agrees_with_a_scan(seed: int):
    rng = random.Random(seed)
    windows = []
    for i in range(40):
        start = rng.randrange(0, 1000)
        windows.append(FaultWindow(f"f{i % 5}", start, start + rng.randrange(0, 200)))
    index = FaultIndex(windows)
    for _ in range(300):
        lo = rng.randrange(-50, 1250)
        hi = lo + rng.randrange(0, 100)
        scan = sorted({w.name for w in windows if w.start_ns <= hi and lo <= w.end_ns})
        assert index.active(lo, hi) == scan
        assert index.covers(lo) == any(w.start_ns <= lo <= w.end_ns for w in windows)
    covered = {t for w in windows for t in range(w.start_ns, w.end_ns)}
    assert index.covered_ns() == len(covered)
    assert FaultIndex([]).covered_ns() == 0 and not FaultIndex([]).covers(0)


def test_nemesis_events_of_a_recorded_shape_are_read_by_process_not_position():
    """Client events between a nemesis invocation and its completion do not split it."""
    events = [
        Op(OpType.INVOKE, "start-kill", "kill", NEMESIS, 0, 1 * MS),
        Op(OpType.INVOKE, "read", None, 0, 1, 2 * MS, key="k"),
        Op(OpType.OK, "start-kill", ["n1"], NEMESIS, 2, 3 * MS),
        Op(OpType.OK, "read", 1, 0, 3, 4 * MS, key="k"),
        Op(OpType.INVOKE, "stop-kill", None, NEMESIS, 4, 5 * MS),
        Op(OpType.OK, "stop-kill", ["n1"], NEMESIS, 5, 6 * MS),
    ]
    (w,) = fault_windows(events)
    assert (w.start_ns, w.end_ns, w.done) == (1 * MS, 6 * MS, ["n1"])
