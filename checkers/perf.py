"""Performance figures from the history alone (times are the events' ``time`` fields):

- **latency** per ``f``: p50 / p90 / p99 / max (nearest rank) of completion minus
  invocation time, for ``ok`` operations and for all completed ones (``ok``, ``fail``,
  ``info`` with a completion event);
- **throughput**: completions per one-second bucket since the test started, by outcome;
- **availability**: the share of ``ok`` among client operations *invoked* while no
  fault was possibly active (healthy) versus while one was (faulted), the fault windows
  coming from the nemesis events (:mod:`checkers.faults`).

Informational: the verdict is always valid.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from base.op import Op, OpType
from checkers.faults import FaultIndex, fault_windows
from checkers.history.pairing import pair_attempts
from checkers.quantiles import summary_ms
from checkers.results.figures import PERF, PerfResult, Share, Throughput
from checkers.verdict import CheckResult, Verdict

SECOND_NS = 1_000_000_000


class PerfChecker:
    """Latency quantiles, throughput and availability; never invalid."""

    name = PERF

    def __init__(self, *, bucket_ns: int = SECOND_NS) -> None:
        if bucket_ns <= 0:
            raise ValueError(f"bucket_ns must be positive, got {bucket_ns}")
        self.bucket_ns = bucket_ns

    def check(self, history: Sequence[Op]) -> CheckResult:
        attempts = pair_attempts(history)
        windows = fault_windows(history, attempts)
        faults = FaultIndex(windows)
        ok_lat: dict[str, list[int]] = defaultdict(list)
        all_lat: dict[str, list[int]] = defaultdict(list)
        buckets: dict[int, Counter[str]] = defaultdict(Counter)
        avail = {"healthy": Counter[str](), "faulted": Counter[str]()}
        for op in attempts:
            if not op.is_client:
                continue
            done = op.complete_ns
            if op.completion is not None and done is not None:
                latency = done - op.invoke_ns
                all_lat[op.f].append(latency)
                if op.outcome is OpType.OK:
                    ok_lat[op.f].append(latency)
                buckets[done // self.bucket_ns][op.outcome.value] += 1
            period = "faulted" if faults.covers(op.invoke_ns) else "healthy"
            avail[period]["ok" if op.outcome is OpType.OK else "not_ok"] += 1
        found = PerfResult(
            latency_ms={
                f: {"ok": summary_ms(ok_lat[f]), "all": summary_ms(all_lat[f])}
                for f in sorted(all_lat)
            },
            bucket_s=self.bucket_ns / SECOND_NS,
            throughput=tuple(
                Throughput(b, c["ok"], c["fail"], c["info"]) for b, c in sorted(buckets.items())
            ),
            availability={period: _share(c) for period, c in avail.items()},
            faults=tuple(windows),
        )
        return CheckResult(self.name, Verdict.VALID, None, found.to_json())


def _share(c: Counter[str]) -> Share:
    n = c["ok"] + c["not_ok"]
    return Share(n, c["ok"], round(c["ok"] / n, 4) if n else None)
