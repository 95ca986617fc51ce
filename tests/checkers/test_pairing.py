"""One pairing core, two readings: lenient (every attempt) and strict (Jepsen's rules)."""

from __future__ import annotations

import pytest

from checkers.history import HistoryPairingError, pair
from checkers.history.pairing import NEVER, pair_attempts, pair_events
from checkers.op import NEMESIS, Op, OpType

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
