"""The data model of one run folder, as the renderers consume it (built by
:mod:`reports.loader`, the only module here that reads files)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from base.op import Op
from checkers.verdict import Verdict
from reports.history import FaultPeriod, Operation


@dataclass(frozen=True)
class Assets:
    """The page's stylesheet and script text (package data under reports/assets/)."""

    css: str
    js: str


@dataclass(frozen=True, slots=True)
class ResourceSample:
    """One psutil sample of one node process."""

    time_ns: int
    node: str
    cpu: float | None
    rss: int | None
    connections: int | None


@dataclass(frozen=True, slots=True)
class RunFile:
    """A file of the run folder worth linking to: ``path`` relative to the folder."""

    path: str
    size: int
    group: str  # "run", "history", "node <name>"


@dataclass(frozen=True)
class RunData:
    """Everything a report shows about one run.

    ``test`` is test.json, ``results`` results.json (empty when missing); ``history`` every
    event; ``operations`` the paired client operations; ``faults`` the fault periods;
    ``problems`` human-readable notes about missing or malformed inputs, shown in the
    report (nothing is dropped silently).
    """

    name: str
    test: Mapping[str, Any]
    results: Mapping[str, Any]
    history: tuple[Op, ...]
    operations: tuple[Operation, ...]
    faults: tuple[FaultPeriod, ...]
    resources: tuple[ResourceSample, ...]
    end_ns: int
    files: tuple[RunFile, ...] = ()
    problems: tuple[str, ...] = field(default=())

    @property
    def verdict(self) -> Verdict:
        try:
            return Verdict.from_json(self.results.get("valid", "unknown"))
        except ValueError:
            return Verdict.UNKNOWN

    @property
    def test_name(self) -> str:
        return str(self.test.get("name") or self.test.get("test_name") or self.name)

    def checker_results(self) -> dict[str, Mapping[str, Any]]:
        checkers = self.results.get("checkers")
        if not isinstance(checkers, Mapping):
            return {}
        return {str(k): v for k, v in checkers.items() if isinstance(v, Mapping)}

    def unknown_reasons(self) -> list[str]:
        """Why the verdict is unknown: the results' own reason, then each unknown
        checker's reason, then any input problem."""
        reasons: list[str] = []
        top = self.results.get("reason")
        if isinstance(top, str) and top:
            reasons.append(top)
        for name, result in self.checker_results().items():
            if result.get("valid") not in (True, False):
                reasons.append(f"{name}: {result.get('reason') or 'no reason given'}")
        if not self.results:
            reasons.append("results.json is missing: the run was not checked")
        return reasons
