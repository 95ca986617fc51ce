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
LEFT = 110
BAR_H = 22


def _ms(ns: int | None) -> str:
    return "never (info)" if ns is None else f"{ns / 1e6:.3f} ms"


def _state(state: Any) -> str:
    return "nil" if state is None else json.dumps(state, default=str)


@dataclass(frozen=True)
class _Layout:
    x: Callable[[int | None], float]
    lane: dict[Any, int]
    order: dict[str, int]
    state_after: dict[str, Any]
    failed: set[str]


def render_svg(cx: Counterexample) -> str:
    """The counterexample as an inline ``<svg>`` element."""
    ops = list(cx.ops)
    if not ops:
        return '<p class="note">The explanation lists no operations to draw.</p>'
    events = sorted({t for o in ops for t in (o.start_ns, o.end_ns) if t is not None})
    rank = {t: i for i, t in enumerate(events)}
    steps = len(events) + 1
    step = (WIDTH - LEFT - 20) / steps
    right_edge = LEFT + steps * step

    def x(t: int | None) -> float:
        return right_edge if t is None else LEFT + (rank[t] + 0.5) * step

    processes: list[Any] = []
    for o in ops:
        if o.process not in processes:
            processes.append(o.process)
    lane = {p: i for i, p in enumerate(processes)}
    height = TOP + len(processes) * LANE_H + 30
    layout = _Layout(
        x=x,
        lane=lane,
        order={ident: n for n, (ident, _state) in enumerate(cx.linearized)},
        state_after=dict(cx.linearized),
        failed=set(cx.failed),
    )
    parts = [
        f'<svg class="lin-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" role="img" aria-label="linearizability counterexample">'
    ]
    for p, i in lane.items():
        y = TOP + i * LANE_H
        parts.append(
            f'<line class="lane" x1="{LEFT}" y1="{y + LANE_H / 2}" x2="{right_edge}"'
            f' y2="{y + LANE_H / 2}"/>'
            f'<text class="lane-label" x="{LEFT - 8}" y="{y + LANE_H / 2 + 4}"'
            f' text-anchor="end">process {escape(str(p))}</text>'
        )
    for o in ops:
        parts.append(_bar(o, layout, cx))
    parts.append(_path(cx, x, lane))
    parts.append(
        f'<text class="axis-note" x="{LEFT}" y="{height - 8}">time → (compressed to event'
        " order; hover an operation for its times and the model state)</text></svg>"
    )
    return "".join(parts)


def _bar(o: LinOp, layout: _Layout, cx: Counterexample) -> str:
    x, lane, order, failed = layout.x, layout.lane, layout.order, layout.failed
    state_after = layout.state_after
    x1, x2 = x(o.start_ns), x(o.end_ns)
    x2 = max(x2, x1 + 6)
    y = TOP + lane[o.process] * LANE_H + (LANE_H - BAR_H) / 2
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
        lines.append(
            f"linearized #{order[o.id] + 1}; model state after: {_state(state_after[o.id])}"
        )
    else:
        lines.append("not in the longest partial linearization")
    detail = "\n".join(lines)
    dash = ' stroke-dasharray="4 3"' if o.end_ns is None else ""
    label = escape(o.describe())
    width = x2 - x1
    text = (
        f'<text class="op-label" x="{x1 + 4:.1f}" y="{y + BAR_H / 2 + 4:.1f}">{label}</text>'
        if width > 7 * min(len(o.describe()), 4)
        else ""
    )
    marker = ""
    if o.id in failed:
        marker = (
            f'<text class="failed-label" x="{x1:.1f}" y="{y - 3:.1f}">✗ cannot be linearized</text>'
        )
    return (
        f'<g class="{" ".join(classes)}" data-op="{escape(o.id)}"'
        f' data-detail="{escape(detail)}"><title>{escape(detail)}</title>'
        f'<rect x="{x1:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR_H}" rx="3"{dash}/>'
        f"{text}{marker}</g>"
    )


def _path(cx: Counterexample, x: Any, lane: dict[Any, int]) -> str:
    """Numbered linearization points, each inside its operation's interval and after the
    previous point, joined by a polyline."""
    points: list[tuple[float, float, int, str]] = []
    previous = float("-inf")
    for n, (ident, state) in enumerate(cx.linearized):
        o = cx.op(ident)
        if o is None or o.process not in lane:
            continue
        lo, hi = x(o.start_ns), max(x(o.end_ns), x(o.start_ns) + 6)
        px = min(max(previous + 8, lo + 4), hi - 3)
        previous = px
        py = TOP + lane[o.process] * LANE_H + (LANE_H - BAR_H) / 2 - 1
        points.append((px, py, n + 1, f"#{n + 1} {o.describe()} → state {_state(state)}"))
    if not points:
        return ""
    line = " ".join(f"{px:.1f},{py:.1f}" for px, py, _n, _d in points)
    out = [f'<polyline class="lin-path" points="{line}"/>']
    for px, py, n, detail in points:
        out.append(
            f'<g class="lin-point"><title>{escape(detail)}</title>'
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="7"/>'
            f'<text x="{px:.1f}" y="{py + 3.5:.1f}" text-anchor="middle">{n}</text></g>'
        )
    return "".join(out)
