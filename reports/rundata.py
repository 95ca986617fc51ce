"""The data model of one run folder, as the renderers consume it (built by
:mod:`reports.loader`, the only module here that reads files)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from base.op import Op
from checkers.faults import FaultWindow
from checkers.history.pairing import Attempt
from checkers.results.run import RunResults
from checkers.results.setfull import LostWrite
from checkers.verdict import CheckResult, Verdict


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

    ``test`` is test.json, ``results`` results.json read by the checkers' own type (None
    when missing or unreadable); ``history`` every event; ``operations`` the client
    operations as the checkers pair them; ``faults`` the checkers' fault windows (with
    the one-shot faults); ``every_lost`` every lost write of a set run (lost.jsonl, not
    only results.json's sample); ``problems`` human-readable notes about missing or malformed
    inputs, shown in the report (nothing is dropped silently).
    """

    name: str
    test: Mapping[str, Any]
    results: RunResults | None
    history: tuple[Op, ...]
    operations: tuple[Attempt, ...]
    faults: tuple[FaultWindow, ...]
    resources: tuple[ResourceSample, ...]
    end_ns: int
    files: tuple[RunFile, ...] = ()
    problems: tuple[str, ...] = field(default=())
    every_lost: tuple[LostWrite, ...] | None = None
    """Every lost write (the run's lost.jsonl); None when the run has no such file."""

    @property
    def verdict(self) -> Verdict:
        return Verdict.UNKNOWN if self.results is None else self.results.verdict

    @property
    def test_name(self) -> str:
        return str(self.test.get("name") or self.test.get("test_name") or self.name)

    def checker_results(self) -> Mapping[str, CheckResult]:
        return {} if self.results is None else self.results.checkers

    def unknown_reasons(self) -> list[str]:
        """Why the verdict is unknown: the results' own reason, then each unknown
        checker's reason, then any input problem."""
        reasons: list[str] = []
        top = None if self.results is None else self.results.extra.get("reason")
        if isinstance(top, str) and top:
            reasons.append(top)
        for name, result in self.checker_results().items():
            if result.verdict is Verdict.UNKNOWN:
                reasons.append(f"{name}: {result.reason or 'no reason given'}")
        if self.results is None:
            reasons.append("results.json is missing: the run was not checked")
        return reasons
