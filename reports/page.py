"""The report page: one self-contained HTML document (styles, script and data inline, no
network) built from :class:`reports.rundata.RunData`. Pure: ``render_report`` returns a
string; the assets' text is passed in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from checkers.results import linear
from reports import evidence, loss_sections, sections
from reports.chartdata import chart_data
from reports.counterexample import Counterexample, counterexample
from reports.index import display_date
from reports.lost import LostWrites, lost_writes
from reports.perf import (
    Availability,
    LatencyRow,
    Outage,
    acknowledged_writes,
    availability,
    latency_table,
    outages,
)
from reports.rundata import Assets, RunData
from reports.sampling import TIMELINE_LIMIT

NAV = (
    ("reproduce", "Reproduce"),
    ("checkers", "Checkers"),
    ("lost-writes", "Lost writes"),
    ("loss-windows", "Loss windows"),
    ("availability", "Availability"),
    ("linearizability", "Linearizability"),
    ("timeline", "Timeline"),
    ("performance", "Performance"),
    ("resources", "Resources"),
    ("parameters", "Parameters"),
    ("files", "Files"),
)

_ERROR_TRAP = """
window.__reportErrors = [];
function __recordError(text) {
  window.__reportErrors.push(text);
  var el = document.getElementById('js-errors');
  if (el) { el.hidden = false; el.textContent = window.__reportErrors.join('\\n'); }
}
window.addEventListener('error', function (e) {
  var text = String(e.message || e);
  var prefix = text.indexOf('Uncaught') === 0 ? '' : 'Uncaught ';
  __recordError(prefix + text + ' at line ' + (e.lineno || '?'));
});
window.addEventListener('unhandledrejection', function (e) {
  __recordError('Unhandled ' + e.reason);
});
"""


def script_json(data: Any) -> str:
    """JSON safe to place inside a ``<script>`` element."""
    text = json.dumps(data, separators=(",", ":"), default=str, allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def find_counterexample(run: RunData) -> Counterexample | None:
    """The linearizability checker's explanation, drawn; None when it gave none (or one
    this version cannot read, which the checkers' fold still shows)."""
    try:
        found = None if run.results is None else run.results.linear()
    except ValueError:
        return None
    if found is None or found.explanation is None:
        return None
    return counterexample(linear.CHECKER, found.explanation, run.operations)


def find_lost(run: RunData) -> LostWrites | None:
    """set-full's lost writes joined with the history; None when set-full did not run
    (or reported nothing this version can read)."""
    try:
        found = None if run.results is None else run.results.set_full()
    except ValueError:
        return None
    return None if found is None else lost_writes(found, run.operations, run.faults)


@dataclass(frozen=True)
class Findings:
    """What the report derives from a run once (shared by report.html and summary.md)."""

    lost: LostWrites | None
    counterexample: Counterexample | None
    latency: list[LatencyRow]
    availability: list[Availability]
    outage: Outage
    acknowledged_writes: int

    @property
    def failing(self) -> str | None:
        """'key K, cannot linearize OP by process P' when there is a counterexample."""
        cx = self.counterexample
        if cx is None:
            return None
        ops = ", ".join(f"{o.describe()} by process {o.process}" for o in cx.failed_ops)
        return f"key {cx.key}" + (f", cannot linearize {ops}" if ops else "")


def _time_limit_s(run: RunData) -> float | None:
    """The run's ``--time-limit`` from test.json (None when it does not say)."""
    options = run.test.get("options")
    value = options.get("time_limit_s") if isinstance(options, dict) else None
    return float(value) if isinstance(value, int | float) else None


def findings(run: RunData) -> Findings:
    return Findings(
        lost=find_lost(run),
        counterexample=find_counterexample(run),
        latency=latency_table(run.operations),
        availability=availability(run.operations, run.faults, run.end_ns),
        outage=outages(run.operations, run.end_ns, workload_s=_time_limit_s(run)),
        acknowledged_writes=acknowledged_writes(run.operations),
    )


def render_report(
    run: RunData, assets: Assets, found: Findings | None = None, limit: int = TIMELINE_LIMIT
) -> str:
    """The whole report.html for ``run``."""
    found = findings(run) if found is None else found
    lost, cx = found.lost, found.counterexample
    data = chart_data(run, limit)
    results = run.results
    loss = None if results is None else results.loss
    avail = None if results is None else results.availability
    present = {
        "lost-writes": lost is not None,
        "loss-windows": loss is not None,
        "availability": avail is not None,
        "linearizability": cx is not None,
    }
    nav = "".join(
        f'<a href="#{ident}">{escape(title)}</a>'
        for ident, title in NAV
        if present.get(ident, True)
    )
    title = f"{run.test_name} · {run.name} · {run.verdict.value}"
    started = display_date(run.test.get("start_time")) or ""
    body = "".join(
        [
            sections.verdict_banner(run, lost, found.acknowledged_writes, found.outage),
            sections.problems(run),
            sections.reproduce(run),
            sections.checkers(run),
            evidence.lost_writes(lost),
            loss_sections.loss_windows(
                loss, run.every_lost, [] if lost is None else lost.result.lost, run.faults
            ),
            loss_sections.availability(avail),
            evidence.counterexample(cx),
            sections.timeline(run, data["ops"]["note"]),
            sections.performance(
                found.latency, found.availability, found.outage, data["ops"]["note"]
            ),
            sections.resources(run),
            sections.parameters(run.test),
            sections.files(run.files),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f"<script>{_ERROR_TRAP}</script>"
        f"<style>{assets.css}</style></head>"
        f'<body data-ready="0"><header><h1>{escape(run.test_name)}</h1>'
        f'<div class="sub">run {escape(run.name)} {escape(str(started))}'
        ' · <a href="../../index.html">all runs</a></div>'
        f"<nav>{nav}</nav></header>"
        '<pre id="js-errors" class="js-errors" hidden></pre>'
        f"<main>{body}</main>"
        "<footer>splitbrain report · works offline · data inline</footer>"
        f'<script type="application/json" id="report-data">{script_json(data)}</script>'
        f"<script>{assets.js}</script>"
        "</body></html>\n"
    )
