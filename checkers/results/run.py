"""results.json as a type: the merged verdict, every checker's :class:`CheckResult`, the
set workloads' lost-write summary, and what the harness adds about the run.

``to_json`` is the file's shape (``valid``, ``checkers``, ``lost_writes`` when set-full
ran, then the harness's fields); ``from_json`` reads it back, so ``harness analyze`` and
the reports read the checkers' results through the checkers' own types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checkers.results import linear, setfull
from checkers.results.fields import mapping
from checkers.results.linear import LinearResult
from checkers.results.loss import AvailabilityFindings, LossFindings
from checkers.results.setfull import SetFullResult
from checkers.verdict import CheckResult, Verdict

_DERIVED = frozenset({"valid", "checkers", "lost_writes", "availability"})


@dataclass(frozen=True)
class RunResults:
    """One run's results. ``extra`` holds the harness's fields (``seed``, ``error``,
    ``interrupted``, ``analyzed``, ...), JSON-able. ``loss`` (joined into
    ``lost_writes``) and ``availability`` are the harness's findings over the whole run
    (:mod:`checkers.results.loss`), when it made them."""

    verdict: Verdict
    checkers: Mapping[str, CheckResult] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    loss: LossFindings | None = None
    availability: AvailabilityFindings | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "valid": self.verdict.to_json(),
            "checkers": {name: r.to_json() for name, r in self.checkers.items()},
        }
        found = self.set_full()
        if found is not None:
            out["lost_writes"] = found.summary()
            if self.loss is not None:
                out["lost_writes"].update(self.loss.to_json())
        if self.availability is not None:
            out["availability"] = self.availability.to_json()
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, data: object) -> RunResults:
        """Read results.json's object; raises ``ValueError`` naming what is wrong."""
        d = mapping(data, "results")
        if "valid" not in d:
            raise ValueError("results: no 'valid' verdict")
        checkers = mapping(d.get("checkers", {}), "checkers")
        lost = d.get("lost_writes")
        avail = d.get("availability")
        return cls(
            Verdict.from_json(d["valid"]),
            {str(name): CheckResult.from_json(str(name), r) for name, r in checkers.items()},
            {k: v for k, v in d.items() if k not in _DERIVED},
            loss=None if lost is None else LossFindings.from_json(lost),
            availability=None if avail is None else AvailabilityFindings.from_json(avail),
        )

    def set_full(self) -> SetFullResult | None:
        """set-full's findings, when it ran and reported (a crash leaves no details)."""
        result = self.checkers.get(setfull.CHECKER)
        if result is None or not result.details:
            return None
        return SetFullResult.from_json(result.details)

    def linear(self) -> LinearResult | None:
        """The linearizability checker's result, when it ran and reported."""
        result = self.checkers.get(linear.CHECKER)
        if result is None or not result.details:
            return None
        return LinearResult.from_json(result.details)
