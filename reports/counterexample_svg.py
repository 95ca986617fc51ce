"""Draw a linearizability counterexample the way Porcupine does: one lane per process,
each operation a bar from invocation to completion, the longest partial linearization
as numbered points joined by a path, and the operation that cannot be placed in red.
Model states appear on hover (SVG ``<title>`` plus ``data-detail`` for the page's script).

Time is compressed to event order (every invocation or completion one step), as in
Porcupine, so that short concurrent operations stay readable next to long gaps. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from reports.counterexample import Counterexample, LinOp

WIDTH = 1200
LANE_H = 50
TOP = 30
LABELS = 110
PAD = 12
BAR_H = 22
INFO_LANE_H = 30
INFO_BAR_H = 14
"""Lanes whose operations all stayed open (info) are drawn thinner: they only say
"this may have happened any time after its invocation"."""
MIN_STEP = 30
"""Pixels per event at least: wide histories scroll sideways instead of squeezing."""


def _ms(ns: int | None) -> str:
    return "never (info)" if ns is None else f"{ns / 1e6:.3f} ms"


def _state(state: Any) -> str:
    if isinstance(state, str):
        return state  # the checker's own description of the state
    return "nil" if state is None else json.dumps(state, default=str)


def lane_order(ops: list[LinOp]) -> list[Any]:
    """Processes in order of first appearance, those whose every operation never
    completed (info: they only say "may have happened any time later") last."""
    seen: list[Any] = []
    for o in ops:
        if o.process not in seen:
            seen.append(o.process)
    settled = {o.process for o in ops if o.end_ns is not None}
    return [p for p in seen if p in settled] + [p for p in seen if p not in settled]


@dataclass(frozen=True)
class _Layout:
    x: Callable[[int | None], float]
    lanes: dict[Any, tuple[float, float]]  # process -> (top, height)
    order: dict[str, int]
    state_after: dict[str, Any]
    failed: set[str]
    why: dict[str, str]
    width: float

    def bar_y(self, process: Any) -> tuple[float, float]:
        """(top, height) of the bars in ``process``'s lane."""
        top, lane_h = self.lanes[process]
        bar_h = BAR_H if lane_h == LANE_H else INFO_BAR_H
        return top + (lane_h - bar_h) / 2, bar_h


def render_svg(cx: Counterexample) -> str:
    """The counterexample as HTML: a fixed column of lane labels beside a sideways
    scrolling ``<svg>`` of the operations."""
    ops = list(cx.ops)
    if not ops:
        return '<p class="note">The explanation lists no operations to draw.</p>'
    events = sorted({t for o in ops for t in (o.start_ns, o.end_ns) if t is not None})
    rank = {t: i for i, t in enumerate(events)}
    steps = len(events) + 1
    step = max(MIN_STEP, (WIDTH - LABELS - PAD - 20) / steps)
    right_edge = PAD + steps * step
    width = right_edge + 20

    def x(t: int | None) -> float:
        return right_edge if t is None else PAD + (rank[t] + 0.5) * step

    processes = lane_order(ops)
    settled = {o.process for o in ops if o.end_ns is not None}
    lanes: dict[Any, tuple[float, float]] = {}  # process -> (top, height)
    y = float(TOP)
    for p in processes:
        lanes[p] = (y, LANE_H if p in settled else INFO_LANE_H)
        y += lanes[p][1]
    height = round(y) + 30
    layout = _Layout(
        x=x,
        lanes=lanes,
        order={ident: n for n, (ident, _state) in enumerate(cx.linearized)},
        state_after=dict(cx.linearized),
        failed=set(cx.failed),
        why=dict(cx.candidates),
        width=width,
    )
    labels = [
        f'<svg class="lin-labels" xmlns="http://www.w3.org/2000/svg" width="{LABELS}"'
        f' height="{height}" viewBox="0 0 {LABELS} {height}">'
    ]
    parts = [
        f'<svg class="lin-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f}'
        f' {height}" width="{width:.0f}" height="{height}" role="img"'
        ' aria-label="linearizability counterexample">'
    ]
    for p, (top, lane_h) in lanes.items():
        middle = top + lane_h / 2
        parts.append(f'<line class="lane" x1="0" y1="{middle}" x2="{right_edge}" y2="{middle}"/>')
        labels.append(
            f'<text class="lane-label" x="{LABELS - 8}" y="{middle + 4}"'
            f' text-anchor="end">process {escape(str(p))}</text>'
        )
    for o in ops:
        parts.append(_bar(o, layout, cx))
    parts.append(_path(cx, layout))
    parts.append(
        f'<text class="axis-note" x="{PAD}" y="{height - 8}">time → (compressed to event'
        " order; hover an operation for its times and the model state)</text></svg>"
    )
    labels.append("</svg>")
    return (
        f'<div class="lin-frame">{"".join(labels)}'
        f'<div class="lin-view">{"".join(parts)}</div></div>'
    )


