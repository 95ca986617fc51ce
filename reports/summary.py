"""summary.md: the run in a few lines of Markdown (for CI job summaries). Pure."""

from __future__ import annotations

import shlex

from reports.lost import LostWrites
from reports.perf import Availability, Outage
from reports.rundata import RunData

SUMMARY_JSON = "report-summary.json"
"""A few figures per run for the store's index (so it never has to read histories)."""


def summary_figures(
    run: RunData, lost: LostWrites | None, windows: list[Availability], outage: Outage
) -> dict[str, object]:
    """The figures of :data:`SUMMARY_JSON`."""
    return {
        "verdict": run.verdict.value,
        "operations": len(run.operations),
        "fault_periods": len(run.faults),
        "unavailable_s": outage.total_s,
        "longest_unavailable_s": outage.longest_s,
        "ok_share": {w.window: w.share_ok for w in windows},
        "lost": None if lost is None else lost.lost_count,
    }


def render_summary(
    run: RunData,
    lost: LostWrites | None,
    windows: list[Availability],
    outage: Outage,
    failing: str | None,
) -> str:
    """``failing`` names the non-linearizable key and operation, when there is one."""
    lines = [
        f"# {run.test_name}: {run.verdict.value.upper()}",
        "",
        f"- run: `{run.name}`",
    ]
    for name in ("seed", "db", "nemesis", "workload", "start_time"):
        if name in run.test:
            value = run.test[name]
            shown = ",".join(map(str, value)) if isinstance(value, list) else value
            lines.append(f"- {name}: `{shown}`")
    lines.append(f"- operations: {len(run.operations):,}; fault periods: {len(run.faults)}")
    for w in windows:
        share = "n/a" if w.share_ok is None else f"{100 * w.share_ok:.1f}%"
        lines.append(f"- {w.window}: {w.seconds:,.1f} s, {w.total:,} operations, {share} ok")
    lines.append(
        f"- unavailable (no ok operation for > {outage.threshold_s:g} s): {outage.total_s:,.1f} s"
        f" in {outage.count} stretch(es), longest {outage.longest_s:,.1f} s"
    )
    if lost is not None:
        lines.append(f"- lost acknowledged writes: {lost.lost_count:,}")
    loss = None if run.results is None else run.results.loss
    if loss is not None and loss.windows:
        lines.append(f"- loss windows: {loss.summary()}")
    if failing:
        lines.append(f"- not linearizable: {failing}")
    argv = run.test.get("argv")
    if isinstance(argv, list) and argv:
        lines += ["", "Reproduce:", "", "```", shlex.join(str(a) for a in argv), "```"]
    lines += ["", "| checker | verdict | reason |", "|---|---|---|"]
    for name, result in run.checker_results().items():
        reason = (result.reason or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {name} | {result.verdict.value} | {reason} |")
    if run.verdict.value == "unknown":
        lines += ["", "Unknown because:"] + [f"- {r}" for r in run.unknown_reasons()]
    if run.problems:
        lines += ["", "Input notes:"] + [f"- {p}" for p in run.problems]
    lines += ["", "Full report: report.html", ""]
    return "\n".join(lines)
