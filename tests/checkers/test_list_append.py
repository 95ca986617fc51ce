"""The Elle-style list-append checker: one history per anomaly, and serial histories."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from base.op import Op, OpType
from checkers.elle import ListAppendChecker
from checkers.verdict import Verdict
from tests.checkers.builder import History, txn


def check(h: History | list[Op], consistency: str = "serializable") -> Any:
    events = h.events if isinstance(h, History) else h
    return ListAppendChecker(consistency=consistency).check(events)


def anomaly_types(h: History, consistency: str = "serializable") -> list[str]:
    r = check(h, consistency)
    assert (r.verdict is Verdict.VALID) == (not r.details["anomaly_types"])
    types: list[str] = r.details["anomaly_types"]
    return types


def test_g0_write_cycle_with_its_explanation():
    h = History()
    txn(h, 0, [["append", "x", 1], ["append", "y", 1]])
    txn(h, 1, [["append", "x", 2], ["append", "y", 2]])
    txn(h, 2, [["r", "x", [1, 2]], ["r", "y", [2, 1]]])
    r = check(h)
    assert r.details["anomaly_types"] == ["G0"]
    (g0,) = r.details["anomalies"]["G0"]
    assert [s["type"] for s in g0["steps"]] == ["ww", "ww"]
    assert {(s["key"], s["value"], s["value'"]) for s in g0["steps"]} == {
        ("x", 1, 2),
        ("y", 2, 1),
    }
    assert g0["cycle"][0]["index"] == g0["cycle"][-1]["index"]
    assert "appended" in g0["steps"][0]["explanation"]


def test_g1c_circular_information_flow():
    h = History()
    h.invoke(0, "txn", [["append", "x", 1], ["r", "y", None]])
    h.invoke(1, "txn", [["append", "y", 1], ["r", "x", None]])
    h.ok(0, [["append", "x", 1], ["r", "y", [1]]])
    h.ok(1, [["append", "y", 1], ["r", "x", [1]]])
    assert anomaly_types(h) == ["G1c"]
    steps = check(h).details["anomalies"]["G1c"][0]["steps"]
    assert sorted(s["type"] for s in steps) == ["wr", "wr"]


def test_g_single_read_skew():
    h = History()
    txn(h, 0, [["append", "x", 1], ["append", "y", 1]])
    txn(h, 1, [["r", "x", []], ["r", "y", [1]]])
    txn(h, 2, [["r", "x", [1]]])
    assert anomaly_types(h) == ["G-single"]
    steps = check(h).details["anomalies"]["G-single"][0]["steps"]
    assert sorted(s["type"] for s in steps) == ["rw", "wr"]


def test_g2_item_write_skew():
    h = History()
    h.invoke(0, "txn", [["r", "x", None], ["append", "y", 1]])
    h.invoke(1, "txn", [["r", "y", None], ["append", "x", 1]])
    h.ok(0, [["r", "x", []], ["append", "y", 1]])
    h.ok(1, [["r", "y", []], ["append", "x", 1]])
    txn(h, 2, [["r", "x", [1]], ["r", "y", [1]]])
    assert anomaly_types(h) == ["G2-item"]


def test_g1a_aborted_read():
    h = History()
    txn(h, 0, [["append", "x", 1]], outcome="fail")
    txn(h, 1, [["r", "x", [1]]])
    assert anomaly_types(h) == ["G1a"]
    (g1a,) = check(h).details["anomalies"]["G1a"]
    assert g1a["element"] == 1
    assert g1a["writer"]["type"] == "fail"


def test_g1b_intermediate_read():
    h = History()
    txn(h, 0, [["append", "x", 1], ["append", "x", 2]])
    txn(h, 1, [["r", "x", [1]]])
    assert anomaly_types(h) == ["G1b"]


def test_lost_update():
    h = History()
    txn(h, 0, [["append", 1, 0]])
    h.invoke(1, "txn", [["r", 1, None], ["append", 1, 1]])
    h.invoke(2, "txn", [["r", 1, None], ["append", 1, 2]])
    h.ok(1, [["r", 1, [0]], ["append", 1, 1]])
    h.ok(2, [["r", 1, [0]], ["append", 1, 2]])
    assert "lost-update" in anomaly_types(h)


def test_internal_inconsistency():
    h = History()
    txn(h, 0, [["append", "x", 1]])
    txn(h, 1, [["r", "x", [1]], ["append", "x", 2], ["r", "x", [1]]])
    assert anomaly_types(h) == ["internal"]
    (bad,) = check(h).details["anomalies"]["internal"]
    assert bad["expected"] == [1, 2]


def test_duplicate_elements_and_unexpected_elements():
    h = History()
    txn(h, 0, [["append", "x", 1]])
    txn(h, 1, [["r", "x", [1, 1]]])
    txn(h, 1, [["r", "y", [7]]])
    assert anomaly_types(h) == ["duplicate-elements", "unexpected"]


def test_incompatible_orders():
    h = History()
    for v in (1, 2, 3):
        txn(h, 0, [["append", "x", v]])
    txn(h, 1, [["r", "x", [1, 2]]])
    txn(h, 1, [["r", "x", [1, 3, 2]]])
    assert "incompatible-order" in anomaly_types(h)


def test_stale_read_is_only_a_strict_serializability_violation():
    h = History()
    txn(h, 0, [["append", "x", 1]])
    txn(h, 1, [["r", "x", []]])  # began after the append completed
    txn(h, 2, [["r", "x", [1]]])
    assert anomaly_types(h) == []
    assert anomaly_types(h, "strict-serializable") == ["G-single-realtime"]


def test_unknown_consistency_model_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown consistency model"):
        ListAppendChecker(consistency="snapshot")


def test_info_txn_whose_append_is_seen_joins_the_graph():
    h = History()
    txn(h, 0, [["append", "x", 1]], outcome="info")
    txn(h, 1, [["r", "x", [1]]])
    r = check(h)
    assert r.verdict is Verdict.VALID
    assert r.details["info_count"] == 1
    assert r.details["edge_count"] == 1


@st.composite
def serial_runs(draw: st.DrawFn) -> list[Op]:
    """Transactions of one to three micro-ops over two keys, each applied atomically at
    one moment between its invocation and completion (or never, for those that end
    fail or info without being applied): strict serializable by construction."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    h = History()
    lists: dict[str, list[int]] = {"x": [], "y": []}
    pending: dict[int, list[list[Any]]] = {}
    applied: dict[int, list[list[Any]]] = {}
    next_value = 0
    live = [0, 1, 2]
    for _ in range(draw(st.integers(1, 40))):
        idle = [p for p in live if p not in pending and p not in applied]
        roll = rng.random()
        if idle and roll < 0.4:
            p = rng.choice(idle)
            mops: list[list[Any]] = []
            for _ in range(rng.randint(1, 3)):
                k = rng.choice("xy")
                if rng.random() < 0.5:
                    mops.append(["append", k, next_value])
                    next_value += 1
                else:
                    mops.append(["r", k, None])
            pending[p] = mops
            h.invoke(p, "txn", mops)
        elif pending and roll < 0.7:
            p = rng.choice(sorted(pending))
            done = []
            for f, k, v in pending.pop(p):
                if f == "append":
                    lists[k].append(v)
                    done.append([f, k, v])
                else:
                    done.append([f, k, list(lists[k])])
            applied[p] = done
        elif applied:
            p = rng.choice(sorted(applied))
            if rng.random() < 0.15:  # took effect, but the client never heard
                applied.pop(p)
                h.info(p)
                live[live.index(p)] = max(live) + 1
            else:
                h.ok(p, applied.pop(p))
    for p in sorted(pending):
        h.info(p) if rng.random() < 0.5 else h.fail(p)
    for p in sorted(applied):
        h.ok(p, applied[p])
    return h.events


