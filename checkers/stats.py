"""Outcome counts per operation kind (Jepsen's stats checker).

Counts ``ok``, ``fail`` and ``info`` client operations in total and per ``f`` (an
invocation left without completion counts as ``info``). With ``require_ok`` (Jepsen's
behaviour, the default) the history is invalid when some ``f`` never succeeded: a
workload that could not do one of its operations at all tested nothing about it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from base.op import Op
from checkers.history.pairing import pair_attempts
from checkers.results.figures import STATS, Outcomes, StatsResult
from checkers.verdict import CheckResult, Verdict


def _counts(c: Counter[str]) -> Outcomes:
    return Outcomes(c["ok"] + c["fail"] + c["info"], c["ok"], c["fail"], c["info"])


class StatsChecker:
    """ok / fail / info counts, overall and by f."""

    name = STATS

    def __init__(self, *, require_ok: bool = True) -> None:
        self.require_ok = require_ok

    def check(self, history: Sequence[Op]) -> CheckResult:
        total: Counter[str] = Counter()
        by_f: dict[str, Counter[str]] = defaultdict(Counter)
        for op in pair_attempts(history):
            if not op.is_client:
                continue
            total[op.outcome.value] += 1
            by_f[op.f][op.outcome.value] += 1
        never = sorted(f for f, c in by_f.items() if c["ok"] == 0)
        found = StatsResult(
            _counts(total), {f: _counts(c) for f, c in sorted(by_f.items())}, tuple(never)
        )
        details = found.to_json()
        if self.require_ok and never:
            reason = "no successful " + ", ".join(never) + " operation"
            return CheckResult(self.name, Verdict.INVALID, reason, details)
        return CheckResult(self.name, Verdict.VALID, None, details)
