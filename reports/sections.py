"""The report's sections as HTML fragments, one function each. Pure: a section takes
the run's data and returns a string; every value from the run is escaped."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from checkers.faults import FaultWindow
from checkers.verdict import Verdict
from reports.history import fault_label
from reports.lost import LostWrites
from reports.perf import Availability, LatencyRow, Outage, quantile_labels
from reports.rundata import RunData, RunFile

DETAILS_LIMIT = 50_000
"""Characters of a checker's result shown in its fold."""

VERDICT_TEXT = {
    Verdict.VALID: "VALID",
    Verdict.INVALID: "INVALID",
    Verdict.UNKNOWN: "UNKNOWN",
}


def h(value: Any) -> str:
    """Escape any value for HTML text or attributes."""
    return escape(value if isinstance(value, str) else _text(value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list | tuple | bool):
        return json.dumps(value, default=str)
    return str(value)


def ms(ns: int | None) -> str:
    return "—" if ns is None else f"{ns / 1e6:,.1f} ms"


def seconds(ns: int) -> str:
    return f"{ns / 1e9:,.1f} s"


def section(ident: str, title: str, body: str) -> str:
    return f'<section id="{ident}"><h2>{escape(title)}</h2>{body}</section>'


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    """A table whose cells are already HTML."""
    head = "".join(f"<th>{escape(x)}</th>" for x in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def verdict_banner(run: RunData, lost: LostWrites | None, acked: int, outage: Outage) -> str:
    """The verdict, what the run exercised, and why (for invalid and unknown)."""
    verdict = run.verdict
    facts = [
        f"{len(run.operations):,} operations",
        f"{acked:,} acknowledged writes",
        f"{len(run.faults):,} fault periods",
        f"{seconds(run.end_ns)} recorded",
        f"no operation succeeded for {outage.total_s:,.1f} s (longest {outage.longest_s:,.1f} s)"
        if outage.count
        else f"never more than {outage.threshold_s:g} s without a successful operation",
    ]
    if lost is not None:
        facts.append(f"{lost.lost_count:,} lost acknowledged writes")
    reasons = ""
    if verdict is Verdict.UNKNOWN:
        items = (
            "".join(f"<li>{h(r)}</li>" for r in run.unknown_reasons()) or "<li>no reason given</li>"
        )
        reasons = f'<div class="reasons">Why unknown:<ul>{items}</ul></div>'
    elif verdict is Verdict.INVALID:
        items = "".join(
            f"<li><b>{h(name)}</b>: {h(r.reason or 'invalid')}</li>"
            for name, r in run.checker_results().items()
            if r.verdict is Verdict.INVALID
        )
        reasons = f'<div class="reasons"><ul>{items}</ul></div>' if items else ""
    return (
        f'<div id="verdict" class="banner {verdict.value}" data-verdict="{verdict.value}">'
        f'<div class="verdict-word">{VERDICT_TEXT[verdict]}</div>'
        f'<div class="facts">{escape(" · ".join(facts))}</div>{reasons}</div>'
    )


def problems(run: RunData) -> str:
    """Notes on the inputs, and what test.json says went wrong with the run itself."""
    notes = list(run.problems)
    if run.test.get("error"):
        notes.insert(0, f"The run ended with an error: {run.test['error']}")
    if run.test.get("interrupted"):
        notes.insert(0, "The run was interrupted (Ctrl-C or SIGTERM); it was checked as recorded.")
    for error in run.test.get("teardown_errors") or []:
        notes.append(f"Teardown: {error}")
    if not notes:
        return ""
    items = "".join(f"<li>{h(p)}</li>" for p in notes)
    return f'<div class="problems"><b>Input notes</b><ul>{items}</ul></div>'


def reproduce(run: RunData) -> str:
    argv = run.test.get("argv")
    seed = run.test.get("seed")
    if isinstance(argv, list) and argv:
        command = shlex.join(str(a) for a in argv)
    elif isinstance(argv, str):
        command = argv
    else:
        command = None
    parts = [
        f'<p>Seed: <code id="seed">{h(seed) if seed is not None else "not recorded"}</code></p>'
    ]
    if command:
        parts.append(f'<pre id="command" class="command">{escape(command)}</pre>')
    else:
        parts.append('<p class="note">test.json records no command line (argv).</p>')
    return section("reproduce", "Reproduce", "".join(parts))


def checkers(run: RunData) -> str:
    """One row per checker; its full result (every field results.json holds for it,
    such as Elle's anomalies or the stats) folded beneath the reason."""
    rows = []
    for name, result in run.checker_results().items():
        verdict = result.verdict
        text = json.dumps(result.to_json(), indent=1, default=str)
        if len(text) > DETAILS_LIMIT:
            text = text[:DETAILS_LIMIT] + f"\n… ({len(text):,} characters; see results.json)"
        rows.append(
            [
                h(name),
                f'<span class="pill {verdict.value}">{verdict.value}</span>',
                h(result.reason or "")
                + f"<details><summary>details</summary><pre>{escape(text)}</pre></details>",
            ]
        )
    if not rows:
        return section("checkers", "Checkers", '<p class="note">No checker results.</p>')
    return section("checkers", "Checkers", table(["checker", "verdict", "reason"], rows))


def timeline(run: RunData, note: str | None) -> str:
    faults = fault_table(run.faults)
    body = (
        '<p class="hint">Showing <b id="zoom-range">whole run</b>. Drag across any time chart'
        " to zoom all of them (the address then links to that zoom); double-click or"
        ' <button type="button" class="reset-zoom">reset zoom</button>.</p>'
        + (f'<p class="note downsampled">{h(note)}</p>' if note else "")
        + '<div class="chart" id="timeline-chart"><canvas id="chart-timeline"></canvas></div>'
        + '<div id="timeline-hover" class="hover-panel">Hover an operation.</div>'
        + faults
    )
    return section("timeline", "Timeline", body)


def fault_table(faults: Sequence[FaultWindow]) -> str:
    if not faults:
        return '<p class="note">No faults were injected.</p>'
    rows = [
        [
            h(p.name),
            h(fault_label(p)),
            ms(p.start_ns),
            ms(p.end_ns) + (" (open)" if p.open_ended else ""),
            ms(p.end_ns - p.start_ns),
        ]
        for p in faults
    ]
    return "<h3>Fault periods</h3>" + table(["fault", "detail", "from", "to", "duration"], rows)


def performance(
    rows: Sequence[LatencyRow],
    windows: Sequence[Availability],
    outage: Outage,
    note: str | None,
) -> str:
    labels = quantile_labels()
    lat_rows = [
        [h(r.f), f"{r.ok:,}", f"{r.fail:,}", f"{r.info:,}"]
        + ([f"{q:,.2f}" for q in r.quantiles_ms] if r.quantiles_ms else ["—"] * len(labels))
        for r in rows
    ]
    avail_rows = [
        [
            h(w.window),
            f"{w.seconds:,.1f} s",
            f"{w.ok:,}",
            f"{w.fail:,}",
            f"{w.info:,}",
            "—" if w.share_ok is None else f"{100 * w.share_ok:.1f} %",
        ]
        for w in windows
    ]
    body = (
        "<h3>Latency of ok operations (ms) and outcomes per operation</h3>"
        + table(["f", "ok", "fail", "info", *labels], lat_rows, "latency-table")
        + "<h3>Availability: share of ok operations by window of invocation</h3>"
        + table(["window", "duration", "ok", "fail", "info", "ok share"], avail_rows, "avail")
        + f'<p id="outage">Unavailable: {outage.count:,} stretch(es) of more than'
        f" {outage.threshold_s:g} s without a successful operation, {outage.total_s:,.1f} s in"
        f" all, the longest {outage.longest_s:,.1f} s.</p>"
        + (f'<p class="note downsampled">{h(note)}</p>' if note else "")
        + "<h3>Latency (every operation, log scale)</h3>"
        + '<div class="chart"><canvas id="chart-latency"></canvas></div>'
        + "<h3>Latency quantiles over time (ok operations)</h3>"
        + '<div class="chart"><canvas id="chart-quantiles"></canvas></div>'
        + "<h3>Throughput (completions per second)</h3>"
        + '<div class="chart"><canvas id="chart-throughput"></canvas></div>'
    )
    return section("performance", "Performance", body)


def resources(run: RunData) -> str:
    if not run.resources:
        body = '<p class="note">No resource samples (resources.jsonl missing or empty).</p>'
    else:
        body = (
            "<h3>CPU (% of one core)</h3>"
            '<div class="chart"><canvas id="chart-cpu"></canvas></div>'
            "<h3>Resident memory (MiB)</h3>"
            '<div class="chart"><canvas id="chart-rss"></canvas></div>'
        )
    return section("resources", "Node resources", body)


def parameters(test: Mapping[str, Any]) -> str:
    """test.json as a table; nested objects (the harness's ``options``) one row per field."""
    flat: list[tuple[str, Any]] = []
    for k, v in test.items():
        if k == "argv":
            continue
        if isinstance(v, Mapping) and v and k != "versions":
            flat += [(f"{k}.{sub}", x) for sub, x in v.items()]
        else:
            flat.append((k, v))
    rows = [[f"<code>{h(k)}</code>", h(v)] for k, v in flat]
    if not rows:
        return section("parameters", "Test parameters", '<p class="note">No test.json.</p>')
    return section("parameters", "Test parameters", table(["option", "value"], rows, "params"))


def files(items: Sequence[RunFile]) -> str:
    groups: dict[str, list[RunFile]] = {}
    for f in items:
        groups.setdefault(f.group, []).append(f)
    parts = []
    for group, members in groups.items():
        links = "".join(
            f'<li><a href="{escape(f.path)}">{escape(f.path)}</a> <span class="size">'
            f"{_size(f.size)}</span></li>"
            for f in members
        )
        parts.append(f'<h3>{escape(group)}</h3><ul class="files">{links}</ul>')
    return section("files", "Files", "".join(parts) or '<p class="note">No files.</p>')


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n = n / 1024  # type: ignore[assignment]
    return str(n)
