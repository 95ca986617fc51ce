"""Set-full: hand-written histories with known answers, and properties of simulated ones."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from base.op import Op, OpType
from checkers.setfull import SetFullChecker
from checkers.verdict import Verdict
from tests.checkers.builder import History


def check(h: History) -> Any:
    return SetFullChecker().check(h.events)


def test_every_acknowledged_add_read_back_is_valid():
    h = History()
    for v in range(5):
        h.add(0, v)
    h.read(1, [0, 1, 2, 3, 4])
    r = check(h)
    assert r.verdict is Verdict.VALID
    assert r.details["acknowledged_count"] == 5
    assert r.details["lost_count"] == 0


def test_lost_write_is_reported_with_its_fault_and_times():
    h = History()
    h.add(0, 1, acks=1)
    h.nemesis("start-partition", "majority")
    h.add(0, 2, acks=0)
    h.nemesis("stop-partition")
    h.read(1, [1])
    r = check(h)
    assert r.verdict is Verdict.INVALID
    assert r.details["lost_count"] == 1
    (lost,) = r.details["lost"]
    assert lost["value"] == 2
    assert lost["key"] == "k"
    assert lost["acks"] == 0
    assert lost["faults"] == ["partition"]
    assert lost["invoke_time"] < lost["complete_time"]
    assert lost["missing_from_read_index"] == 8


def test_add_concurrent_with_the_final_read_is_not_lost():
    h = History()
    h.invoke(0, "add", 1, "k")
    h.invoke(1, "read", None, "k")
    h.ok(0)
    h.ok(1, [])
    r = check(h)
    assert r.verdict is Verdict.VALID
    assert r.details["never_read_count"] == 1


def test_info_add_later_seen_is_recovered():
    h = History()
    h.add(0, 1, outcome="info")
    h.add(1, 2, outcome="info")
    h.read(2, [1])
    r = check(h)
    assert r.verdict is Verdict.VALID
    assert r.details["recovered_count"] == 1
    assert r.details["acknowledged_count"] == 0


def test_unexpected_values_never_added_or_failed():
    h = History()
    h.add(0, 1, outcome="fail")
    h.read(1, [1, 99])
    r = check(h)
    assert r.verdict is Verdict.INVALID
    assert r.details["unexpected_count"] == 2
    assert {(u["value"], u["why"]) for u in r.details["unexpected"]} == {
        (1, "add failed"),
        (99, "never added"),
    }


def test_stale_read_during_the_run():
    h = History()
    h.add(0, 1)
    h.read(1, [])  # began after 1 was acknowledged: stale
    h.read(1, [1])
    r = check(h)
    assert r.verdict is Verdict.VALID
    assert r.details["stale_count"] == 1
    (stale,) = r.details["stale_reads"]
    assert stale["index"] == 2
    assert stale["missing"] == [1]


def test_element_seen_then_gone_is_lost_even_if_its_add_was_info():
    h = History()
    h.add(0, 1, outcome="info")
    h.read(1, [1])
    h.read(1, [])
    r = check(h)
    assert r.verdict is Verdict.INVALID
    assert r.details["lost"][0]["outcome"] == "info"


def test_counts_split_by_wait_acknowledgement_level():
    h = History()
    h.add(0, 1, acks=None)
    h.add(0, 2, acks=0)
    h.add(0, 3, acks=0)
    h.add(0, 4, acks=1)
    h.add(0, 5, acks=2)
    h.read(1, [1, 3, 5])
    by = check(h).details["by_acks"]
    assert by["none"]["acknowledged_count"] == 1
    assert by["none"]["lost_count"] == 0
    assert by["0"]["acknowledged_count"] == 2
    assert by["0"]["lost_count"] == 1
    assert by["1"]["lost_count"] == 1
    assert by["2"]["lost_count"] == 0


def test_keys_are_independent():
    h = History()
    h.add(0, 1, key="a")
    h.add(0, 1, key="b")
    h.read(1, [1], key="a")
    h.read(1, [], key="b")
    r = check(h)
    assert r.details["lost_count"] == 1
    assert r.details["lost"][0]["key"] == "b"


def test_key_never_read_is_unknown():
    h = History()
    h.add(0, 1, key="a")
    r = check(h)
    assert r.verdict is Verdict.UNKNOWN
    assert r.details["unread_keys"] == ["a"]


def test_duplicates_are_reported():
    h = History()
    h.add(0, 1)
    h.read(1, [1, 1])
    r = check(h)
    assert r.details["duplicated_count"] == 1


def test_a_read_that_is_not_a_list_is_unknown_naming_the_event():
    h = History()
    h.add(0, 1)
    h.read(1, 7)
    r = check(h)
    assert r.verdict is Verdict.UNKNOWN
    assert r.reason == "bad history: event 2: read value is not a list: 7"


# ---------- properties on simulated histories ----------


@st.composite
def set_runs(draw: st.DrawFn) -> list[Op]:
    """A history of a correct grow-only set: each add takes effect at one moment between
    its invocation and completion (or never, if it fails), each read returns the set at
    one moment within its own interval; a final read of every key at the end."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    h = History()
    keys = ["a", "b"][: draw(st.integers(1, 2))]
    store: dict[str, list[int]] = {k: [] for k in keys}
    pending: dict[int, dict[str, Any]] = {}
    next_value = 0
    next_process = 4
    idle = list(range(4))
    for _ in range(draw(st.integers(1, 30))):
        choice = rng.random()
        if idle and (choice < 0.4 or not pending):
            p = idle.pop(rng.randrange(len(idle)))
            key = rng.choice(keys)
            if rng.random() < 0.7:
                pending[p] = {"f": "add", "key": key, "value": next_value, "applied": False}
                h.invoke(p, "add", next_value, key)
                next_value += 1
            else:
                pending[p] = {"f": "read", "key": key, "applied": False}
                h.invoke(p, "read", None, key)
        elif pending:
            p = rng.choice(sorted(pending))
            op = pending[p]
            if not op["applied"] and choice < 0.75:
                op["applied"] = True
                if op["f"] == "add":
                    store[op["key"]].append(op["value"])
                else:
                    op["result"] = list(store[op["key"]])
                continue
            del pending[p]
            if op["f"] == "read":
                if op["applied"]:
                    h.ok(p, op["result"])
                else:
                    h.fail(p)
                idle.append(p)
            elif op["applied"] and rng.random() < 0.8:
                h.ok(p, acks=rng.choice([None, 0, 1]))
                idle.append(p)
            elif not op["applied"] and rng.random() < 0.5:
                h.fail(p)
                idle.append(p)
            else:
                h.info(p)  # the process is retired; a fresh one takes its place
                idle.append(next_process)
                next_process += 1
    for p, op in sorted(pending.items()):
        if op["f"] == "add" and op["applied"]:
            h.ok(p)
        else:
            h.info(p)
    for key in keys:
        h.read(99, list(store[key]), key=key)
    return h.events


@settings(max_examples=150, deadline=None)
@given(set_runs())
def test_simulated_correct_sets_are_valid(history):
    r = SetFullChecker().check(history)
    assert r.verdict is Verdict.VALID, r.details
    assert r.details["stale_count"] == 0
    assert r.details["lost_count"] == 0


@settings(max_examples=150, deadline=None)
@given(set_runs(), st.integers(0, 10**6))
def test_dropping_an_acknowledged_element_from_the_final_read_loses_exactly_it(history, pick):
    final_reads = {
        op.key: i for i, op in enumerate(history) if op.type is OpType.OK and op.f == "read"
    }
    acked = [
        (op.key, op.value)
        for op in history
        if op.type is OpType.OK and op.f == "add" and op.index < final_reads[op.key] - 1
    ]
    if not acked:
        return
    key, value = acked[pick % len(acked)]
    events = list(history)
    at = final_reads[key]
    events[at] = replace(events[at], value=[v for v in events[at].value if v != value])
    r = SetFullChecker().check(events)
    assert r.verdict is Verdict.INVALID
    assert r.details["lost_count"] == 1
    assert [(x["key"], x["value"]) for x in r.details["lost"]] == [(key, value)]
