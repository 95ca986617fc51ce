"""`harness compare`'s table (reports/compare.py) from two results.json objects: equal
runs agree on every row, a differing verdict and lost-write counts are marked, absent
loss windows / availability / history read n/a; and the change rule of reports/changes.py."""

from __future__ import annotations

from typing import Any

import pytest

from reports.changes import describe_change, lost_rate, rate_changed, rate_text
from reports.compare import NA, ComparedRun, Row, compare, differing, render_markdown
from reports.perf import LatencyRow


def counts(acknowledged: int, lost: int) -> dict[str, int]:
    return {
        "attempted_count": acknowledged,
        "acknowledged_count": acknowledged,
        "lost_count": lost,
        "stale_count": 0,
        "never_read_count": 0,
        "recovered_count": 0,
    }


def results(valid: bool, by_acks: dict[str, tuple[int, int]], **extra: Any) -> dict[str, Any]:
    """A results.json object as the harness writes it for a set run."""
    acked = sum(a for a, _ in by_acks.values())
    lost = sum(n for _, n in by_acks.values())
    details = {
        "valid": valid,
        **counts(acked, lost),
        "unexpected_count": 0,
        "duplicated_count": 0,
        "lost": [],
        "by_acks": {level: counts(a, n) for level, (a, n) in by_acks.items()},
    }
    return {
        "valid": valid,
        "checkers": {
            "set-full": details,
            "stats": {"valid": True, "count": acked, "ok_count": acked},
        },
        "lost_writes": {"acknowledged_count": acked, "lost_count": lost},
        "seed": 7,
        **extra,
    }


def described(db: str) -> dict[str, Any]:
    return {"name": f"{db}-set-partition-minority", "db": db, "workload": "set", "seed": 7}


LATENCY = (LatencyRow("add", 900, 0, 2, (0.2, 0.5, 0.9, 4.0)),)
WINDOW = {
    "fault": "partition-minority",
    "fault_start": 1_000,
    "fault_end": 9_000,
    "count": 3,
    "first_s": 0.031,
    "last_s": 2.04,
    "p50_s": 1.1,
    "nodes": {"n1": 3},
}
PERIOD = {
    "fault": "partition-minority",
    "start": 1_000,
    "end": 9_000,
    "shards": [
        {"shard": "n1", "first_failure": 1, "end": 2_300_000_001, "recovered": True,
         "failed": 4, "timed_out": 1},
    ],
    "recovery_after_heal_s": 0.52,
}  # fmt: skip


def row(rows: list[Row], label: str) -> Row:
    return next(r for r in rows if r.label == label)


def test_equal_runs_agree_on_every_row() -> None:
    data = results(True, {"none": (1000, 0)})
    a = ComparedRun.from_json("A", described("redis"), data, LATENCY)
    b = ComparedRun.from_json("B", described("redis"), data, LATENCY)
    rows = compare(a, b)
    assert differing(rows) == []
    assert row(rows, "verdict") == Row("verdict", "valid", "valid", "")
    assert row(rows, "lost rate (lost / acknowledged)").a == "0%"
    assert row(rows, "WAIT none: lost / acknowledged").a == "0 / 1,000"
    assert row(rows, "latency add ok ms: p50 / p95 / p99").a == "0.20 / 0.50 / 0.90"
    text = render_markdown(rows, "A vs B")
    assert text.startswith("# A vs B\n") and "The runs agree on every row." in text


