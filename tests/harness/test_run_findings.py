"""The run-level findings results.json adds: the node timeout and slot map read from
test.json, keys mapped to shards, and the loss windows and availability written into
results.json and read back through :class:`checkers.results.run.RunResults`."""

from __future__ import annotations

from typing import Any

from base.op import NEMESIS, Op, OpType
from checkers.results.loss import AvailabilityFindings, LossFindings
from checkers.results.run import RunResults
from checkers.setfull import SetFullChecker
from checkers.verdict import run_checkers
from harness.run_findings import (
    WHOLE_CLUSTER,
    availability_findings,
    fsync_policy,
    loss_faults,
    loss_findings,
    lost_lines,
    node_timeout_ms,
    shard_lookup,
    shard_ranges,
)
from nodes.keyslot import keyslot

S = 1_000_000_000
SHARDS = {"n1": [[0, 5460]], "n2": [[5461, 10922]], "n3": [[10923, 16383]]}


def test_node_timeout_from_the_options_a_node_option_wins() -> None:
    assert node_timeout_ms({"options": {"node_timeout_ms": 2000}}) == 2000
    assert (
        node_timeout_ms(
            {
                "options": {
                    "node_timeout_ms": 2000,
                    "node_options": ["--maxmemory", "1mb", "--cluster-node-timeout", "750"],
                }
            }
        )
        == 750
    )
    assert node_timeout_ms({}) is None
    assert node_timeout_ms({"options": {"node_timeout_ms": "x"}}) is None


def test_fsync_policy_from_the_options() -> None:
    assert fsync_policy({"options": {"appendonly": True, "appendfsync": "everysec"}}) == (
        "everysec"
    )
    options = {"appendonly": True, "appendfsync": "everysec"}
    assert fsync_policy({"options": {**options, "node_options": ["--appendfsync", "always"]}}) == (
        "always"
    )
    assert fsync_policy({"options": {"appendonly": False, "appendfsync": "always"}}) == "no AOF"
    assert fsync_policy({}) is None


def test_keys_map_to_the_primary_holding_their_slot() -> None:
    shard_of = shard_lookup(shard_ranges({"shards": SHARDS}))
    for key in ("a", "b", "c", "{user}1", "set-7"):
        slot = keyslot(key)
        want = "n1" if slot <= 5460 else "n2" if slot <= 10922 else "n3"
        assert shard_of(key) == want, (key, slot)
    assert shard_of(None) is None
    # No slot map recorded (or a broken one): one shard, the whole cluster.
    assert shard_ranges({"shards": {"n1": [["x"]]}}) == {}
    assert shard_lookup({})("a") == WHOLE_CLUSTER


class History:
    """Events at explicit times (seconds): adds, reads and nemesis events."""

    def __init__(self) -> None:
        self.events: list[Op] = []

    def op(
        self, f: str, key: str, value: Any, span: tuple[float, float], outcome: str, **kw: Any
    ) -> None:
        t, done = span
        process = len(self.events)
        self.events.append(Op(OpType.INVOKE, f, value, process, key=key, time_ns=int(t * S)))
        result = value if f == "add" else kw.pop("seen")
        self.events.append(
            Op(OpType(outcome), f, result, process, key=key, time_ns=int(done * S), **kw)
        )

    def nemesis(self, f: str, t: float) -> None:
        for type_ in (OpType.INVOKE, OpType.INFO):
            self.events.append(Op(type_, f, None, NEMESIS, time_ns=int(t * S)))

    def ops(self) -> list[Op]:
        ordered = sorted(self.events, key=lambda o: o.time_ns)
        return [
            Op(o.type, o.f, o.value, o.process, i, o.time_ns, o.key, o.node, o.error, o.acks)
            for i, o in enumerate(ordered)
        ]


