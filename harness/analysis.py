"""The verdict of a run: the workload's checkers over its history, written to
results.json and the reports.

Used at the end of ``harness run`` and by ``harness analyze``. Every step is guarded: a
checker that crashes is ``unknown`` (checkers.verdict), a report that fails is logged,
and results.json is always written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import reports
from base.op import Op
from checkers.history import HistoryFormatError
from checkers.history import read_history as read_any_history
from checkers.models import CheckOptions
from checkers.results.run import RunResults
from checkers.verdict import Checker, CheckResult, Verdict, run_checkers
from harness.workloads import checkers_for as workload_checkers

RESULTS = "results.json"


def checkers_for(workload: str, options: dict[str, Any]) -> list[Checker]:
    """The checkers of ``workload`` (its module's, :mod:`harness.workloads`); ``options``
    may set any field of :class:`checkers.models.CheckOptions` (others are ignored)."""
    known = {f.name for f in fields(CheckOptions)}
    opts = CheckOptions(**{k: v for k, v in options.items() if k in known})
    return workload_checkers(workload, opts)


def check_history(
    workload: str, history: Sequence[Op], options: dict[str, Any]
) -> tuple[Verdict, dict[str, CheckResult]]:
    """Run the workload's checkers; no checker at all is ``unknown``."""
    try:
        checkers = checkers_for(workload, options)
    except Exception as e:  # a broken checker package must not lose the history
        return Verdict.UNKNOWN, {
            "checkers": CheckResult("checkers", Verdict.UNKNOWN, f"could not build: {e}")
        }
    if not checkers:
        reason = f"no checker available for workload {workload!r} yet"
        return Verdict.UNKNOWN, {"none": CheckResult("none", Verdict.UNKNOWN, reason)}
    return run_checkers(checkers, history)


def results_json(
    verdict: Verdict, results: dict[str, CheckResult], extra: dict[str, Any]
) -> dict[str, Any]:
    """results.json's shape (:class:`checkers.results.run.RunResults`): valid, checkers,
    for set workloads lost_writes, then ``extra``."""
    return RunResults(verdict, results, extra).to_json()


def write_results(run_dir: Path, data: dict[str, Any]) -> Path:
    path = run_dir / RESULTS
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    tmp.replace(path)
    return path


def read_history(path: Path) -> list[Op]:
    """Our history.jsonl, read by ``checkers.history`` (the one reader); a bad line
    raises ValueError naming the file and line."""
    try:
        return read_any_history(path, "jsonl", independent=False)
    except HistoryFormatError as e:
        raise ValueError(str(e)) from None


def render_reports(run_dir: Path, store_dir: Path | None, log: Callable[[str], None]) -> None:
    """The run's reports (:func:`reports.render_run`) and the store's index
    (:func:`reports.update_index`); any failure is logged and swallowed (the results are
    already written)."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("render_run", lambda: reports.render_run(run_dir))
    ]
    if store_dir is not None:
        steps.append(("update_index", lambda: reports.update_index(store_dir)))
    for name, step in steps:
        try:
            step()
        except Exception as e:  # a report must never lose the results
            log(f"reports.{name} failed: {type(e).__name__}: {e}")
