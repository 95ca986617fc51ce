"""Elle-style checking of list-append transactions (RPUSH + LRANGE per key).

Steps: parse transactions (:mod:`checkers.elle.txn`), read version orders and the
anomalies that need no cycle (:mod:`checkers.elle.observations`), build the dependency
graph (:mod:`checkers.elle.dependencies`), search and name its cycles
(:mod:`checkers.elle.cycles`). Any anomaly makes the history invalid.

``consistency="serializable"`` (the default) uses ww / wr / rw edges only;
``"strict-serializable"`` adds process and real-time order, so that, for example, a
read that misses a write completed before it began shows up as ``G-single-realtime``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from base.op import Op
from checkers.elle.cycles import explain, find_cycles
from checkers.elle.dependencies import dependency_graph
from checkers.elle.observations import observe
from checkers.elle.txn import txns_of
from checkers.history.errors import HistoryShapeError
from checkers.history.pairing import pair_attempts
from checkers.results.elle import LIST_APPEND, ListAppendResult
from checkers.verdict import CheckResult, Verdict

CONSISTENCY_MODELS = ("serializable", "strict-serializable")


class ListAppendChecker:
    """G0, G1a, G1b, G1c, G-single, G2-item, internal, duplicate-elements,
    incompatible-order, lost-update and unexpected elements of list-append histories."""

    name = LIST_APPEND

    def __init__(
        self,
        *,
        f: str = "txn",
        consistency: str = "serializable",
        max_listed: int = 20,
    ) -> None:
        if consistency not in CONSISTENCY_MODELS:
            raise ValueError(
                f"unknown consistency model {consistency!r}: use {', '.join(CONSISTENCY_MODELS)}"
            )
        self.f = f
        self.consistency = consistency
        self.max_listed = max_listed

    def check(self, history: Sequence[Op]) -> CheckResult:
        """A history it cannot judge (a transaction that is not a list of micro-ops, a
        read that is not a list) is ``unknown``, with the event named in the reason."""
        try:
            txns = txns_of(pair_attempts(history), self.f)
        except HistoryShapeError as e:
            return CheckResult(self.name, Verdict.UNKNOWN, f"bad history: {e}")
        obs = observe(txns, self.max_listed)
        strict = self.consistency == "strict-serializable"
        graph = dependency_graph(txns, obs, realtime=strict, process=strict)
        anomalies: dict[str, list[dict[str, Any]]] = {k: v for k, v in obs.anomalies.items() if v}
        counts = Counter({k: len(v) for k, v in anomalies.items()})
        for cycle in find_cycles(graph, with_order=strict):
            counts[cycle.name] += 1
            listed = anomalies.setdefault(cycle.name, [])
            if len(listed) < self.max_listed:
                listed.append(explain(graph, txns, cycle))
        outcomes = Counter(t.attempt.outcome.value for t in txns)
        details = ListAppendResult(
            consistency=self.consistency,
            txn_count=len(txns),
            ok_count=outcomes["ok"],
            info_count=outcomes["info"],
            fail_count=outcomes["fail"],
            key_count=len(obs.orders),
            edge_count=graph.edge_count(),
            anomaly_counts=dict(sorted(counts.items())),
            anomalies={k: tuple(v) for k, v in anomalies.items()},
        ).to_json()
        if anomalies:
            reason = "anomalies: " + ", ".join(sorted(anomalies))
            return CheckResult(self.name, Verdict.INVALID, reason, details)
        return CheckResult(self.name, Verdict.VALID, None, details)
