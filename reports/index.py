"""store/index.html: every run of a store, newest first, and a trend per test. Pure: the
rows come from each run's test.json, results.json and report-summary.json (never the
history, so the index stays quick for big stores), read by
:func:`reports.loader.find_runs`."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote

from checkers.results.run import RunResults
from checkers.results.setfull import SetCounts
from reports.changes import describe_change, lost_rate

TREND_RUNS = 60
"""Most recent runs per test drawn in the trend view."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    path: str  # the run folder relative to the store, with "/"
    stamp: str  # the folder name (YYYYmmddTHHMMSS), the sort key
    date: str
    test: str
    db: str
    faults: str
    verdict: str  # valid / invalid / unknown
    lost: int | None
    has_report: bool
    operations: int | None = None  # from report-summary.json, when the run was rendered
    unavailable_s: float | None = None
    acknowledged: int | None = None  # set-full's acknowledged count, when it ran


@dataclass(frozen=True)
class RunFiles:
    """What the index reads of one run folder (see :func:`reports.loader.find_runs`)."""

    path: str  # relative to the store, with "/"
    test: Mapping[str, Any]
    results: RunResults | None  # None: missing or unreadable
    figures: Mapping[str, Any]  # report-summary.json
    has_report: bool


def summarize(files: RunFiles) -> RunSummary:
    """The index row of one run (tolerant: missing fields give '?' or 'unknown')."""
    test, results, figures = files.test, files.results, files.figures
    stamp = files.path.rsplit("/", 1)[-1]
    folder_test = files.path.split("/", 1)[0]
    verdict = "unknown" if results is None else results.verdict.value
    counts = _set_counts(results)
    return RunSummary(
        path=files.path,
        stamp=stamp,
        date=display_date(test.get("start_time")) or _date_of(stamp),
        test=str(test.get("name") or test.get("test_name") or folder_test),
        db=str(test.get("db") or "?"),
        faults=_faults(test.get("nemesis")),
        verdict=verdict,
        lost=None if counts is None else counts.lost,
        has_report=files.has_report,
        operations=_number(figures.get("operations"), int),
        unavailable_s=_number(figures.get("unavailable_s"), float),
        acknowledged=None if counts is None else counts.acknowledged,
    )


def _set_counts(results: RunResults | None) -> SetCounts | None:
    """set-full's counts, when set-full ran (None for a result it cannot read)."""
    try:
        found = None if results is None else results.set_full()
    except ValueError:
        return None
    return None if found is None else found.counts


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return kind(value)


def _faults(value: Any) -> str:
    if value is None or value in ("", []):
        return "none"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, Mapping):
        faults = value.get("faults") or value.get("names")
        return _faults(faults) if faults is not None else json.dumps(value, default=str)
    return str(value)


def display_date(value: Any) -> str | None:
    """An ISO start time as ``YYYY-mm-dd HH:MM:SS`` (UTC when it says so)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    zone = " UTC" if when.utcoffset() is not None and not when.utcoffset() else ""
    return when.strftime("%Y-%m-%d %H:%M:%S") + zone


def _date_of(stamp: str) -> str:
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S").strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return stamp


def newest_first(runs: Sequence[RunSummary]) -> list[RunSummary]:
    return sorted(runs, key=lambda r: (r.stamp, r.test), reverse=True)


_COLORS = {"valid": "#2e7d32", "invalid": "#c62828", "unknown": "#6d6d6d"}


def change_marks(runs: Sequence[RunSummary]) -> dict[str, tuple[str, ...]]:
    """Run path -> what changed against the previous run of the same test (verdict,
    lost-write rate: :func:`reports.changes.describe_change`); runs that changed nothing,
    and each test's first run, are left out."""
    marks: dict[str, tuple[str, ...]] = {}
    for members in _by_test(runs).values():
        for before, r in itertools.pairwise(members):
            changed = describe_change(before.verdict, _rate(before), r.verdict, _rate(r))
            if changed:
                marks[r.path] = changed
    return marks


def _rate(r: RunSummary) -> float | None:
    return lost_rate(r.lost, r.acknowledged)


def _badge(changed: tuple[str, ...] | None) -> str:
    if not changed:
        return ""
    what = "; ".join(changed)
    return (
        f' <span class="pill changed" title="{escape(what)}">changed</span>'
        f' <span class="what">{escape(what)}</span>'
    )


