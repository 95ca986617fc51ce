"""Loss windows (when lost writes were acknowledged, relative to their fault) and
availability per fault and shard, on hand-built histories with exact times."""

from __future__ import annotations

from typing import Any

from base.op import NEMESIS, Op, OpType
from checkers.availability import FaultAvailability, availability
from checkers.faults import FaultWindow, fault_windows
from checkers.loss_windows import NO_FAULT, LossWindow, cut_off_nodes, histogram, loss_windows
from checkers.results.setfull import LostWrite

S = 1_000_000_000
MS = 1_000_000


def lost(ack_s: float, node: str = "n1") -> LostWrite:
    ack = int(ack_s * S)
    return LostWrite("k", ack, node, 0, 7, "ok", ack - MS, ack, None, ("partition",), None, 9)


PARTITION = FaultWindow("partition", 10 * S, 20 * S)
KILL = FaultWindow("kill", 30 * S, 35 * S)


def test_each_lost_write_goes_to_the_fault_that_explains_it() -> None:
    writes = [lost(10.5), lost(11.0), lost(12.04), lost(29.9, "n2"), lost(40.0, "n3")]
    windows = loss_windows(writes, [KILL, PARTITION])
    assert [w.fault for w in windows] == ["partition", "kill", NO_FAULT]
    part, kill, none = windows
    assert (part.count, part.first_s, part.last_s, part.p50_s) == (3, 0.5, 2.04, 1.0)
    assert part.nodes == (("n1", 3),)
    # Acknowledged just before the crash that lost it: a negative offset.
    assert (kill.count, kill.first_s, kill.nodes) == (1, -0.1, (("n2", 1),))
    assert none.count == 1 and none.fault_start_ns is None


def test_the_sentence_says_who_when_and_the_timeout() -> None:
    window = loss_windows([lost(10.03), lost(12.04)] * 900, [PARTITION])[0]
    assert window.describe(2000) == (
        "1,800 writes acknowledged by n1 between +0.03 s and +2.04 s after partition "
        "began; node timeout 2.00 s"
    )
    two = loss_windows([lost(10.1, "n1"), lost(10.2, "n2"), lost(10.3, "n2")], [PARTITION])
    assert "acknowledged by n2 and n1 between" in two[0].describe()


def test_json_round_trips() -> None:
    window = loss_windows([lost(10.5), lost(11.5, "n2")], [PARTITION])[0]
    assert LossWindow.from_json(window.to_json()) == window
    write = lost(10.5)
    assert LostWrite.from_json(write.to_json()) == write


def test_histogram_bins_since_the_fault_began() -> None:
    bins = histogram([lost(10.1), lost(10.2), lost(10.9), lost(40.0)], [PARTITION], bin_s=0.5)
    assert bins == [(0.0, 2), (0.5, 1)]
    assert histogram([], [PARTITION]) == []


class Recorder:
    """Events at explicit times (seconds), each operation one invoke + one completion."""

    def __init__(self) -> None:
        self.events: list[Op] = []

    def op(self, key: str, t_s: float, done_s: float, outcome: str, f: str = "add") -> None:
        process: Any = len(self.events)
        invoke = Op(OpType.INVOKE, f, 1, process, key=key, time_ns=int(t_s * S))
        self.events.append(invoke)
        completion = invoke.complete(OpType(outcome))
        self.events.append(Op(completion.type, f, 1, process, key=key, time_ns=int(done_s * S)))

    def nemesis(self, f: str, t_s: float) -> None:
        for type_ in (OpType.INVOKE, OpType.INFO):
            self.events.append(Op(type_, f, None, NEMESIS, time_ns=int(t_s * S)))

    def history(self) -> list[Op]:
        ordered = sorted(self.events, key=lambda o: o.time_ns)
        return [
            Op(o.type, o.f, o.value, o.process, i, o.time_ns, o.key) for i, o in enumerate(ordered)
        ]


def shard_of(key: str | None) -> str | None:
    return None if key is None else key[0]


