"""The checkers' typed results: each checker's ``details`` is its result type's
``to_json``, ``from_json`` reads it back whole, and results.json keeps its shape."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from base.op import NEMESIS
from checkers.counter import CounterChecker
from checkers.elle import ListAppendChecker
from checkers.linear import LinearizabilityChecker
from checkers.perf import PerfChecker
from checkers.results.elle import ListAppendResult
from checkers.results.figures import CounterResult, PerfResult, StatsResult
from checkers.results.linear import LinearResult
from checkers.results.run import RunResults
from checkers.results.setfull import SetFullResult
from checkers.setfull import SetFullChecker
from checkers.stats import StatsChecker
from checkers.verdict import Checker, CheckResult, Verdict, run_checkers
from tests.checkers.builder import History, txn


def _json(data: Any) -> Any:
    """As results.json holds it (tuples become lists)."""
    return json.loads(json.dumps(data, default=str))


def set_history() -> History:
    h = History()
    h.invoke(NEMESIS, "start-partition", "partition-halves")
    h.ok(NEMESIS, {"n1": ["n2"], "n2": ["n1"]})
    h.add(0, 1, acks=1)
    h.add(1, 2, acks=0)
    h.add(2, 3, outcome="info")
    h.read(3, [1, 3])
    h.invoke(NEMESIS, "stop-partition")
    h.ok(NEMESIS)
    h.read(3, [1, 3, 9])
    return h


def counter_history() -> History:
    h = History()
    h.invoke(0, "add", 1, "c")
    h.ok(0)
    h.invoke(1, "read", None, "c")
    h.ok(1, 5)  # out of bounds
    return h


def register_history() -> History:
    h = History()
    h.invoke(0, "write", 1, "k")
    h.ok(0)
    h.invoke(1, "read", None, "k")
    h.ok(1, 0)  # stale
    return h


def list_append_history() -> History:
    h = History()
    txn(h, 0, [["append", "x", 1], ["append", "y", 1]])
    txn(h, 1, [["append", "x", 2], ["append", "y", 2]])
    txn(h, 2, [["r", "x", [1, 2]], ["r", "y", [2, 1]]])
    return h


CASES: list[tuple[Any, Callable[[], History], Any]] = [
    (SetFullChecker(), set_history, SetFullResult),
    (CounterChecker(), counter_history, CounterResult),
    (StatsChecker(), counter_history, StatsResult),
    (PerfChecker(), set_history, PerfResult),
    (LinearizabilityChecker("register", workers=1), register_history, LinearResult),
    (ListAppendChecker(), list_append_history, ListAppendResult),
]


@pytest.mark.parametrize(("checker", "history", "kind"), CASES, ids=lambda c: type(c).__name__)
def test_details_are_the_typed_result(checker: Any, history: Callable[[], History], kind: Any):
    result = checker.check(history().events)
    stored = _json(result.details)
    typed = kind.from_json(stored)
    assert _json(typed.to_json()) == stored
    assert CheckResult.from_json(result.checker, _json(result.to_json())) == CheckResult(
        result.checker, result.verdict, result.reason, stored
    )


def test_the_findings_read_back():
    lost = SetFullResult.from_json(_json(SetFullChecker().check(set_history().events).details))
    assert (lost.counts.lost, lost.counts.recovered, lost.unexpected_count) == (1, 1, 1)
    (w,) = lost.lost
    assert (w.value, w.acks, w.faults) == (2, 0, ("partition",))
    assert lost.by_acks["0"].lost == 1
    linear = LinearResult.from_json(
        _json(
            LinearizabilityChecker("register", workers=1).check(register_history().events).details
        )
    )
    assert linear.explanation is not None and linear.failing_key == "k"
    (bad,) = linear.explanation.unplaceable
    assert (bad.f, bad.output, bad.role) == ("read", 0, "unplaceable")


def test_results_json_keeps_its_shape_and_reads_back():
    checkers: list[Checker] = [SetFullChecker(), StatsChecker(), PerfChecker()]
    verdict, results = run_checkers(checkers, set_history().events)
    run = RunResults(verdict, results, {"seed": 7, "error": None})
    data = _json(run.to_json())
    assert list(data) == ["valid", "checkers", "lost_writes", "seed", "error"]
    assert data["valid"] is False and data["lost_writes"]["lost_count"] == 1
    assert set(data["lost_writes"]) == set(SetFullResult.SUMMARY)
    back = RunResults.from_json(data)
    assert back.verdict is Verdict.INVALID and dict(back.extra) == {"seed": 7, "error": None}
    assert _json(back.to_json()) == data
    found = back.set_full()
    assert found is not None and found.counts.lost == 1
    assert back.linear() is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected an object"),
        ({"checkers": {}}, "no 'valid'"),
        ({"valid": "maybe"}, "not a verdict"),
        ({"valid": True, "checkers": {"stats": 3}}, "not a result"),
    ],
)
def test_bad_results_json_is_a_clear_error(data: object, message: str):
    with pytest.raises(ValueError, match=message):
        RunResults.from_json(data)


def test_an_interrupted_run_and_a_crashed_checker_read_back():
    interrupted: Mapping[str, Any] = {"valid": "unknown", "checkers": {}, "check": "interrupted"}
    run = RunResults.from_json(interrupted)
    assert run.verdict is Verdict.UNKNOWN and run.extra == {"check": "interrupted"}
    crashed = {"valid": "unknown", "checkers": {"set-full": {"valid": "unknown", "reason": "x"}}}
    assert RunResults.from_json(crashed).set_full() is None
    with pytest.raises(ValueError, match="index"):
        SetFullResult.from_json({"lost": [{"value": 1}]})