def render_index(runs: Sequence[RunSummary]) -> str:
    """The index page (no script needed: the trends are inline SVG)."""
    rows = []
    marks = change_marks(runs)
    for r in newest_first(runs):
        target = _href(r)
        rows.append(
            f'<tr class="run {r.verdict}"><td><a href="{escape(target)}">{escape(r.date)}</a></td>'
            f"<td>{escape(r.test)}</td><td>{escape(r.db)}</td><td>{escape(r.faults)}</td>"
            f'<td><span class="pill {r.verdict}">{r.verdict}</span></td>'
            f'<td class="num">{"—" if r.lost is None else f"{r.lost:,}"}</td>'
            f'<td class="num">{"—" if r.operations is None else f"{r.operations:,}"}</td>'
            f'<td class="num">{"—" if r.unavailable_s is None else f"{r.unavailable_s:,.1f} s"}'
            f'</td><td class="change">{_badge(marks.get(r.path))}</td></tr>'
        )
    table = (
        '<table id="runs"><thead><tr><th>date</th><th>test</th><th>db</th><th>faults</th>'
        "<th>verdict</th><th>lost writes</th><th>operations</th>"
        '<th title="time with no successful operation (gaps over 1 s)">unavailable</th>'
        '<th title="verdict or lost-write rate against the previous run of the test">change</th>'
        "</tr></thead><tbody>"
        + ("".join(rows) or '<tr><td colspan="9">No runs yet.</td></tr>')
        + "</tbody></table>"
    )
    trends = "".join(
        _trend(test, members, marks.get(members[-1].path))
        for test, members in _by_test(runs).items()
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>splitbrain runs'
        f"</title><style>{_CSS}</style></head><body><h1>splitbrain runs</h1>"
        f"<p>{len(runs):,} run(s), newest first.</p>{table}"
        f'<h2>Trends per test</h2><div id="trends">{trends or "<p>No runs yet.</p>"}</div>'
        "</body></html>\n"
    )


def _href(r: RunSummary) -> str:
    """The run's report (or folder) as a URL path relative to the store."""
    path = quote(r.path)
    return f"{path}/report.html" if r.has_report else f"{path}/"


def _by_test(runs: Sequence[RunSummary]) -> dict[str, list[RunSummary]]:
    groups: dict[str, list[RunSummary]] = {}
    for r in sorted(runs, key=lambda r: r.stamp):
        groups.setdefault(r.test, []).append(r)
    return dict(sorted(groups.items()))


def _trend(test: str, runs: Sequence[RunSummary], changed: tuple[str, ...] | None = None) -> str:
    """Oldest to newest, left to right: a verdict square per run and a bar of its lost
    writes (scaled to the test's largest count); ``changed``: what the latest run changed."""
    shown = list(runs)[-TREND_RUNS:]
    most = max((r.lost or 0 for r in shown), default=0)
    cell, bar_h = 14, 40
    width = len(shown) * cell + 10
    parts = [
        f'<svg class="trend" width="{width}" height="{bar_h + cell + 8}" '
        f'viewBox="0 0 {width} {bar_h + cell + 8}" role="img" aria-label="trend {escape(test)}">'
    ]
    for i, r in enumerate(shown):
        x = 5 + i * cell
        lost = r.lost if r.lost is not None else "n/a"
        down = "" if r.unavailable_s is None else f", unavailable {r.unavailable_s:,.1f} s"
        tip = escape(f"{r.date}: {r.verdict}, lost writes {lost}{down}")
        href = escape(_href(r))
        height = 0 if not most or not r.lost else max(2, round(bar_h * r.lost / most))
        parts.append(
            f'<a href="{href}"><g><title>{tip}</title>'
            f'<rect x="{x}" y="{bar_h - height}" width="{cell - 3}" height="{height}"'
            ' fill="#c62828" opacity="0.55"/>'
            f'<rect x="{x}" y="{bar_h + 4}" width="{cell - 3}" height="{cell - 3}" rx="2"'
            f' fill="{_COLORS[r.verdict]}"/></g></a>'
        )
    parts.append("</svg>")
    counts = {v: sum(r.verdict == v for r in runs) for v in _COLORS}
    note = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    more = f" (last {TREND_RUNS} drawn)" if len(runs) > TREND_RUNS else ""
    return (
        f'<div class="trend-row"><h3>{escape(test)}{_badge(changed)}</h3>'
        f"<p>{len(runs)} run(s): {note}{more};"
        f" bars: lost writes (max {most:,})</p>{''.join(parts)}</div>"
    )


_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d1d1f; }
table { border-collapse: collapse; } th, td { padding: 4px 12px; border-bottom: 1px solid #eee;
text-align: left; } th { background: #f1f3f5; } td.num { text-align: right; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 12px; }
.pill.valid { background: #2e7d32; } .pill.invalid { background: #c62828; }
.pill.unknown { background: #6d6d6d; } .trend-row h3 { margin: 14px 0 0; }
.pill.changed { background: #e65100; } .what { font-size: 12px; }
.trend-row p { margin: 0; color: #666; font-size: 12px; }
"""
