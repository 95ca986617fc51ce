"""Fault windows: when a nemesis fault was (possibly) in effect, read from the history.

A window opens at the *invocation* of a fault-starting nemesis event and closes at the
*completion* of the matching stop, so the window covers every moment the fault may have
been active. Matching rules (Jepsen's vocabulary, plus generic ones):

- ``start-X`` opens ``X``; ``stop-X`` closes ``X`` (``start-partition`` /
  ``stop-partition``).
- ``kill`` opens ``kill``, ``start`` closes it; ``pause`` opens ``pause``, ``resume``
  closes it.
- ``heal`` (or any f starting with ``heal``) closes every open window.
- Any other nemesis f is ignored. A nemesis event that ended ``fail`` opens nothing.
- Windows still open at the end of the history close at the last event's time.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from base.op import Op, OpType
from checkers.history.pairing import Attempt, pair_attempts

_CLOSERS: dict[str, str] = {"start": "kill", "resume": "pause"}
_OPENERS: frozenset[str] = frozenset({"kill", "pause"})


@dataclass(frozen=True, slots=True)
class FaultWindow:
    """Fault ``name`` possibly in effect during ``[start_ns, end_ns]``."""

    name: str
    start_ns: int
    end_ns: int

    def overlaps(self, lo_ns: int, hi_ns: int) -> bool:
        return self.start_ns <= hi_ns and lo_ns <= self.end_ns

    def to_json(self) -> dict[str, object]:
        return {"fault": self.name, "start": self.start_ns, "end": self.end_ns}


def fault_action(f: str) -> tuple[str, str] | None:
    """``("open", name)``, ``("close", name)``, ``("heal", "")`` or None for a nemesis f."""
    if f in _OPENERS:
        return ("open", f)
    if f in _CLOSERS:
        return ("close", _CLOSERS[f])
    if f.startswith("heal"):
        return ("heal", "")
    if f.startswith("start-") or f.startswith("start_"):
        return ("open", f[6:])
    if f.startswith("stop-") or f.startswith("stop_"):
        return ("close", f[5:])
    return None


def fault_windows(
    history: Sequence[Op], operations: Sequence[Attempt] | None = None
) -> list[FaultWindow]:
    """Every fault window of ``history`` in opening order."""
    ops = pair_attempts(history) if operations is None else operations
    end_of_history = max((op.time_ns for op in history), default=0)
    open_: dict[str, int] = {}
    windows: list[FaultWindow] = []
    for op in ops:
        if op.is_client or op.outcome is OpType.FAIL:
            continue
        action = fault_action(op.f)
        if action is None:
            continue
        kind, name = action
        closed_at = op.complete_ns if op.complete_ns is not None else end_of_history
        if kind == "open":
            open_.setdefault(name, op.invoke_ns)
        elif kind == "close" and name in open_:
            windows.append(FaultWindow(name, open_.pop(name), closed_at))
        elif kind == "heal":
            for n, start in open_.items():
                windows.append(FaultWindow(n, start, closed_at))
            open_.clear()
    for n, start in open_.items():
        windows.append(FaultWindow(n, start, end_of_history))
    windows.sort(key=lambda w: w.start_ns)
    return windows


class FaultIndex:
    """Which faults overlap a time interval, answered without scanning every window."""

    def __init__(self, windows: Sequence[FaultWindow]) -> None:
        self._windows = sorted(windows, key=lambda w: w.start_ns)
        self._starts = [w.start_ns for w in self._windows]
        self._longest = max((w.end_ns - w.start_ns for w in self._windows), default=0)

    def active(self, lo_ns: int, hi_ns: int) -> list[str]:
        """Names of faults possibly active at some moment of ``[lo_ns, hi_ns]``, sorted."""
        hi = bisect_right(self._starts, hi_ns)
        lo = bisect_right(self._starts, lo_ns - self._longest - 1)
        return sorted({w.name for w in self._windows[lo:hi] if w.overlaps(lo_ns, hi_ns)})
