"""The pure parts: the checkers' pairing and fault windows as the reports read them,
downsampling, lost-write joining, the counterexample reader, perf figures, script-safe
JSON, tolerant loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from base.op import NEMESIS, Op, OpType
from checkers.faults import FaultWindow, fault_windows
from checkers.history.pairing import Attempt, pair_attempts
from checkers.linear import LinearizabilityChecker
from checkers.results.linear import ExplainedOp, Explanation, LinearResult, Step
from checkers.results.setfull import SetFullResult
from checkers.setfull import SetFullChecker
from reports.chartdata import worker_lanes
from reports.counterexample import counterexample
from reports.history import client_operations, describe_grudge, fault_label, read_faults, result_of
from reports.loader import load_run
from reports.lost import lost_writes
from reports.page import script_json
from reports.perf import availability, latency_table, outages
from reports.sampling import downsample

MS = 1_000_000


def ev(type_: OpType, f: str, process: int | str, t_ms: float, value=None, **kw) -> Op:
    return Op(type_, f, value, process, time_ns=int(t_ms * MS), **kw)


def pair_operations(history: list[Op]) -> list[Attempt]:
    return client_operations(pair_attempts(history))


def fault_periods(history: list[Op], end_ns: int) -> list[FaultWindow]:
    return read_faults(history, pair_attempts(history), end_ns)


def test_pairs_operations_and_treats_missing_completions_as_info():
    history = [
        ev(OpType.INVOKE, "write", 0, 0, 1, key="a"),
        ev(OpType.INVOKE, "read", 1, 1, key="a"),
        ev(OpType.OK, "write", 0, 2, 1, acks=1),
        ev(OpType.OK, "read", 1, 3, 1),
        ev(OpType.INVOKE, "write", 2, 4, 2, key="a"),
    ]
    ops = pair_operations(history)
    assert [(o.f, o.outcome, o.complete_ns) for o in ops] == [
        ("write", OpType.OK, 2 * MS),
        ("read", OpType.OK, 3 * MS),
        ("write", OpType.INFO, None),
    ]
    assert ops[0].acks == 1 and result_of(ops[1]) == 1 and ops[1].key == "a"


def test_a_completion_without_invocation_is_an_instant_operation_as_the_checkers_read_it():
    history = [ev(OpType.OK, "write", 0, 5, 1), ev(OpType.INVOKE, "read", 1, 6)]
    ops = pair_operations(history)
    assert [(o.f, o.outcome, o.invoke_ns, o.complete_ns) for o in ops] == [
        ("write", OpType.OK, 5 * MS, 5 * MS),
        ("read", OpType.INFO, 6 * MS, None),
    ]


def test_fault_periods_pair_starts_and_stops():
    grudge = {"n1": ["n2", "n3"], "n2": ["n1"], "n3": ["n1"]}
    history = [
        ev(OpType.INVOKE, "start-partition", NEMESIS, 10, grudge),
        ev(OpType.OK, "start-partition", NEMESIS, 11, grudge),
        ev(OpType.INVOKE, "kill", NEMESIS, 12, ["n2"]),
        ev(OpType.OK, "kill", NEMESIS, 13, ["n2"]),
        ev(OpType.INVOKE, "stop-partition", NEMESIS, 20),
        ev(OpType.OK, "stop-partition", NEMESIS, 21),
        ev(OpType.INVOKE, "start", NEMESIS, 30),
        ev(OpType.OK, "start", NEMESIS, 31),
        ev(OpType.INVOKE, "pause", NEMESIS, 40, ["n3"]),
        ev(OpType.FAIL, "pause", NEMESIS, 41),  # failed: opens nothing
        ev(OpType.INVOKE, "start-partition", NEMESIS, 50, grudge),
        ev(OpType.OK, "start-partition", NEMESIS, 51, grudge),
        ev(OpType.INVOKE, "failover", NEMESIS, 60, "n4"),
        ev(OpType.OK, "failover", NEMESIS, 62, "n4"),
    ]
    periods = fault_periods(history, end_ns=100 * MS)
    got = [(p.name, p.start_ns // MS, p.end_ns // MS, p.open_ended) for p in periods]
    assert got == [
        ("partition", 10, 21, False),
        ("kill", 12, 31, False),
        ("partition", 50, 100, True),
        ("failover", 60, 62, False),
    ]
    assert fault_label(periods[0]) == "partition n1 | n2,n3"
    heal = [*history[:2], ev(OpType.INVOKE, "heal", NEMESIS, 5), ev(OpType.OK, "heal", NEMESIS, 6)]
    assert [(p.start_ns, p.end_ns) for p in fault_periods(heal, 0)] == [(10 * MS, 6 * MS + 4 * MS)]


def test_describe_grudge_names_sides():
    assert describe_grudge({"a": ["c"], "b": ["c"], "c": ["a", "b"]}) == "c | a,b"
    ring = {"a": ["c"], "b": ["a"], "c": ["b"]}
    assert describe_grudge(ring) == "a drops c; b drops a; c drops b"


def test_downsample_keeps_info_operations_and_proportions_and_says_so():
    history = []
    for i in range(1000):
        kind = OpType.INFO if i % 100 == 7 else OpType.FAIL if i % 10 == 0 else OpType.OK
        history.append(ev(OpType.INVOKE, "read", i, i))
        history.append(ev(kind, "read", i, i + 0.5))
    ops = pair_operations(history)
    sample = downsample(ops, limit=100)
    assert len(sample.operations) == 100 and sample.total == 1000
    assert sum(o.outcome is OpType.INFO for o in sample.operations) == 10
    assert 8 <= sum(o.outcome is OpType.FAIL for o in sample.operations) <= 10
    assert sample.note is not None and "100 of 1,000" in sample.note
    assert downsample(ops, limit=5000).note is None


def test_worker_lanes_reuse_a_lane_after_an_info():
    history = [
        ev(OpType.INVOKE, "write", 0, 0, 1),
        ev(OpType.INFO, "write", 0, 5, 1),
        ev(OpType.INVOKE, "write", 1, 1, 2),
        ev(OpType.OK, "write", 1, 9, 2),
        ev(OpType.INVOKE, "write", 2, 6, 3),  # process 2 replaces process 0
        ev(OpType.OK, "write", 2, 7, 3),
    ]
    lane_of, labels = worker_lanes(pair_operations(sorted(history, key=lambda o: o.time_ns)), 0)
    assert lane_of == {0: 0, 1: 1, 2: 0}
    assert labels == ["0,2", "1"]


def test_lost_writes_join_the_history():
    history = [
        ev(OpType.INVOKE, "start-partition", NEMESIS, 0, "partition-halves"),
        ev(OpType.OK, "start-partition", NEMESIS, 1, {"n1": ["n2"], "n2": ["n1"]}),
        ev(OpType.INVOKE, "add", 0, 2, 7, key="s", node="n1"),
        ev(OpType.OK, "add", 0, 3, 7, acks=0),
        ev(OpType.INVOKE, "stop-partition", NEMESIS, 10),
        ev(OpType.OK, "stop-partition", NEMESIS, 11),
        ev(OpType.INVOKE, "read", 1, 12, key="s"),
        ev(OpType.OK, "read", 1, 13, []),
    ]
    history = [Op(o.type, o.f, o.value, o.process, i, o.time_ns, o.key, o.node, o.error,
                  o.acks) for i, o in enumerate(history)]  # fmt: skip
    details = SetFullChecker().check(history).details
    result = SetFullResult.from_json(details)
    assert result.to_json() == details  # the typed result is what the checker writes
    lost = lost_writes(result, pair_operations(history), fault_periods(history, 20 * MS))
    (listed,) = lost.lost
    w = listed.write
    assert (w.key, w.node, w.acks, w.process) == ("s", "n1", 0, 0)
    assert (w.invoke_ns, w.ack_ns) == (2 * MS, 3 * MS)
    assert listed.faults == ("partition halves: n1 | n2",)
    assert listed.lost_by == "partition halves: n1 | n2 from 0.00 s (+0.00 s)"
    assert list(lost.by_level()) == ["WAIT acks = 0"]
    assert lost.lost_count == 1 and lost.counts["acknowledged"] == 1


def _register_history(reads: list[tuple[int, float, float, Any]]) -> list[Op]:
    """A write of 1 at 0-1 ms, then process p reads value v between the given times."""
    events = [ev(OpType.INVOKE, "write", 0, 0, 1, key="k"), ev(OpType.OK, "write", 0, 1, 1)]
    for p, lo, hi, v in reads:
        events += [ev(OpType.INVOKE, "read", p, lo, key="k"), ev(OpType.OK, "read", p, hi, v)]
    events.sort(key=lambda o: o.time_ns)
    return [Op(o.type, o.f, o.value, o.process, i, o.time_ns, o.key, o.node, o.error,
               o.acks) for i, o in enumerate(events)]  # fmt: skip


def test_counterexample_draws_the_checkers_explanation():
    history = _register_history([(1, 2, 3, 1), (2, 4, 5, 0)])  # the second read is stale
    checked = LinearizabilityChecker("register", workers=1).check(history)
    result = LinearResult.from_json(checked.details)
    assert result.to_json() == checked.details  # the typed result is what the checker writes
    assert result.explanation is not None
    cx = counterexample("linearizable", result.explanation, pair_operations(history))
    assert cx.key == "k" and cx.model == "register"
    (bad,) = cx.failed_ops
    assert bad.describe() == "read → 0" and bad.process == 2
    assert [ident for ident, _ in cx.linearized] == [str(i) for i in (0, 2)]
    assert cx.raw == checked.details["explanation"]


def test_perf_figures():
    history = [
        ev(OpType.INVOKE, "start-partition", NEMESIS, 10),
        ev(OpType.OK, "start-partition", NEMESIS, 10),
        ev(OpType.INVOKE, "stop-partition", NEMESIS, 20),
        ev(OpType.OK, "stop-partition", NEMESIS, 20),
    ]
    for i, t in enumerate([1, 2, 12, 14, 25]):
        history.append(ev(OpType.INVOKE, "read", i, t))
        history.append(ev(OpType.OK if t != 12 else OpType.FAIL, "read", i, t + 0.5))
    history.sort(key=lambda o: o.time_ns)
    ops = pair_operations(history)
    healthy, faulted = availability(ops, fault_periods(history, 30 * MS), 30 * MS)
    assert (healthy.ok, healthy.total, faulted.ok, faulted.total) == (3, 3, 1, 2)
    assert (faulted.seconds, healthy.seconds) == (0.01, 0.02)
    (row,) = latency_table(ops)
    assert (row.ok, row.fail, row.quantiles_ms[0]) == (4, 1, 0.5)


def test_script_json_cannot_close_the_script_element():
    text = script_json({"v": "</script><script>alert(1)</script>"})
    assert "</script>" not in text and json.loads(text)["v"].startswith("</script>")


def test_loader_notes_malformed_lines(tmp_path: Path):
    (tmp_path / "history.jsonl").write_text(
        json.dumps(ev(OpType.INVOKE, "read", 0, 1).to_json()) + '\nnot json\n{"type": "x"}\n'
    )
    run = load_run(tmp_path)
    assert len(run.history) == 1
    joined = " ".join(run.problems)
    assert "line 2" in joined and "line 3" in joined and "test.json is missing" in joined


def test_outages_are_gaps_without_a_successful_operation():
    history = []
    for i, (t, kind) in enumerate(
        [(0, OpType.OK), (500, OpType.OK), (800, OpType.FAIL), (2900, OpType.OK), (3000, OpType.OK)]
    ):
        history += [ev(OpType.INVOKE, "read", i, t), ev(kind, "read", i, t + 1)]
    outage = outages(pair_operations(history), 4000 * MS)
    assert (outage.count, outage.total_s, outage.longest_s) == (1, 2.4, 2.4)
    assert outages([], 0).count == 0


def test_the_quiet_after_the_workload_is_no_outage():
    """A healthy run: operations every 100 ms for the 2 s workload, then 10 s of quiet
    recovery, then the final read. Only the workload phase counts."""
    history = []
    times = [*range(0, 2000, 100), 12_000]
    for i, t in enumerate(times):
        history += [ev(OpType.INVOKE, "read", i, t), ev(OpType.OK, "read", i, t + 1)]
    operations = pair_operations(history)
    assert outages(operations, 12_001 * MS).count == 1  # the whole run: a 10 s gap
    healthy = outages(operations, 12_001 * MS, workload_s=2.0)
    assert (healthy.count, healthy.total_s) == (0, 0.0)


def test_the_report_shades_the_checkers_fault_windows():
    """One reading of nemesis events: the report's windows are the checkers' (with the
    one-shot faults), a kill ends where the checkers end it, and an open window is only
    drawn on to the end of the run."""
    history = [
        ev(OpType.INVOKE, "start-kill", NEMESIS, 10, "kill-one"),
        ev(OpType.OK, "start-kill", NEMESIS, 11, ["n2"]),
        ev(OpType.INVOKE, "restart", NEMESIS, 20),  # no nemesis emits it: not a stop
        ev(OpType.OK, "restart", NEMESIS, 21),
        ev(OpType.INVOKE, "stop-kill", NEMESIS, 30),
        ev(OpType.OK, "stop-kill", NEMESIS, 31, ["n2"]),
        ev(OpType.INVOKE, "start-pause", NEMESIS, 40, "pause-one"),
        ev(OpType.OK, "start-pause", NEMESIS, 41, ["n3"]),
    ]
    attempts = pair_attempts(history)
    drawn = read_faults(history, attempts, 100 * MS)
    checked = fault_windows(history, attempts, one_shot=True)
    assert drawn[:2] == checked[:2]
    assert [(w.name, w.start_ns // MS, w.end_ns // MS) for w in drawn] == [
        ("kill", 10, 31),
        ("restart", 20, 21),
        ("pause", 40, 100),
    ]
    assert checked[2].end_ns == 41 * MS and drawn[2].open_ended
    assert [fault_label(w) for w in drawn] == ["kill one: n2", "restart", "pause one: n3"]


def test_counterexample_takes_steps_it_names_only_by_id_from_the_history():
    history = _register_history([(1, 2, 3, 1), (2, 4, 5, 0)])
    read = ExplainedOp(4, 2, "read", "k", None, 0, "ok", 4, 5, 4 * MS, 5 * MS, "unplaceable")
    explanation = Explanation(
        key="k", model="register", linearized_count=2,
        linearized=(Step(0, "1"), Step(2, "1")), linearization=(0, 2), unplaceable=(read,),
        state="1", refutation="a read of 0 after the write of 1 completed",
        candidates=(), window=(read,),
    )  # fmt: skip
    cx = counterexample("linearizable", explanation, pair_operations(history))
    assert [(o.id, o.describe()) for o in cx.ops] == [("0", "write 1"), ("2", "read → 1"),
                                                      ("4", "read → 0")]  # fmt: skip
    assert cx.linearized == (("0", "1"), ("2", "1"))
    assert cx.failed == ("4",) and cx.message == explanation.refutation


def test_loader_notes_results_that_are_not_checker_results(tmp_path: Path):
    (tmp_path / "results.json").write_text(json.dumps({"valid": "maybe", "checkers": {}}))
    run = load_run(tmp_path)
    assert run.results is None and run.verdict.value == "unknown"
    assert any("results.json is not checker results: not a verdict" in p for p in run.problems)