@settings(max_examples=150, deadline=None)
@given(serial_runs())
def test_atomic_histories_have_no_anomalies(history):
    r = check(history, "strict-serializable")
    assert r.verdict is Verdict.VALID, r.details["anomalies"]


def test_future_read():
    h = History()
    txn(h, 0, [["r", "x", [5]], ["append", "x", 5]])
    assert anomaly_types(h) == ["future-read"]


def test_dirty_update():
    h = History()
    txn(h, 0, [["append", "x", 1]], outcome="fail")
    txn(h, 1, [["append", "x", 2]])
    txn(h, 2, [["r", "x", [1, 2]]])
    assert anomaly_types(h) == ["G1a", "dirty-update"]


def test_write_skew_on_unread_single_appends():
    # Nobody read x or y non-empty, but each has exactly one committed append, so it
    # must follow the empty reads: T0 -rw-> T1 -rw-> T0.
    h = History()
    h.invoke(0, "txn", [["append", "x", 1], ["r", "y", None]])
    h.invoke(1, "txn", [["append", "y", 1], ["r", "x", None]])
    h.ok(0, [["append", "x", 1], ["r", "y", []]])
    h.ok(1, [["append", "y", 1], ["r", "x", []]])
    assert anomaly_types(h) == ["G2-item"]


