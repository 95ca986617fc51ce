"""After a run (or for ``harness analyze``): history.edn, the checkers, results.json,
the reports, and the exit code. Every step is guarded so that one failure never loses
the others' output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from base.op import Op
from checkers.results.loss import AvailabilityFindings, LossFindings
from checkers.results.run import RunResults
from checkers.results.setfull import LostWrite
from checkers.setfull import SetFullChecker
from checkers.verdict import CheckResult, Verdict
from harness.analysis import (
    check_history,
    checkers_for,
    render_reports,
    write_results,
)
from harness.recorder import write_edn_history
from harness.run_findings import availability_findings, loss_faults, loss_findings, lost_lines

LOST_FILE = "lost.jsonl"
"""Every lost write of a set run, one JSON object per line (results.json keeps the counts
and a sample)."""


def every_lost_write(
    workload: str, ops: Sequence[Op], check_options: dict[str, Any]
) -> list[LostWrite] | None:
    """Every lost write the workload's set-full checker finds; None when the workload
    has no set-full checker."""
    found = [c for c in checkers_for(workload, check_options) if isinstance(c, SetFullChecker)]
    if not found:
        return None
    return [w for c in found for w in c.every_lost_write(ops)]


def write_lost_writes(run_dir: Path, lines: Iterable[dict[str, Any]]) -> int:
    """Write :data:`LOST_FILE`: every lost write (value, key, node, process, event index,
    outcome, invoke and completion times, WAIT acks, the faults active while it was in
    flight, the reads around its loss, the fault period that lost it), one JSON object a
    line (:func:`harness.run_findings.lost_lines`); the line count."""
    path = run_dir / LOST_FILE
    tmp = path.with_suffix(".tmp")
    count = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, default=str) + "\n")
            count += 1
    tmp.replace(path)
    return count


def read_test(run_dir: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """The run's test.json (empty when missing or unreadable, said in the log)."""
    try:
        data = json.loads((run_dir / "test.json").read_text())
    except (OSError, ValueError) as e:
        log(f"test.json not read ({e}): no node timeout or slot map for the findings")
        return {}
    return data if isinstance(data, dict) else {}


def run_findings(
    run_dir: Path,
    workload: str,
    ops: Sequence[Op],
    check_options: dict[str, Any],
    log: Callable[[str], None],
) -> tuple[LossFindings | None, AvailabilityFindings | None]:
    """lost.jsonl and the loss windows (set workloads), the availability per fault and
    shard; each guarded, a failure logged and left out."""
    test = read_test(run_dir, log)
    loss: LossFindings | None = None
    avail: AvailabilityFindings | None = None
    try:
        lost = every_lost_write(workload, ops, check_options)
        if lost is not None:
            windows = loss_faults(ops)
            file: str | None = None
            try:
                write_lost_writes(run_dir, lost_lines(lost, windows))
                file = LOST_FILE
            except OSError as e:
                log(f"{LOST_FILE} not written: {e}")
            loss = loss_findings(lost, windows, test, file)
    except Exception as e:  # the results must be written whatever happens here
        log(f"loss windows not found: {type(e).__name__}: {e}")
    try:
        avail = availability_findings(ops, test)
    except Exception as e:
        log(f"availability not found: {type(e).__name__}: {e}")
    return loss, avail


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
    loss, avail = run_findings(run_dir, workload, ops, check_options, log)
    run = RunResults(verdict, results, extra, loss=loss, availability=avail)
    data = run.to_json()
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
        if lost.get("summary"):
            log(f"  loss windows: {lost['summary']}")
    render_reports(run_dir, store_dir, log)
    return verdict
