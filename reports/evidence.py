"""The evidence sections of the report: the lost acknowledged writes and the
linearizability counterexample. Pure, like :mod:`reports.sections`, whose helpers they
use."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from reports.counterexample import Counterexample
from reports.counterexample_svg import render_svg
from reports.lost import COUNT_NAMES, LostWrites
from reports.sections import h, ms, section, table

LOST_SHOWN = 20
"""Lost writes per WAIT level shown before a "more" fold."""
STEPS_SHOWN = 40
"""Linearization steps listed in the counterexample's table."""


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else h(value)


def _state(state: Any) -> str:
    """A model state as the checker described it (its text as is, other values as JSON)."""
    return state if isinstance(state, str) else json.dumps(state, default=str)


def lost_writes(lost: LostWrites | None) -> str:
    if lost is None:
        return ""
    counts = "".join(
        f'<div class="stat"><div class="n">{_count(v)}</div><div>{h(k)}</div></div>'
        for k, v in lost.counts.items()
    )
    parts = [f'<div class="stats">{counts}</div>']
    if lost.by_acks:
        rows = [
            [h(level)] + [h(getattr(counts_, n)) for n in COUNT_NAMES]
            for level, counts_ in lost.by_acks.items()
        ]
        parts.append("<h3>By WAIT acknowledgement level</h3>")
        parts.append(table(["acks", *COUNT_NAMES], rows))
    if not lost.lost:
        parts.append('<p class="note">No acknowledged write was lost.</p>')
    if len(lost.lost) < lost.lost_count:
        parts.append(
            f'<p class="note">The checker listed {len(lost.lost):,} of {lost.lost_count:,} '
            "lost writes (its listing limit); the counts above are complete.</p>"
        )
    headers = ["value", "key", "node", "process", "invoked", "acknowledged", "WAIT acks",
               "fault active while written", "lost by (acknowledged after it began)"]  # fmt: skip
    for level, writes in lost.by_level().items():
        rows = [
            [
                f"<code>{h(w.value)}</code>",
                h(w.key),
                h(w.node),
                h(w.process),
                ms(w.invoke_ns),
                ms(w.complete_ns),
                h("—" if w.acks is None else w.acks),
                h(", ".join(labels) or "none"),
                h(lost_by),
            ]
            for w, labels, lost_by in ((x.write, x.faults, x.lost_by) for x in writes)
        ]
        parts.append(f"<h3>Lost with {escape(level)}: {len(writes):,} listed</h3>")
        parts.append(table(headers, rows[:LOST_SHOWN], "lost"))
        if len(rows) > LOST_SHOWN:
            parts.append(
                f"<details><summary>{len(rows) - LOST_SHOWN:,} more</summary>"
                + table(headers, rows[LOST_SHOWN:], "lost")
                + "</details>"
            )
    return section("lost-writes", f"Lost writes: {lost.lost_count:,}", "".join(parts))


def counterexample(cx: Counterexample | None) -> str:
    if cx is None:
        return ""
    failed = cx.failed_ops
    what = ", ".join(f"{o.describe()} by process {o.process} (op {o.id})" for o in failed)
    summary = [
        f'<p class="lin-summary">Key <code id="lin-key">{h(cx.key or "(single register)")}</code>'
        f" is not linearizable ({h(cx.model or 'model not named')}).",
    ]
    if failed:
        summary.append(
            f' The operation that cannot be linearized: <b id="lin-failed">{h(what)}</b>.'
        )
    summary.append(
        f" The longest partial linearization found places {len(cx.linearized):,} operation(s);"
        f" model state there: <code>{h(_state(cx.state))}</code>.</p>"
    )
    if cx.message:
        summary.append(f'<p class="note">{h(cx.message)}</p>')
    if cx.candidates:
        tried = "; ".join(
            f"{o.describe()} by process {o.process}: {why}"
            for o, why in ((cx.op(i), why) for i, why in cx.candidates if i not in cx.failed)
            if o is not None
        )
        if tried:
            summary.append(f'<p class="note">Tried in its place: {h(tried)}.</p>')
    listed = [(n, i, s) for n, (i, s) in enumerate(cx.linearized, start=1) if cx.op(i)]
    steps = [
        [str(n), h(o.describe()), h(o.process), f"<code>{h(_state(state))}</code>"]
        for n, ident, state in listed[-STEPS_SHOWN:]
        if (o := cx.op(ident)) is not None
    ]
    more = len(cx.linearized) - len(steps)
    steps_note = (
        f'<p class="note">The last {len(steps)} steps drawn above; {more:,} earlier steps'
        " are in the raw explanation.</p>"
        if more > 0
        else ""
    )
    legend = (
        '<div class="legend"><span class="sw linearized"></span>in the partial linearization'
        '<span class="sw plain"></span>not placed<span class="sw failed"></span>cannot be'
        ' linearized<span class="sw candidate"></span>tried in its place'
        '<span class="sw info"></span>never completed (dashed)</div>'
    )
    body = (
        "".join(summary)
        + legend
        + render_svg(cx)
        + '<div id="lin-hover" class="hover-panel">Hover an operation.</div>'
        + "<details><summary>Linearization steps</summary>"
        + steps_note
        + table(["#", "operation", "process", "model state after"], steps)
        + "</details>"
        + "<details><summary>Raw explanation</summary><pre>"
        + escape(json.dumps(cx.raw, indent=1, default=str)[:200_000])
        + "</pre></details>"
    )
    return section("linearizability", "Linearizability counterexample", body)
