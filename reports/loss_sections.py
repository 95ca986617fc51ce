"""The report's "when were writes lost" and "availability per shard" sections: the loss
windows of results.json (:class:`checkers.results.loss.LossFindings`) with an inline SVG
histogram of every lost write against the time since its fault began, the node timeout
marked; and the outages per fault period and shard
(:class:`checkers.results.loss.AvailabilityFindings`) as a table. Pure; the SVG is
drawn here (the report is self-contained: no external assets)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from checkers.availability import FaultAvailability, ShardOutage
from checkers.faults import FaultWindow
from checkers.loss_windows import histogram
from checkers.results.loss import AvailabilityFindings, LossFindings
from checkers.results.setfull import LostWrite
from reports.sections import h, section, table

BIN_CHOICES_S = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
"""Histogram bin widths, the narrowest giving at most :data:`MAX_BINS` bins is used."""
MAX_BINS = 60
WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 18, 36


def bin_width_s(lost: Sequence[LostWrite], windows: Sequence[FaultWindow]) -> float:
    """The narrowest :data:`BIN_CHOICES_S` width that draws every lost write in at most
    :data:`MAX_BINS` bins."""
    for width in BIN_CHOICES_S:
        if len(histogram(lost, windows, width)) <= MAX_BINS:
            return width
    return BIN_CHOICES_S[-1]


def histogram_svg(bins: Sequence[tuple[float, int]], bin_s: float, timeout_ms: int | None) -> str:
    """Bars of lost writes per ``bin_s`` seconds since the fault began (``bins`` as
    :func:`checkers.loss_windows.histogram` gives them); the node timeout a dashed line."""
    timeout_s = None if timeout_ms is None else timeout_ms / 1000
    lo = min(0.0, bins[0][0])
    hi = max(bins[-1][0] + bin_s, 0.0 if timeout_s is None else timeout_s * 1.1)
    top = max(c for _, c in bins)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: float) -> float:
        return LEFT + (t - lo) / (hi - lo) * plot_w

    def y(n: float) -> float:
        return TOP + plot_h - n / top * plot_h

    parts = [
        f'<svg id="loss-histogram" class="loss-histogram" xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img"'
        f' aria-label="lost writes against seconds since the fault began"'
        f' data-bins="{len(bins)}" data-total="{sum(c for _, c in bins)}">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"'
        ' stroke="#555"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#555"/>',
    ]
    for start, count in bins:
        if not count:
            continue
        x0, x1 = x(start), x(start + bin_s)
        bar_w = max(1.0, x1 - x0 - 1)
        parts.append(
            f'<rect class="loss-bin" x="{x0:.1f}" y="{y(count):.1f}" width="{bar_w:.1f}"'
            f' height="{TOP + plot_h - y(count):.1f}" fill="#c0392b" data-start="{start:g}"'
            f' data-count="{count}"><title>{count:,} lost, acknowledged +{start:.2f} s to'
            f" +{start + bin_s:.2f} s after the fault began</title></rect>"
        )
    step = _tick_step(hi - lo)
    digits = 2 if step < 0.5 else 1 if step < 1 else 0
    for k in range(math.ceil(lo / step), math.floor(hi / step + 1e-9) + 1):
        t = k * step
        parts.append(
            f'<text x="{x(t):.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="11"'
            f' text-anchor="middle">{t:+.{digits}f} s</text>'
        )
    parts.append(
        f'<text x="{LEFT - 6}" y="{TOP + 4}" font-size="11" text-anchor="end">{top:,}</text>'
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" font-size="11" text-anchor="end">0</text>'
        f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 4}" font-size="11"'
        ' text-anchor="middle">acknowledged, seconds after the fault began</text>'
    )
    if timeout_s is not None:
        tx = x(timeout_s)
        parts.append(
            f'<line id="node-timeout" class="node-timeout" x1="{tx:.1f}" y1="{TOP - 4}"'
            f' x2="{tx:.1f}" y2="{TOP + plot_h}" stroke="#2c3e50" stroke-dasharray="5,4"'
            f' data-ms="{timeout_ms}"/>'
            f'<text x="{tx + 4:.1f}" y="{TOP + 8}" font-size="11" fill="#2c3e50">'
            f"node timeout {timeout_s:.2f} s</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _tick_step(span_s: float) -> float:
    for step in (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0):
        if span_s / step <= 12:
            return step
    return 120.0


def loss_windows(
    loss: LossFindings | None,
    every_lost: Sequence[LostWrite] | None,
    sample: Sequence[LostWrite],
    faults: Sequence[FaultWindow],
) -> str:
    """The section: the summary line, one row per window, the histogram of every lost
    write (``every_lost``, lost.jsonl; else results.json's ``sample``, said so)."""
    if loss is None:
        return ""
    body = [f'<p id="loss-summary" class="loss-summary">{h(loss.summary())}.</p>']
    if loss.windows:
        rows = [
            [
                h(w.fault),
                "—" if w.fault_start_ns is None else f"{w.fault_start_ns / 1e9:,.2f} s",
                f"{w.count:,}",
                f"{w.first_s:+.2f} s",
                f"{w.p50_s:+.2f} s",
                f"{w.last_s:+.2f} s",
                h(", ".join(f"{n} ({c:,})" for n, c in w.nodes)),
            ]
            for w in loss.windows
        ]
        body.append(
            table(
                ["fault", "began", "lost", "first", "p50", "last", "acknowledged by"],
                rows,
                "loss-windows",
            )
        )
    if loss.by_wait:
        policy = loss.fsync or "not recorded"
        rows = [
            [h(policy), h("no WAIT" if level == "none" else f"WAIT acks = {level}"), f"{n:,}"]
            for level, n in loss.by_wait.items()
        ]
        body.append(
            "<h3>Lost writes by fsync policy and WAIT level</h3>"
            + table(["appendfsync", "WAIT level", "lost"], rows, "loss-by-fsync")
        )
    writes = every_lost if every_lost is not None else sample
    width = bin_width_s(writes, faults)
    bins = histogram(writes, faults, width)
    if bins:
        body.append(
            f"<h3>Lost writes per {width:g} s, by acknowledgement time since their fault"
            " began</h3>" + histogram_svg(bins, width, loss.node_timeout_ms)
        )
        if every_lost is None:
            body.append(
                f'<p class="note">Drawn from the {len(sample):,} lost writes results.json'
                " lists: the run folder has no file of every lost write.</p>"
            )
    return section("loss-windows", "When the writes were lost", "".join(body))


def _outage_cells(period: FaultAvailability, outage: ShardOutage) -> list[str]:
    if outage.first_failure_ns is None:
        return ["—", "no outage", "—", "0", "0"]
    after = (outage.first_failure_ns - period.start_ns) / 1e9
    how_long = f"{outage.seconds:,.2f} s"
    return [
        f"{after:+.2f} s",
        how_long,
        "yes" if outage.recovered else "not before the writes ended",
        f"{outage.failed:,}",
        f"{outage.timed_out:,}",
    ]


def availability(avail: AvailabilityFindings | None) -> str:
    """The section: per fault period and shard, when writes began to fail after the
    fault began and how long until one succeeded again; per period, how long after the
    heal every shard answered."""
    if avail is None:
        return ""
    if not avail.faults:
        body = '<p class="note" id="no-outage">No fault was injected: no outage to measure.</p>'
        return section("availability", "Availability per shard", body)
    rows: list[list[str]] = []
    for period in avail.faults:
        if not period.written_after_heal:
            heal = "no write after the heal"
        elif period.recovery_after_heal_s is None:
            heal = "some shard never answered"
        else:
            heal = f"{period.recovery_after_heal_s:,.2f} s"
        for outage in period.outages:
            slots = avail.shards.get(outage.shard, "")
            rows.append(
                [
                    h(period.fault),
                    f"{period.start_ns / 1e9:,.2f} s",
                    h(f"{outage.shard} ({slots})" if slots else outage.shard),
                    *_outage_cells(period, outage),
                    heal,
                ]
            )
    headers = ["fault", "began", "shard (slots)", "writes failing from", "outage",
               "recovered", "failed", "timed out", "heal to every shard answering"]  # fmt: skip
    body = (
        '<p class="hint">An outage runs from the first write to the shard that failed or'
        " timed out after the fault began to the first write after it that succeeded.</p>"
        + table(headers, rows, "availability-table")
    )
    return section("availability", "Availability per shard", body)
