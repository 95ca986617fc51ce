"""One pairing core, two readings: lenient (every attempt) and strict (Jepsen's rules)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from base.op import NEMESIS, Op, OpType
from checkers.history import HistoryPairingError, pair
from checkers.history.pairing import NEVER, pair_attempts, pair_events

EVENTS = [
    Op(OpType.INVOKE, "add", 1, 0, index=0, time_ns=10),
    Op(OpType.INVOKE, "start-partition", None, NEMESIS, index=1),
    Op(OpType.OK, "add", 1, 0, index=2, time_ns=20, acks=1, node="n1"),
    Op(OpType.INVOKE, "add", 2, 1, index=3),
    Op(OpType.FAIL, "add", 2, 1, index=4, error="READONLY"),
    Op(OpType.INFO, "start-partition", None, NEMESIS, index=5),
    Op(OpType.INVOKE, "add", 3, 2, index=6),
    Op(OpType.INFO, "add", 3, 2, index=7),
]


def test_lenient_keeps_failures_nemesis_and_fields():
    attempts = pair_attempts(EVENTS)
    assert [(a.f, a.outcome, a.invoke_pos, a.complete_pos) for a in attempts] == [
        ("add", OpType.OK, 0, 2),
        ("start-partition", OpType.INFO, 1, NEVER),
        ("add", OpType.FAIL, 3, 4),
        ("add", OpType.INFO, 6, NEVER),
    ]
    assert (attempts[0].acks, attempts[0].node) == (1, "n1")
    assert attempts[2].completion is not None and attempts[2].completion.error == "READONLY"


def test_strict_view_drops_failures_and_nemesis():
    ops = pair(EVENTS)
    assert [(op.input, op.outcome, op.complete_index) for op in ops] == [
        (1, OpType.OK, 2),
        (3, OpType.INFO, None),
    ]
    kept = pair_events(EVENTS, strict=True, keep_failed={"add"})
    assert [a.outcome for a in kept] == [OpType.OK, OpType.FAIL, OpType.INFO]


def test_untidy_history_lenient_vs_strict():
    untidy = [
        Op(OpType.INVOKE, "read", None, 0, index=0),
        Op(OpType.INVOKE, "read", None, 0, index=1),
        Op(OpType.OK, "read", 5, 0, index=2),
        Op(OpType.OK, "read", 6, 1, index=3),
    ]
    attempts = pair_attempts(untidy)
    assert [(a.invoke_pos, a.complete_pos, a.outcome) for a in attempts] == [
        (0, NEVER, OpType.INFO),
        (1, 2, OpType.OK),
        (3, 3, OpType.OK),
    ]
    with pytest.raises(HistoryPairingError, match="while its event 0 is open"):
        pair(untidy)


@st.composite
def _tidy_histories(draw: st.DrawFn) -> list[Op]:
    """Interleaved operations of a few processes, each invoked and then completed (ok,
    fail or info; a process that ends info is replaced by a fresh one), with nemesis
    events in between."""
    events: list[Op] = []
    open_: dict[int, Op] = {}
    next_process = 3
    live = [0, 1, 2]
    for _ in range(draw(st.integers(0, 30))):
        action = draw(st.sampled_from(["invoke", "complete", "nemesis"]))
        if action == "nemesis":
            events.append(Op(OpType.INFO, "kill", None, NEMESIS, index=len(events)))
        elif action == "invoke":
            idle = [p for p in live if p not in open_]
            if idle:
                p = draw(st.sampled_from(idle))
                op = Op(OpType.INVOKE, "write", len(events), p, index=len(events))
                open_[p] = op
                events.append(op)
        elif open_:
            p = draw(st.sampled_from(sorted(open_)))
            type_ = draw(st.sampled_from([OpType.OK, OpType.FAIL, OpType.INFO]))
            del open_[p]
            events.append(Op(type_, "write", None, p, index=len(events)))
            if type_ is OpType.INFO:
                live.remove(p)
                live.append(next_process)
                next_process += 1
    return events


@given(_tidy_histories())
@settings(max_examples=200, deadline=None)
def test_strict_view_is_the_lenient_pairing_without_failures_and_faults(history: list[Op]):
    strict = [(op.invoke_index, op.complete_index, op.outcome) for op in pair(history)]
    lenient = [
        (a.invoke_pos, None if a.complete_pos == NEVER else a.complete_pos, a.outcome)
        for a in pair_attempts(history)
        if a.is_client and a.outcome is not OpType.FAIL
    ]
    assert strict == lenient
