"""After a run (or for ``harness analyze``): history.edn, the checkers, results.json,
the reports, and the exit code. Every step is guarded so that one failure never loses
the others' output."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from base.op import Op
from checkers.verdict import CheckResult, Verdict
from harness.analysis import check_history, render_reports, results_json, write_results
from harness.recorder import write_edn_history


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
