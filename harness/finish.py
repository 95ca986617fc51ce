"""After a run (or for ``harness analyze``): history.edn, the checkers, results.json,
the reports, and the exit code. Every step is guarded so that one failure never loses
the others' output."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from base.op import Op
from checkers.setfull import SetFullChecker
from checkers.verdict import CheckResult, Verdict
from harness.analysis import (
    check_history,
    checkers_for,
    render_reports,
    results_json,
    write_results,
)
from harness.recorder import write_edn_history

LOST_FILE = "lost.jsonl"
"""Every lost write of a set run, one JSON object per line (results.json keeps the counts
and a sample)."""


def write_lost_writes(
    run_dir: Path, workload: str, ops: Sequence[Op], check_options: dict[str, Any]
) -> int:
    """Write :data:`LOST_FILE`: every lost write the workload's set-full checker finds
    (value, key, node, event index, outcome, invoke and completion times, WAIT acks, the
    faults active while it was in flight, the reads around its loss); the line count."""
    lost = [
        w
        for c in checkers_for(workload, check_options)
        if isinstance(c, SetFullChecker)
        for w in c.every_lost_write(ops)
    ]
    path = run_dir / LOST_FILE
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for w in lost:
            f.write(json.dumps(w.to_json(), default=str) + "\n")
    tmp.replace(path)
    return len(lost)


def check_run(
    run_dir: Path,
    *,
    workload: str,
    ops: Sequence[Op],
    extra: dict[str, Any],
    check_options: dict[str, Any],
    store_dir: Path | None,
    log: Callable[[str], None],
    write_edn: bool = True,
) -> Verdict:
    """Check ``ops``, write results.json (and history.edn, the reports); the verdict."""
    if write_edn:
        try:
            write_edn_history(list(ops), run_dir / "history.edn")
        except Exception as e:
            log(f"history.edn not written: {type(e).__name__}: {e}")
    verdict, results = check_history(workload, ops, check_options)
    if extra.get("error"):
        results["run"] = CheckResult("run", Verdict.UNKNOWN, f"the run failed: {extra['error']}")
        verdict = Verdict.merge(r.verdict for r in results.values())
    data = results_json(verdict, results, extra)
    if "lost_writes" in data:
        try:
            written = write_lost_writes(run_dir, workload, ops, check_options)
            data["lost_writes"]["file"] = LOST_FILE
            data["lost_writes"]["file_count"] = written
        except Exception as e:  # the results must be written whatever happens here
            log(f"{LOST_FILE} not written: {type(e).__name__}: {e}")
    write_results(run_dir, data)
    log(f"verdict: {json.dumps(data['valid'])}  ({run_dir / 'results.json'})")
    for name, r in results.items():
        log(f"  {name}: {r.verdict.value}{' - ' + r.reason if r.reason else ''}")
    lost = data.get("lost_writes")
    if lost:
        log(
            f"  lost writes: {lost.get('lost_count')} of {lost.get('acknowledged_count')} "
            f"acknowledged (recovered {lost.get('recovered_count')}, unexpected "
            f"{lost.get('unexpected_count')})"
        )
    render_reports(run_dir, store_dir, log)
    return verdict