def test_outage_from_first_failure_to_first_success_per_shard() -> None:
    r = Recorder()
    r.op("a1", 1.0, 1.1, "ok")
    r.op("b1", 1.0, 1.1, "ok")
    r.nemesis("start-partition", 5.0)
    r.op("a2", 5.5, 5.6, "ok")  # the cut-off primary still acknowledges
    r.op("a3", 7.2, 8.2, "info")  # first trouble: a timeout
    r.op("a4", 8.3, 8.4, "fail")
    r.op("b2", 8.0, 8.1, "ok")  # the other shard never fails
    r.op("a5", 9.0, 9.4, "ok")  # the replica took over
    r.nemesis("stop-partition", 15.0)
    r.op("a6", 15.2, 15.3, "ok")
    r.op("b3", 15.5, 15.6, "ok")
    history = r.history()
    result = availability(history, fault_windows(history), shard_of)
    assert len(result) == 1
    period = result[0]
    assert period.fault == "partition"
    outage, b_entry = period.outages
    assert (b_entry.shard, b_entry.had_outage, b_entry.seconds) == ("b", False, 0.0)
    assert outage.shard == "a" and outage.had_outage
    assert (outage.seconds, outage.recovered, outage.failed, outage.timed_out) == (
        2.2,
        True,
        1,
        1,
    )
    # From the heal's completion (15.0) to b's first success after it (15.6).
    assert period.recovery_after_heal_s == 0.6
    assert FaultAvailability.from_json(period.to_json()) == period


def test_a_shard_that_never_recovers_and_reads_do_not_count() -> None:
    r = Recorder()
    r.nemesis("start-kill", 1.0)
    r.op("a1", 2.0, 2.1, "fail", f="read")  # reads are not writes
    r.op("a2", 2.0, 3.0, "info")
    r.op("a3", 4.0, 4.1, "fail")
    r.nemesis("stop-kill", 6.0)
    r.op("a4", 6.5, 6.6, "fail")
    history = r.history()
    (period,) = availability(history, fault_windows(history), shard_of, shards=("a", "z"))
    outage, unwritten = period.outages
    assert (unwritten.shard, unwritten.had_outage) == ("z", False)  # a shard nobody wrote
    assert outage.recovered is False
    assert outage.first_failure_ns == 2 * S
    assert outage.end_ns == int(6.6 * S)
    assert (outage.failed, outage.timed_out) == (2, 1)
    assert period.recovery_after_heal_s is None


def test_no_fault_no_outage() -> None:
    r = Recorder()
    for i in range(20):
        r.op(f"a{i}", i * 0.1, i * 0.1 + 0.05, "ok" if i % 7 else "fail")
    assert availability(r.history(), [], shard_of) == []


def test_windows_with_a_grudge_are_told_apart_by_position() -> None:
    grudge = {"n1": ["n2", "n3"], "n2": ["n1"], "n3": ["n1"]}  # a dict: not hashable
    first = FaultWindow("partition", 10 * S, 20 * S, "minority", grudge)
    second = FaultWindow("partition", 30 * S, 40 * S, "minority", grudge)
    windows = loss_windows([lost(10.5), lost(30.25), lost(31.0)], [second, first])
    assert [(w.fault_start_ns, w.count, w.first_s) for w in windows] == [
        (10 * S, 1, 0.5),
        (30 * S, 2, 0.25),
    ]


def test_a_heal_after_the_last_write_measures_no_recovery() -> None:
    r = Recorder()
    r.op("a1", 1.0, 1.1, "ok")
    r.nemesis("start-partition", 2.0)
    r.op("a2", 3.0, 3.1, "fail")
    r.op("a3", 3.5, 3.6, "fail")
    r.op("a4", 9.0, 9.1, "ok", f="read")  # a final read: not a write, not the end
    r.nemesis("stop-partition", 8.0)  # the final heal, after the workload
    history = r.history()
    (period,) = availability(history, fault_windows(history), shard_of)
    assert (period.written_after_heal, period.recovery_after_heal_s) == (False, None)
    (outage,) = period.outages
    assert (outage.recovered, outage.end_ns) == (False, int(3.6 * S))  # the last write
    assert FaultAvailability.from_json(period.to_json()) == period


def test_writes_of_the_cut_off_side_say_so() -> None:
    big, small = ["n2", "n3", "n5", "n6"], ["n1", "n4"]
    minority = {n: big for n in small} | {n: small for n in big}
    window = FaultWindow("partition", 10 * S, 20 * S, "partition-minority", minority)
    assert cut_off_nodes(window) == {"n1", "n4"}
    (cut,) = loss_windows([lost(10.03, "n1"), lost(12.04, "n1")], [window])
    assert cut.cut_off
    assert cut.describe(2000) == (
        "2 writes acknowledged by n1 between +0.03 s and +2.04 s after it was cut off; "
        "node timeout 2.00 s"
    )
    assert LossWindow.from_json(cut.to_json()) == cut
    (majority,) = loss_windows([lost(10.5, "n2")], [window])
    assert not majority.cut_off and "after partition began" in majority.describe()
    assert cut_off_nodes(KILL) == frozenset()
