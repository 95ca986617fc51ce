"""Histories whose values have the wrong shape: every checker answers ``unknown`` with a
reason naming the event, never an exception (and `harness check` never a traceback)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checkers.counter import CounterChecker
from checkers.elle import ListAppendChecker
from checkers.history import write_history
from checkers.perf import PerfChecker
from checkers.setfull import SetFullChecker
from checkers.stats import StatsChecker
from checkers.verdict import Checker, Verdict
from tests.checkers.builder import History


def _whole(
    f: str, invoked: Any, completed: Any, key: str | None = "k"
) -> Callable[[History], None]:
    def build(h: History) -> None:
        process = len(h.events)
        h.invoke(process, f, invoked, key)
        h.ok(process, completed)

    return build


CASES: list[tuple[str, Callable[[], Checker], list[Callable[[History], None]], str]] = [
    (
        "set read of a number",
        SetFullChecker,
        [_whole("add", 1, 1), _whole("read", None, 5)],
        "event 2: read value is not a list: 5",
    ),
    (
        "set read of a map",
        SetFullChecker,
        [_whole("add", 1, 1), _whole("read", None, {"a": [1]})],
        "event 2: read value is not a list",
    ),
    ("set add of a map", SetFullChecker, [_whole("add", {"a": 1}, {"a": 1})], "event 0: add of"),
    (
        "set read holding a map",
        SetFullChecker,
        [_whole("add", 1, 1), _whole("read", None, [1, {"a": 1}])],
        "event 2: read holds",
    ),
    (
        "txn that is a number",
        ListAppendChecker,
        [_whole("txn", 5, 5, None)],
        "event 0: txn value is not a list of micro-ops",
    ),
    (
        "txn micro-op too short",
        ListAppendChecker,
        [_whole("txn", [["append", "x"]], [["append", "x"]], None)],
        "event 0: txn micro-op 0: expected [f, k, v]",
    ),
    (
        "txn read of a number",
        ListAppendChecker,
        [_whole("txn", [["r", "x", None]], [["r", "x", 7]], None)],
        "event 0: txn micro-op 0: read of a non-list: 7",
    ),
    (
        "txn append of a map",
        ListAppendChecker,
        [_whole("txn", [["append", "x", {"a": 1}]], [["append", "x", {"a": 1}]], None)],
        "event 0: txn micro-op 0: a map is not a key or element",
    ),
    (
        "counter delta of text",
        CounterChecker,
        [_whole("add", "x", "x")],
        "event 0: add delta is not an integer",
    ),
    (
        "counter read of a list",
        CounterChecker,
        [_whole("add", 1, 1), _whole("read", None, [1])],
        "event 2: read value is not an integer: [1]",
    ),
]


@pytest.mark.parametrize(
    ("make", "steps", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_shape_is_unknown_naming_the_event(
    make: Callable[[], Checker], steps: list[Callable[[History], None]], reason: str
):
    h = History()
    for step in steps:
        step(h)
    result = make().check(h.events)
    assert result.verdict is Verdict.UNKNOWN
    assert result.reason is not None
    assert result.reason.startswith("bad history: ")
    assert reason in result.reason


@pytest.mark.parametrize("make", [StatsChecker, PerfChecker])
def test_stats_and_perf_judge_any_value_shape(make: Callable[[], Checker]):
    h = History()
    for step in (_whole("add", {"a": 1}, None), _whole("read", None, 5), _whole("txn", 5, 5)):
        step(h)
    assert make().check(h.events).verdict is Verdict.VALID


@pytest.mark.parametrize(
    ("model", "steps"),
    [
        ("set-full", [_whole("add", 1, 1), _whole("read", None, "abc")]),
        ("list-append", [_whole("txn", 5, 5, None)]),
        ("counter-bounds", [_whole("add", 1, 1), _whole("read", None, "x")]),
    ],
)
def test_cli_prints_unknown_with_the_reason(
    tmp_path: Path, model: str, steps: list[Callable[[History], None]]
):
    h = History()
    for step in steps:
        step(h)
    path = tmp_path / "history.jsonl"
    path.write_text("".join(write_history(h.events, "jsonl")))
    argv = [sys.executable, "-m", "harness.commands.check", "--model", model, "-v", str(path)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith(f"{path}\tunknown\nbad history: event ")
    assert "Traceback" not in done.stdout + done.stderr
