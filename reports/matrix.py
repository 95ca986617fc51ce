"""The outcome of a ``harness test-all`` matrix as its reports consume it, and its
summary.md: one row per test (number, name, seed, verdict, lost / acknowledged writes,
the run folder and the command that reproduces it), then the tests that were not run.
Pure: :mod:`harness.test_all` reads the run folders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

NOT_RUN: Final = "not run"
STATUSES: Final = ("valid", "invalid", "unknown", "crashed", NOT_RUN)
"""A test's status: a verdict, ``crashed`` (the run exited 254/255 or left no
results.json), or :data:`NOT_RUN` (time budget, interrupted matrix)."""


@dataclass(frozen=True, slots=True)
class MatrixEntry:
    """One test of the matrix. ``run`` is its run folder relative to the store (None
    when it made none), ``results_xml`` that folder's results.xml text (None when
    missing), ``reason`` why it crashed or was not run."""

    number: int
    name: str
    seed: int
    status: str
    reproduce: str
    run: str | None = None
    lost: int | None = None
    acknowledged: int | None = None
    duration_s: float | None = None
    exit_code: int | None = None
    reason: str = ""
    results_xml: str | None = None


def counts(entries: Sequence[MatrixEntry]) -> dict[str, int]:
    """Status -> number of tests, every status of :data:`STATUSES` present."""
    out = dict.fromkeys(STATUSES, 0)
    for e in entries:
        out[e.status] = out.get(e.status, 0) + 1
    return out


def render_matrix_summary(entries: Sequence[MatrixEntry], title: str) -> str:
    """summary.md of a matrix: the counts, the table of the tests that ran, the list of
    those that did not."""
    ran = [e for e in entries if e.status != NOT_RUN]
    skipped = [e for e in entries if e.status == NOT_RUN]
    tally = ", ".join(f"{n} {status}" for status, n in counts(entries).items() if n)
    lines = [f"# {title}", "", f"{len(entries)} tests: {tally or 'none'}.", ""]
    if ran:
        lines += [
            "| # | test | seed | verdict | lost / acknowledged | time | run folder | reproduce |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for e in ran:
            verdict = e.status + (f" ({_cell(e.reason)})" if e.reason else "")
            cells = [
                str(e.number),
                _cell(e.name),
                str(e.seed),
                verdict,
                _lost(e),
                "" if e.duration_s is None else f"{e.duration_s:.0f} s",
                _cell(e.run or "(none)"),
                f"`{_cell(e.reproduce)}`",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if skipped:
        lines += ["## Not run", ""]
        lines += [f"- #{e.number} {e.name} (seed {e.seed}): {e.reason}" for e in skipped]
        lines.append("")
    return "\n".join(lines)


def _lost(e: MatrixEntry) -> str:
    if e.lost is None and e.acknowledged is None:
        return "-"
    return (
        f"{'?' if e.lost is None else e.lost} / {'?' if e.acknowledged is None else e.acknowledged}"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