def partitioned_run() -> list[Op]:
    """Key ``a`` (n3's) loses the writes n3 acknowledged 0.5 s and 1.9 s after the cut;
    key ``b`` (n1's) loses nothing. Writes to ``a`` time out from 2.5 s to 4.4 s after."""
    h = History()
    h.op("add", "a", 1, (0.1, 0.2), "ok", node="n3")
    h.op("add", "b", 1, (0.1, 0.2), "ok", node="n1")
    h.nemesis("start-partition", 10.0)
    h.op("add", "a", 2, (10.4, 10.5), "ok", node="n3")
    h.op("add", "a", 3, (11.8, 11.9), "ok", node="n3")
    h.op("add", "a", 4, (12.5, 13.5), "info")
    h.op("add", "a", 5, (14.0, 14.4), "ok", node="n6")
    h.op("add", "b", 2, (12.0, 12.1), "ok", node="n1")
    h.nemesis("stop-partition", 20.0)
    h.op("add", "a", 6, (20.1, 20.3), "ok", node="n6")
    h.op("add", "b", 3, (20.1, 20.2), "ok", node="n1")
    h.op("read", "a", None, (25.0, 25.1), "ok", seen=[1, 5, 6])
    h.op("read", "b", None, (25.0, 25.1), "ok", seen=[1, 2, 3])
    return h.ops()


def test_loss_windows_and_availability_in_results_json_and_back() -> None:
    ops = partitioned_run()
    test = {"options": {"node_timeout_ms": 2000}, "shards": SHARDS}
    checker = SetFullChecker()
    lost = checker.every_lost_write(ops)
    assert sorted(w.value for w in lost) == [2, 3]
    loss = loss_findings(lost, loss_faults(ops), test, "lost.jsonl")
    assert loss.fsync is None and loss.by_wait == {"none": 2}
    lines = list(lost_lines(lost, loss_faults(ops)))
    assert [line["lost_by"]["offset_s"] for line in lines] == [0.5, 1.9]
    assert {line["lost_by"]["fault"] for line in lines} == {"partition"}
    (window,) = loss.windows
    assert (window.fault, window.count, window.first_s, window.last_s) == (
        "partition",
        2,
        0.5,
        1.9,
    )
    assert loss.summary() == (
        "2 writes acknowledged by n3 between +0.50 s and +1.90 s after partition began; "
        "node timeout 2.00 s"
    )
    avail = availability_findings(ops, test)
    assert avail.shards == {"n1": "0-5460", "n2": "5461-10922", "n3": "10923-16383"}
    (period,) = avail.faults
    a_shard = shard_lookup(shard_ranges(test))("a")
    assert {o.shard for o in period.outages} == {"n1", "n2", "n3"}  # an entry per shard
    (outage,) = [o for o in period.outages if o.had_outage]
    assert outage.shard == a_shard and outage.recovered and outage.seconds == 1.9
    assert period.recovery_after_heal_s == 0.3  # a answered last, at 20.3

    verdict, results = run_checkers([checker], ops)
    data = RunResults(verdict, results, {"seed": 1}, loss=loss, availability=avail).to_json()
    assert data["lost_writes"]["file_count"] == 2 == data["lost_writes"]["lost_count"]
    assert data["lost_writes"]["windows"][0]["summary"].endswith("node timeout 2.00 s")
    back = RunResults.from_json(data)
    assert back.loss == loss and back.availability == avail
    assert back.extra == {"seed": 1}


def test_no_fault_no_window_no_outage() -> None:
    h = History()
    for i in range(10):
        h.op("add", "a", i, (i * 0.1, i * 0.1 + 0.05), "ok" if i % 3 else "fail", node="n3")
    h.op("read", "a", None, (2.0, 2.1), "ok", seen=[1, 2, 4, 5, 7, 8])
    ops = h.ops()
    assert loss_findings([], loss_faults(ops), {}, None) == LossFindings(None, None, None, ())
    assert loss_findings([], [], {}, None).summary() == "no acknowledged write was lost"
    avail = availability_findings(ops, {})
    assert avail == AvailabilityFindings({WHOLE_CLUSTER: "0-16383 (no slot map recorded)"}, ())
