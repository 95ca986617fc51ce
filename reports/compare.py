"""``harness compare``'s table: two runs side by side, row by row, and a last column
saying where they differ. Pure; :mod:`harness.commands.compare` reads the run folders.

Each run is read through the checkers' own types: :class:`RunResults` for the verdicts
and set-full's counts, :class:`checkers.loss_windows.LossWindow` for
``lost_writes.windows`` and :class:`checkers.availability.FaultAvailability` for
``availability.faults`` in results.json (``n/a`` when a run has none), and the report's
:func:`reports.perf.latency_table` rows for the latency quantiles (``n/a`` without a
history).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from checkers.availability import FaultAvailability
from checkers.loss_windows import LossWindow
from checkers.results.fields import mapping
from checkers.results.run import RunResults
from checkers.results.setfull import SetCounts
from reports.changes import lost_rate, rate_changed, rate_text
from reports.perf import LatencyRow, quantile_labels

NA = "n/a"
"""A figure the run did not record (no set workload, no loss windows, no history)."""
ABSENT = "—"
"""A fault period (or operation kind) one run has and the other has not."""
DIFFERS = "differs"

T = TypeVar("T")

LATENCY_LABELS = ("p50", "p95", "p99")
"""The latency quantiles compared, by their labels in :func:`reports.perf.quantile_labels`."""


@dataclass(frozen=True)
class ComparedRun:
    """One side of the comparison. ``loss_windows`` / ``availability`` / ``latency`` are
    None when the run did not record them."""

    label: str
    test: Mapping[str, Any]
    results: RunResults
    loss_windows: tuple[LossWindow, ...] | None
    availability: tuple[FaultAvailability, ...] | None
    latency: tuple[LatencyRow, ...] | None

    @classmethod
    def from_json(
        cls,
        label: str,
        test: Mapping[str, Any],
        results: object,
        latency: Sequence[LatencyRow] | None = None,
    ) -> ComparedRun:
        """From test.json's and results.json's objects; raises ``ValueError`` naming what
        in results.json is not of its type."""
        data = mapping(results, "results")
        try:
            parsed = RunResults.from_json(data)
            parsed.set_full()  # a bad set-full result is an error here, not later
        except (KeyError, TypeError) as e:
            raise ValueError(f"results: {type(e).__name__}: {e}") from e
        lost = data.get("lost_writes")
        windows = None if not isinstance(lost, Mapping) else lost.get("windows")
        periods = data.get("availability")
        if isinstance(periods, Mapping):  # {"shards": {...}, "faults": [...]}
            periods = periods.get("faults", [])
        return cls(
            label,
            test,
            parsed,
            _listed(windows, "lost_writes.windows", LossWindow.from_json),
            _listed(periods, "availability", FaultAvailability.from_json),
            None if latency is None else tuple(latency),
        )


def _listed(value: Any, what: str, read: Callable[[dict[str, Any]], T]) -> tuple[T, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        raise ValueError(f"results: {what}: expected a list, got {type(value).__name__}")
    try:
        return tuple(read(dict(mapping(item, what))) for item in value)
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"results: {what}: {type(e).__name__}: {e}") from e


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: what, run A's value, run B's, and ``note`` (empty when the
    two agree, else ``differs`` and by how much)."""

    label: str
    a: str
    b: str
    note: str = ""

    @property
    def differs(self) -> bool:
        return bool(self.note)


def compare(a: ComparedRun, b: ComparedRun) -> list[Row]:
    """Every row, in reading order: the runs, verdicts, lost writes, loss windows,
    availability, latency."""
    rows = [Row("run", a.label, b.label)]
    for name in ("name", "db", "workload", "nemesis", "seed"):
        rows.append(_text("test" if name == "name" else name, _field(a, name), _field(b, name)))
    rows += _verdicts(a, b) + _lost(a, b) + _windows(a, b) + _availability(a, b)
    rows += _latency(a, b)
    return rows


def _field(run: ComparedRun, name: str) -> str | None:
    value = run.test.get(name)
    if name == "seed" and value is None:
        value = run.results.extra.get("seed")
    if value is None:
        return None
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _text(label: str, a: str | None, b: str | None) -> Row:
    va, vb = NA if a is None else a, NA if b is None else b
    return Row(label, va, vb, "" if va == vb else DIFFERS)