def _bar(o: LinOp, layout: _Layout, cx: Counterexample) -> str:
    x, order, failed = layout.x, layout.order, layout.failed
    state_after = layout.state_after
    x1, x2 = x(o.start_ns), x(o.end_ns)
    x2 = max(x2, x1 + 6)
    y, bar_h = layout.bar_y(o.process)
    classes = ["lin-op", f"t-{o.type}"]
    lines = [
        f"{o.describe()}  (process {o.process}, op {o.id})",
        f"invoked {_ms(o.start_ns)}, completed {_ms(o.end_ns)}",
    ]
    if o.id in failed:
        classes.append("failed")
        lines.append(f"CANNOT BE LINEARIZED here: model state is {_state(cx.state)}")
    elif o.id in order:
        classes.append("linearized")
        after = state_after[o.id]
        known = "" if after is None else f"; model state after: {_state(after)}"
        lines.append(f"linearized #{order[o.id] + 1}{known}")
    else:
        why = layout.why.get(o.id)
        if why:
            classes.append("candidate")
            lines.append(f"could not go next: {why} (model state {_state(cx.state)})")
        else:
            lines.append("not in the longest partial linearization")
    detail = "\n".join(lines)
    dash = ' stroke-dasharray="4 3"' if o.end_ns is None else ""
    label = escape(o.describe())
    width = x2 - x1
    text = (
        f'<text class="op-label" x="{x1 + 4:.1f}" y="{y + bar_h / 2 + 4:.1f}">{label}</text>'
        if width > 7 * min(len(o.describe()), 4)
        else ""
    )
    marker = ""
    if o.id in failed:
        near_right = x1 > layout.width - 200
        anchor = f'x="{x2:.1f}" text-anchor="end"' if near_right else f'x="{x1:.1f}"'
        marker = (
            f'<text class="failed-label" {anchor} y="{y - 10:.1f}">✗ cannot be linearized</text>'
        )
    return (
        f'<g class="{" ".join(classes)}" data-op="{escape(o.id)}"'
        f' data-detail="{escape(detail)}"><title>{escape(detail)}</title>'
        f'<rect x="{x1:.1f}" y="{y:.1f}" width="{width:.1f}" height="{bar_h}" rx="3"{dash}/>'
        f"{text}{marker}</g>"
    )


def _path(cx: Counterexample, layout: _Layout) -> str:
    """Numbered linearization points, each inside its operation's interval and after the
    previous point, joined by a polyline."""
    points: list[tuple[float, float, int, str]] = []
    previous = float("-inf")
    for n, (ident, state) in enumerate(cx.linearized):
        o = cx.op(ident)
        if o is None or o.process not in layout.lanes:
            continue
        x = layout.x
        lo, hi = x(o.start_ns), max(x(o.end_ns), x(o.start_ns) + 6)
        px = min(max(previous + 8, lo + 4), hi - 3)
        previous = px
        py = layout.bar_y(o.process)[0] - 1
        after = "" if state is None else f" → state {_state(state)}"
        points.append((px, py, n + 1, f"#{n + 1} {o.describe()}{after}"))
    if not points:
        return ""
    line = " ".join(f"{px:.1f},{py:.1f}" for px, py, _n, _d in points)
    out = [f'<polyline class="lin-path" points="{line}"/>']
    for px, py, n, detail in points:
        out.append(
            f'<g class="lin-point"><title>{escape(detail)}</title>'
            f'<rect x="{px - 4 - 3.2 * len(str(n)):.1f}" y="{py - 7:.1f}" rx="7"'
            f' width="{8 + 6.4 * len(str(n)):.1f}" height="14"/>'
            f'<text x="{px:.1f}" y="{py + 3.5:.1f}" text-anchor="middle">{n}</text></g>'
        )
    return "".join(out)
