"""What counts as a change between two runs of one test: the verdict, and the lost-write
rate (lost / acknowledged). Pure; the store index (:mod:`reports.index`) marks a run
with these descriptions, and ``harness compare`` (:mod:`reports.compare`) shows the
rate the same way.
"""

from __future__ import annotations

RATE_FACTOR = 2.0
"""Lost-write rates count as changed when one is zero and the other is not, or when the
larger is at least this many times the smaller. Lost writes under a fault vary from run
to run by chance; a rate that doubles (or appears) is worth a look, a few per cent more
is not."""


def lost_rate(lost: int | None, acknowledged: int | None) -> float | None:
    """``lost / acknowledged``; None when either is unknown or nothing was acknowledged."""
    if lost is None or acknowledged is None or acknowledged <= 0:
        return None
    return lost / acknowledged


def rate_text(rate: float | None) -> str:
    """``0%``, ``1.23%``, ``0.00417%`` (three significant digits); ``n/a`` for None."""
    if rate is None:
        return "n/a"
    if rate == 0:
        return "0%"
    return f"{100 * rate:.3g}%"


def rate_changed(before: float | None, after: float | None) -> bool:
    """Whether two lost-write rates differ by :data:`RATE_FACTOR`'s rule (an unknown rate
    changes nothing)."""
    if before is None or after is None:
        return False
    if (before == 0) != (after == 0):
        return True
    if before == 0:
        return False
    return max(before, after) / min(before, after) >= RATE_FACTOR


def describe_change(
    before_verdict: str, before_rate: float | None, verdict: str, rate: float | None
) -> tuple[str, ...]:
    """What changed from the previous run to this one, in words (empty: nothing):
    ``verdict valid → invalid``, ``lost rate 0% → 1.2%``."""
    out: list[str] = []
    if before_verdict != verdict:
        out.append(f"verdict {before_verdict} → {verdict}")
    if rate_changed(before_rate, rate):
        out.append(f"lost rate {rate_text(before_rate)} → {rate_text(rate)}")
    return tuple(out)