def test_differing_verdict_and_lost_writes_are_marked() -> None:
    a = ComparedRun.from_json("A", described("redis"), results(False, {"1": (900, 9)}))
    b = ComparedRun.from_json(
        "B", described("splitbrain"), results(True, {"1": (1000, 0), "2": (50, 0)})
    )
    rows = compare(a, b)
    assert row(rows, "verdict") == Row("verdict", "invalid", "valid", "differs")
    assert row(rows, "verdict set-full").differs
    assert not row(rows, "verdict stats").differs
    assert row(rows, "db").note == "differs" and not row(rows, "seed").differs
    assert row(rows, "lost writes") == Row("lost writes", "9", "0", "differs (-9)")
    assert row(rows, "acknowledged writes").note == "differs (+150)"
    rate = row(rows, "lost rate (lost / acknowledged)")
    assert (rate.a, rate.b, rate.note) == ("1%", "0%", "changed (1% → 0%)")
    assert row(rows, "WAIT 1: lost / acknowledged") == Row(
        "WAIT 1: lost / acknowledged", "9 / 900", "0 / 1,000", "differs"
    )
    assert row(rows, "WAIT 2: lost / acknowledged").a == "—"
    assert "verdict" in differing(rows)
    near = compare(
        ComparedRun.from_json("A", {}, results(False, {"none": (1000, 10)})),
        ComparedRun.from_json("B", {}, results(False, {"none": (1000, 30)})),
    )
    assert row(near, "lost rate (lost / acknowledged)").note == "changed (B/A 3.00)"
    near = compare(
        ComparedRun.from_json("A", {}, results(False, {"none": (1000, 10)})),
        ComparedRun.from_json("B", {}, results(False, {"none": (1000, 12)})),
    )
    assert row(near, "lost rate (lost / acknowledged)").note == "differs (B/A 1.20)"
    lines = render_markdown(rows).splitlines()
    assert lines[0].startswith("| ") and set(lines[1]) <= {"|", "-"}
    assert len({len(line) for line in lines[:-2] if line}) == 1  # padded columns


def test_absent_windows_availability_and_history_read_n_a() -> None:
    data = results(True, {"none": (10, 0)})
    a = ComparedRun.from_json("A", described("redis"), data)
    b = ComparedRun.from_json("B", described("redis"), data)
    rows = compare(a, b)
    window = row(rows, "loss window (all): first / last / p50 after fault start")
    assert (window.a, window.b, window.note) == (NA, NA, "")
    assert row(rows, "availability (all): longest outage").a == NA
    assert row(rows, "availability (all): heal → all shards answering").b == NA
    assert row(rows, "latency (all) ok ms: p50 / p95 / p99").a == NA


def test_windows_and_availability_beside_a_run_without_them() -> None:
    availability = {"shards": {"n1": "0-5460"}, "faults": [PERIOD]}  # as results.json has it
    with_them = results(False, {"none": (100, 3)}, availability=availability)
    with_them["lost_writes"]["windows"] = [WINDOW]
    a = ComparedRun.from_json("A", described("redis"), with_them)
    b = ComparedRun.from_json("B", described("redis"), results(True, {"none": (100, 0)}))
    rows = compare(a, b)
    window = row(rows, "loss window 1: first / last / p50 after fault start")
    assert window.a == "partition-minority: +0.03 s / +2.04 s / +1.10 s (3 writes)"
    assert (window.b, window.note) == (NA, "differs")
    outage = row(rows, "availability 1: longest outage")
    assert outage.a == "partition-minority: 2.30 s (shard n1)" and outage.b == NA
    assert row(rows, "availability 1: heal → all shards answering").a == "0.52 s"


def test_a_malformed_window_is_a_value_error_naming_it() -> None:
    data = results(True, {"none": (1, 0)})
    data["lost_writes"]["windows"] = [{"fault": "kill"}]
    with pytest.raises(ValueError, match=r"KeyError: 'count'"):
        ComparedRun.from_json("A", {}, data)
    with pytest.raises(ValueError, match="no 'valid' verdict"):
        ComparedRun.from_json("A", {}, {"checkers": {}})


def test_lost_rate_change_rule() -> None:
    assert lost_rate(3, 300) == 0.01 and lost_rate(0, 0) is None and lost_rate(None, 5) is None
    assert rate_text(0.0) == "0%" and rate_text(0.012345) == "1.23%" and rate_text(None) == "n/a"
    assert rate_changed(0.0, 0.001) and rate_changed(0.01, 0.02) and not rate_changed(0.01, 0.015)
    assert not rate_changed(None, 0.5) and not rate_changed(0.0, 0.0)
    assert describe_change("valid", 0.0, "invalid", 0.01) == (
        "verdict valid → invalid",
        "lost rate 0% → 1%",
    )
    assert describe_change("invalid", 0.01, "invalid", 0.012) == ()
