"""Models, explanations and limits of the linearizability checker on small, hand-made
histories whose verdicts are clear."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from base.op import Op, OpType
from benchmarks.checkers_bench import register_history
from checkers.history import Operation, pair
from checkers.linear import (
    MODELS,
    Limits,
    LinearizabilityChecker,
    ModelError,
    cas_register,
    check_operations,
    explanation_text,
    kv,
    register,
)
from checkers.linear.model import Refutation
from checkers.linear.schedule import check_partitions
from checkers.verdict import Verdict


def history(*ops: tuple[Any, ...]) -> list[Op]:
    """Events from (process, type, f, value[, key]) tuples, indexed in order."""
    out = []
    for i, spec in enumerate(ops):
        process, type_, f, value, *key = spec
        out.append(
            Op(OpType(type_), f, value, process, index=i, time_ns=i, key=key[0] if key else None)
        )
    return out


def verdict(model: str, events: list[Op]) -> Verdict:
    return LinearizabilityChecker(model, workers=1).check(events).verdict


SEQUENTIAL_CASES = [
    # model, [(f, input, output)], linearizable
    ("register", [("write", 1, 1), ("read", None, 1)], True),
    ("register", [("write", 1, 1), ("read", None, 2)], False),
    ("cas-register", [("write", 1, 1), ("cas", [1, 2], [1, 2]), ("read", None, 2)], True),
    ("cas-register", [("write", 1, 1), ("cas", [2, 3], [2, 3])], False),
    ("set", [("add", 1, 1), ("add", 2, 2), ("read", None, [2, 1])], True),
    ("set", [("add", 1, 1), ("read", None, [])], False),
    ("counter", [("add", 2, 2), ("add", None, None), ("read", None, 3)], True),
    ("counter", [("add", 2, 2), ("read", None, 1)], False),
    ("fifo-queue", [("enqueue", 1, 1), ("enqueue", 2, 2), ("dequeue", None, 1)], True),
    ("fifo-queue", [("enqueue", 1, 1), ("enqueue", 2, 2), ("dequeue", None, 2)], False),
    ("unordered-queue", [("enqueue", 1, 1), ("enqueue", 2, 2), ("dequeue", None, 2)], True),
    ("unordered-queue", [("enqueue", 1, 1), ("dequeue", None, 3)], False),
    ("unordered-queue", [("dequeue", None, None)], True),
    ("multi-register", [("txn", [["w", "x", 1], ["w", "y", 2]], None)], True),
    (
        "multi-register",
        [("write", {"x": 1}, None), ("txn", None, [["r", "x", 1], ["r", "y", None]])],
        True,
    ),
    ("multi-register", [("write", {"x": 1}, None), ("read", None, {"x": 2})], False),
    ("kv", [("put", "a", "a"), ("append", "b", "b"), ("get", None, "ab")], True),
    ("kv", [("append", "b", "b"), ("get", None, "")], False),
]


@pytest.mark.parametrize(("model", "steps", "linearizable"), SEQUENTIAL_CASES)
def test_sequential_histories(model: str, steps: list[tuple[str, Any, Any]], linearizable: bool):
    events = []
    for f, value, output in steps:
        events.append((0, "invoke", f, value))
        events.append((0, "ok", f, output if output is not None else value))
    expected = Verdict.VALID if linearizable else Verdict.INVALID
    assert verdict(model, history(*events)) is expected


def test_every_model_is_named():
    assert set(MODELS) == {
        "register",
        "cas-register",
        "multi-register",
        "set",
        "counter",
        "unordered-queue",
        "fifo-queue",
        "kv",
    }


def test_info_dequeue_may_have_taken_the_head():
    events = history(
        (0, "invoke", "enqueue", 1),
        (0, "ok", "enqueue", 1),
        (0, "invoke", "enqueue", 2),
        (0, "ok", "enqueue", 2),
        (1, "invoke", "dequeue", None),
        (1, "info", "dequeue", None),
        (2, "invoke", "dequeue", None),
        (2, "ok", "dequeue", 2),
    )
    assert verdict("fifo-queue", events) is Verdict.VALID


def test_failed_cas_readings():
    """A failed cas [1 2] while the register holds 1: Knossos drops it (valid); read as
    Porcupine does, it saw a value other than 1, which is impossible (invalid)."""
    events = history(
        (0, "invoke", "write", 1),
        (0, "ok", "write", 1),
        (0, "invoke", "cas", [1, 2]),
        (0, "fail", "cas", [1, 2]),
    )
    assert verdict("cas-register", events) is Verdict.VALID
    result = LinearizabilityChecker(cas_register(failed_cas_reads=True), workers=1).check(events)
    assert result.verdict is Verdict.INVALID


def test_concurrent_write_makes_a_read_legal():
    events = history(
        (0, "invoke", "write", 1),
        (1, "invoke", "read", None),
        (1, "ok", "read", 1),
        (0, "ok", "write", 1),
    )
    assert verdict("register", events) is Verdict.VALID


def test_explanation_names_the_stale_read():
    events = history(
        (0, "invoke", "write", 1),
        (0, "ok", "write", 1),
        (1, "invoke", "write", 2),
        (1, "ok", "write", 2),
        (2, "invoke", "read", None),
        (2, "ok", "read", 1),
    )
    result = LinearizabilityChecker("register", workers=1).check(events)
    assert result.verdict is Verdict.INVALID
    explanation = result.details["explanation"]
    assert explanation["linearized_count"] == 2
    assert explanation["linearization"] == [0, 2]
    assert explanation["state"] == "2"
    assert [op["id"] for op in explanation["unplaceable"]] == [4]
    assert explanation["candidates"] == [
        {"id": 4, "why": "illegal", "op": explanation["unplaceable"][0] | {"role": "illegal"}}
    ]
    assert [step["state_after"] for step in explanation["linearized"]] == ["1", "2"]
    assert {op["id"]: op["role"] for op in explanation["window"]} == {
        0: "linearized",
        2: "linearized",
        4: "unplaceable",
    }
    text = explanation_text(explanation)
    assert "after 2 operations the register is 2" in text
    assert "op@4 process 2 read 1" in text


def test_keys_are_checked_separately_and_the_failing_one_named():
    events = history(
        (0, "invoke", "put", "a", "k1"),
        (0, "ok", "put", "a", "k1"),
        (0, "invoke", "get", None, "k2"),
        (0, "ok", "get", "a", "k2"),
    )
    result = LinearizabilityChecker("kv", workers=1).check(events)
    assert result.verdict is Verdict.INVALID
    assert result.details["failing_key"] == "k2"
    assert result.details["keys"] == 2


def test_a_wrong_refutation_cannot_change_the_verdict():
    """A refutation the search cannot confirm is ignored: the full search decides."""

    def wrong(ops: Sequence[Operation]) -> Refutation:
        return Refutation(ops[-1].complete_index or 0, ops[-1].id, "wrong")

    model = replace(kv(), refute=wrong)
    events = history((0, "invoke", "append", "x"), (0, "ok", "append", "x"))
    parts = model.partition(pair(events))
    assert check_partitions(model, parts, Limits()).verdict == "valid"


def _hard_history(n: int) -> list[Op]:
    """Many concurrent writes that never complete and reads that rule out most orders:
    a search space that grows quickly."""
    events: list[tuple[Any, ...]] = []
    for p in range(n):
        events.append((p, "invoke", "write", p))
    for p in range(n):
        events.append((100 + p, "invoke", "read", None))
        events.append((100 + p, "ok", "read", (p * 7) % n))
    events.append((200, "invoke", "read", None))
    events.append((200, "ok", "read", n + 1))
    return history(*events)


def test_deadline_gives_unknown_with_the_reason():
    ops = pair(_hard_history(14))
    model = register()
    deadline = time.monotonic() + 0.05
    result = check_operations(replace(model, refute=None), ops, Limits(deadline=deadline))
    assert result.verdict == "unknown"
    assert result.reason is not None and result.reason.startswith("timeout")
    assert result.stuck is not None


def test_memory_guard_gives_unknown_with_the_reason():
    model = replace(register(), refute=None)
    result = check_operations(model, pair(_hard_history(14)), Limits(max_memo_bytes=1 << 16))
    assert result.verdict == "unknown"
    assert result.reason is not None and result.reason.startswith("memory guard")


def test_operation_that_does_not_fit_the_model():
    events = history((0, "invoke", "cas", 3), (0, "ok", "cas", 3))
    with pytest.raises(ModelError, match="cas needs a value"):
        LinearizabilityChecker("cas-register", workers=1).check(events)
    with pytest.raises(ValueError, match="unknown model"):
        LinearizabilityChecker("paxos")


def test_long_single_key_history(seed: int):
    """Past EXACT_MAX_OPS the memo holds fingerprints: a long valid history stays valid,
    and one wrong read makes it invalid."""
    events = register_history(seed, 6000, 1)
    assert LinearizabilityChecker("register", workers=1).check(events).verdict is Verdict.VALID
    n, read = next(
        (n, op)
        for n, op in enumerate(events)
        if n > len(events) // 2 and op.type is OpType.OK and op.f == "read"
    )
    events[n] = replace(read, value=99)  # never written
    result = LinearizabilityChecker("register", workers=1).check(events)
    assert result.verdict is Verdict.INVALID
    explanation = result.details["explanation"]
    assert explanation["unplaceable"][0]["output"] == 99
    assert (
        "which nothing invoked before it completed could have written" in explanation["refutation"]
    )


def test_a_partition_the_search_proves_valid_at_once_is_not_refuted():
    """The head start: an easy valid partition is proved by a short search, and its
    refutation (which could only fail) is never asked for; one the search cannot finish
    at once still is."""
    asked: list[int] = []
    model = register()
    assert model.refute is not None
    refute = model.refute

    def counting(ops: Sequence[Operation]) -> Refutation | None:
        asked.append(len(ops))
        return refute(ops)

    counted = replace(model, refute=counting)
    events: list[tuple[Any, ...]] = []
    for i in range(300):
        events += [(0, "invoke", "write", i), (0, "ok", "write", i)]
        events += [(1, "invoke", "read", None), (1, "ok", "read", i)]
    easy = counted.partition(pair(history(*events)))
    assert check_partitions(counted, easy, Limits()).verdict == "valid"
    assert asked == []
    hard = counted.partition(pair(_hard_history(12)))
    assert check_partitions(counted, hard, Limits()).verdict == "invalid"
    assert asked == [len(hard[0])]