def _count(label: str, a: int | None, b: int | None) -> Row:
    if a is None or b is None or a == b:
        return _text(label, _int(a), _int(b))
    return Row(label, _int(a), _int(b), f"{DIFFERS} ({b - a:+,})")


def _int(value: int | None) -> str:
    return NA if value is None else f"{value:,}"


def _verdicts(a: ComparedRun, b: ComparedRun) -> list[Row]:
    rows = [_text("verdict", a.results.verdict.value, b.results.verdict.value)]
    names = list(a.results.checkers) + [
        n for n in b.results.checkers if n not in a.results.checkers
    ]
    for name in names:
        ra, rb = a.results.checkers.get(name), b.results.checkers.get(name)
        rows.append(
            _text(
                f"verdict {name}",
                ABSENT if ra is None else ra.verdict.value,
                ABSENT if rb is None else rb.verdict.value,
            )
        )
    return rows


def _counts(run: ComparedRun) -> tuple[SetCounts | None, Mapping[str, SetCounts]]:
    found = run.results.set_full()
    return (None, {}) if found is None else (found.counts, found.by_acks)


def _lost(a: ComparedRun, b: ComparedRun) -> list[Row]:
    (ca, by_a), (cb, by_b) = _counts(a), _counts(b)
    rows = [
        _count("acknowledged writes", _get(ca, "acknowledged"), _get(cb, "acknowledged")),
        _count("lost writes", _get(ca, "lost"), _get(cb, "lost")),
        _rate_row(ca, cb),
    ]
    levels = sorted(set(by_a) | set(by_b), key=_level_order)
    for level in levels:
        rows.append(
            _text(
                f"WAIT {level}: lost / acknowledged",
                _lost_of(by_a.get(level), ca),
                _lost_of(by_b.get(level), cb),
            )
        )
    return rows


def _get(counts: SetCounts | None, name: str) -> int | None:
    return None if counts is None else int(getattr(counts, name))


def _rate(counts: SetCounts | None) -> float | None:
    return None if counts is None else lost_rate(counts.lost, counts.acknowledged)


def _rate_row(a: SetCounts | None, b: SetCounts | None) -> Row:
    """The lost rate; a difference the store index would mark
    (:func:`reports.changes.rate_changed`) says ``changed``."""
    ra, rb = _rate(a), _rate(b)
    row = _text(
        "lost rate (lost / acknowledged)",
        None if a is None else rate_text(ra),
        None if b is None else rate_text(rb),
    )
    if not row.differs or ra is None or rb is None:
        return row
    word = "changed" if rate_changed(ra, rb) else DIFFERS
    ratio = f"B/A {rb / ra:.2f}" if ra and rb else f"{rate_text(ra)} → {rate_text(rb)}"
    return Row(row.label, row.a, row.b, f"{word} ({ratio})")


def _lost_of(level: SetCounts | None, overall: SetCounts | None) -> str:
    if overall is None:
        return NA
    if level is None:
        return ABSENT
    return f"{level.lost:,} / {level.acknowledged:,}"


def _level_order(level: str) -> tuple[int, str]:
    return (int(level), "") if level.isdigit() else (-1, level)


def _periods(
    a: tuple[T, ...] | None, b: tuple[T, ...] | None
) -> list[tuple[int, T | None, T | None]]:
    """Fault periods paired by position (the same seed schedules the same faults)."""
    n = max(len(a or ()), len(b or ()))
    return [(i + 1, _at(a, i), _at(b, i)) for i in range(n)]


def _at(items: tuple[T, ...] | None, i: int) -> T | None:
    return None if items is None or i >= len(items) else items[i]


def _side(items: tuple[T, ...] | None, item: T | None, show: Callable[[T], str]) -> str:
    if items is None:
        return NA
    return ABSENT if item is None else show(item)


def _windows(a: ComparedRun, b: ComparedRun) -> list[Row]:
    label = "loss window {}: first / last / p50 after fault start"
    if a.loss_windows is None and b.loss_windows is None:
        return [_text(label.format("(all)"), None, None)]
    if not a.loss_windows and not b.loss_windows:
        return [_text(label.format("(all)"), _none(a.loss_windows), _none(b.loss_windows))]
    return [
        _text(
            label.format(i),
            _side(a.loss_windows, wa, _window_text),
            _side(b.loss_windows, wb, _window_text),
        )
        for i, wa, wb in _periods(a.loss_windows, b.loss_windows)
    ]