def test_no_inference_when_an_unread_append_has_unknown_outcome():
    h = History()
    h.invoke(0, "txn", [["append", "x", 1], ["r", "y", None]])
    h.invoke(1, "txn", [["append", "y", 1], ["r", "x", None]])
    h.invoke(2, "txn", [["append", "x", 2]])
    h.ok(0, [["append", "x", 1], ["r", "y", []]])
    h.ok(1, [["append", "y", 1], ["r", "x", []]])
    h.info(2)
    assert anomaly_types(h) == []


def _txn_reads(op: Op) -> list[tuple[int, str, list[int]]]:
    return [(i, m[1], m[2]) for i, m in enumerate(op.value) if m[0] == "r" and m[2]]


@settings(max_examples=150, deadline=None)
@given(serial_runs(), st.integers(0, 10**6))
def test_hiding_a_write_completed_before_a_read_is_caught(history, pick):
    """Drop the last element e from a committed read when e's transaction completed
    before the read began and another read shows e: strict serializability must fail."""
    completed_at: dict[tuple[str, int], int] = {}
    seen: dict[tuple[str, int], int] = {}
    invoked_at: dict[Any, int] = {}
    for pos, op in enumerate(history):
        if op.type is OpType.INVOKE:
            invoked_at[op.process] = pos
        elif op.type is OpType.OK:
            for m in op.value:
                if m[0] == "append":
                    completed_at[(m[1], m[2])] = pos
                elif m[2]:
                    for e in m[2]:
                        seen[(m[1], e)] = seen.get((m[1], e), 0) + 1
    candidates = []
    for pos, op in enumerate(history):
        if op.type is not OpType.OK:
            continue
        for i, k, values in _txn_reads(op):
            e = values[-1]
            wrote = completed_at.get((k, e))
            if wrote is not None and wrote < invoked_at_before(history, pos) and seen[(k, e)] > 1:
                candidates.append((pos, i))
    if not candidates:
        return
    pos, i = candidates[pick % len(candidates)]
    op = history[pos]
    mops = [list(m) for m in op.value]
    mops[i] = [mops[i][0], mops[i][1], mops[i][2][:-1]]
    events = list(history)
    events[pos] = replace(op, value=mops)
    assert check(events, "strict-serializable").verdict is Verdict.INVALID


def invoked_at_before(history: list[Op], pos: int) -> int:
    """Position of the invocation that the completion at ``pos`` closes."""
    process = history[pos].process
    return next(p for p in range(pos - 1, -1, -1) if history[p].process == process)
