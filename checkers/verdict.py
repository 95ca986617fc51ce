"""Three-valued verdicts and checker results, and how they compose.

Invalid beats unknown beats valid (Jepsen's merge). A checker that raises yields
``unknown`` with its error as the reason, and the others still report.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from base.op import Op


class Verdict(enum.Enum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"

    def to_json(self) -> bool | str:
        """Jepsen's ``:valid?`` value: true, false or "unknown"."""
        if self is Verdict.VALID:
            return True
        if self is Verdict.INVALID:
            return False
        return "unknown"

    @classmethod
    def from_json(cls, value: object) -> Verdict:
        if value is True:
            return cls.VALID
        if value is False:
            return cls.INVALID
        if value in ("unknown", None):
            return cls.UNKNOWN
        raise ValueError(f"not a verdict: {value!r}")

    @staticmethod
    def merge(verdicts: Iterable[Verdict]) -> Verdict:
        """Invalid beats unknown beats valid; no verdicts at all is valid."""
        seen = set(verdicts)
        if Verdict.INVALID in seen:
            return Verdict.INVALID
        if Verdict.UNKNOWN in seen:
            return Verdict.UNKNOWN
        return Verdict.VALID


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One checker's answer. ``reason`` explains unknown (and summarises invalid);
    ``details`` is JSON-able data for results.json and the report."""

    checker: str
    verdict: Verdict
    reason: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"valid": self.verdict.to_json()}
        if self.reason is not None:
            out["reason"] = self.reason
        out.update(self.details)
        return out

    @classmethod
    def from_json(cls, checker: str, data: Mapping[str, Any]) -> CheckResult:
        """Inverse of :meth:`to_json` (``checker`` is its name in results.json): ``valid``
        and ``reason`` are read, every other field is ``details``. Raises ``ValueError``
        for a result that is not a JSON object with a verdict."""
        if not isinstance(data, Mapping) or "valid" not in data:
            raise ValueError(f"checker {checker!r}: not a result with a verdict")
        reason = data.get("reason")
        details = {k: v for k, v in data.items() if k not in ("valid", "reason")}
        return cls(
            checker,
            Verdict.from_json(data["valid"]),
            None if reason is None else str(reason),
            details,
        )


class Checker(Protocol):
    """A pure function from a history to a result: no I/O, no printing, no clocks
    (besides a deadline it was given)."""

    name: str

    def check(self, history: Sequence[Op]) -> CheckResult:
        """Judge ``history`` (every event, nemesis events included, in index order)."""
        ...


def run_checkers(
    checkers: Sequence[Checker], history: Sequence[Op]
) -> tuple[Verdict, dict[str, CheckResult]]:
    """Run every checker; one that raises becomes ``unknown`` with the error as reason."""
    results: dict[str, CheckResult] = {}
    for checker in checkers:
        results[checker.name] = guarded(checker.name, checker.check, history)
    return Verdict.merge(r.verdict for r in results.values()), results


def guarded(
    name: str, check: Callable[[Sequence[Op]], CheckResult], history: Sequence[Op]
) -> CheckResult:
    """``check(history)``, or ``unknown`` with the error as reason if it raises."""
    try:
        return check(history)
    except Exception as e:  # a crashing checker must not lose the others' analysis
        reason = f"checker crashed: {type(e).__name__}: {e}"
        return CheckResult(name, Verdict.UNKNOWN, reason=reason)