def _none(items: tuple[Any, ...] | None) -> str:
    return NA if items is None else "none"


def _window_text(w: LossWindow) -> str:
    writes = "write" if w.count == 1 else "writes"
    return (
        f"{w.fault}: {w.first_s:+.2f} s / {w.last_s:+.2f} s / {w.p50_s:+.2f} s"
        f" ({w.count:,} {writes})"
    )


def _availability(a: ComparedRun, b: ComparedRun) -> list[Row]:
    outage = "availability {}: longest outage"
    heal = "availability {}: heal → all shards answering"
    if a.availability is None and b.availability is None:
        return [_text(outage.format("(all)"), None, None), _text(heal.format("(all)"), None, None)]
    if not a.availability and not b.availability:
        return [_text(outage.format("(all)"), _none(a.availability), _none(b.availability))]
    rows: list[Row] = []
    for i, pa, pb in _periods(a.availability, b.availability):
        rows.append(
            _text(
                outage.format(i),
                _side(a.availability, pa, _outage_text),
                _side(b.availability, pb, _outage_text),
            )
        )
        rows.append(
            _text(
                heal.format(i),
                _side(a.availability, pa, _heal_text),
                _side(b.availability, pb, _heal_text),
            )
        )
    return rows


def _outage_text(p: FaultAvailability) -> str:
    if not p.outages:
        return f"{p.fault}: none"
    worst = max(p.outages, key=lambda o: (o.seconds, o.shard))
    more = "" if worst.recovered else ", not recovered"
    return f"{p.fault}: {worst.seconds:.2f} s (shard {worst.shard}{more})"


def _heal_text(p: FaultAvailability) -> str:
    s = p.recovery_after_heal_s
    return "never" if s is None else f"{s:.2f} s"


def _latency(a: ComparedRun, b: ComparedRun) -> list[Row]:
    label = "latency {} ok ms: " + " / ".join(LATENCY_LABELS)
    if a.latency is None and b.latency is None:
        return [_text(label.format("(all)"), None, None)]
    by_a = {r.f: r for r in a.latency or ()}
    by_b = {r.f: r for r in b.latency or ()}
    rows = []
    for f in sorted(set(by_a) | set(by_b)):
        qa = _quantiles(a.latency, by_a.get(f))
        qb = _quantiles(b.latency, by_b.get(f))
        va, vb = _qtext(a.latency, qa), _qtext(b.latency, qb)
        note = "" if va == vb else DIFFERS
        if note and qa and qb and qa[-1] > 0:
            note += f" ({LATENCY_LABELS[-1]} B/A {qb[-1] / qa[-1]:.2f})"
        rows.append(Row(label.format(f), va, vb, note))
    return rows


def _quantiles(
    rows: tuple[LatencyRow, ...] | None, row: LatencyRow | None
) -> tuple[float, ...] | None:
    """The :data:`LATENCY_LABELS` quantiles of ``row`` (None: no row, or no ok operation)."""
    if rows is None or row is None or not row.quantiles_ms:
        return None
    labels = quantile_labels()
    return tuple(row.quantiles_ms[labels.index(name)] for name in LATENCY_LABELS)


def _qtext(rows: tuple[LatencyRow, ...] | None, q: tuple[float, ...] | None) -> str:
    if rows is None:
        return NA
    if q is None:
        return ABSENT
    return " / ".join(f"{v:,.2f}" for v in q)


def differing(rows: Sequence[Row]) -> list[str]:
    """The labels of the rows that differ (the run row never counts)."""
    return [r.label for r in rows[1:] if r.differs]


def render_markdown(rows: Sequence[Row], title: str | None = None) -> str:
    """The table as Markdown, columns padded so that it also reads as plain text."""
    head = ["", "A", "B", "differs"]
    cells = [head] + [[_cell(c) for c in (r.label, r.a, r.b, r.note)] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(4)]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    found = differing(rows)
    verdict = "The runs agree on every row." if not found else f"{len(found)} row(s) differ."
    top = [f"# {title}", ""] if title else []
    return "\n".join([*top, *lines, "", verdict, ""])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
