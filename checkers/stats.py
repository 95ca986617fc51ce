"""Outcome counts per operation kind (Jepsen's stats checker).

Counts ``ok``, ``fail`` and ``info`` client operations in total and per ``f`` (an
invocation left without completion counts as ``info``). With ``require_ok`` (Jepsen's
behaviour, the default) the history is invalid when some ``f`` never succeeded: a
workload that could not do one of its operations at all tested nothing about it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from base.op import Op
from checkers.history.pairing import pair_attempts
from checkers.verdict import CheckResult, Verdict


def _counts(c: Counter[str]) -> dict[str, int]:
    total = c["ok"] + c["fail"] + c["info"]
    return {"count": total, "ok_count": c["ok"], "fail_count": c["fail"], "info_count": c["info"]}


class StatsChecker:
    """ok / fail / info counts, overall and by f."""

    name = "stats"

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
        details: dict[str, Any] = {
            **_counts(total),
            "by_f": {f: _counts(c) for f, c in sorted(by_f.items())},
        }
        never = sorted(f for f, c in by_f.items() if c["ok"] == 0)
        details["never_ok"] = never
        if self.require_ok and never:
            reason = "no successful " + ", ".join(never) + " operation"
            return CheckResult(self.name, Verdict.INVALID, reason, details)
        return CheckResult(self.name, Verdict.VALID, None, details)
