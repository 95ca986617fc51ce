"""Fault windows: when a nemesis fault was (possibly) in effect, read from the history.

The one reading of nemesis events: the checkers attribute faults with it and the
reports shade and list the same windows.

A window opens at the *invocation* of a fault-starting nemesis event and closes at the
*completion* of the matching stop, so the window covers every moment the fault may have
been active. The vocabulary is ours (``nemesis.catalog``: every fault's start and stop
``f``) and Jepsen's:

- ``start-X`` opens ``X``; ``stop-X`` closes ``X``. Our nemesis emits these for every
  fault with a duration: ``start-partition`` / ``stop-partition``, ``start-kill`` /
  ``stop-kill`` (the stop restarts the killed nodes), ``start-pause`` / ``stop-pause``.
- Jepsen's un-prefixed pairs: ``kill`` opens ``kill``, ``start`` closes it; ``pause``
  opens ``pause``, ``resume`` closes it. Nothing else ends a kill period: a bare
  ``restart`` is emitted by no nemesis (ours restarts at ``stop-kill``; ``restart-all``
  is a one-shot fault of its own).
- ``heal`` (or any f starting with ``heal``) closes every open window.
- A nemesis event that ended ``fail`` opens and closes nothing (a failed stop leaves
  the fault in effect). A second opener of an open fault keeps the first window.
- Any other nemesis f (``failover``, ``reshard``, ``restart-all``) is a *one-shot*
  fault: with ``one_shot=True`` it is a window from its invocation to its completion,
  otherwise it is ignored.
- Windows still open at the end of the history close at the last event's time and are
  marked ``open_ended``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from base.op import Op, OpType
from checkers.history.pairing import Attempt, pair_attempts

_CLOSERS: dict[str, str] = {"start": "kill", "resume": "pause"}
_OPENERS: frozenset[str] = frozenset({"kill", "pause"})


@dataclass(frozen=True, slots=True)
class FaultWindow:
    """Fault ``name`` possibly in effect during ``[start_ns, end_ns]``.

    ``asked`` is the opening invocation's value (the fault's name or targets), ``done``
    its completion's value (what was actually done: the grudge, the nodes killed; None
    when it never completed). ``open_ended``: no stop closed it before the history
    ended. ``one_shot``: a fault without a stop (failover, reshard, restart-all)."""

    name: str
    start_ns: int
    end_ns: int
    asked: Any = None
    done: Any = None
    open_ended: bool = False
    one_shot: bool = False

    def overlaps(self, lo_ns: int, hi_ns: int) -> bool:
        return self.start_ns <= hi_ns and lo_ns <= self.end_ns

    def to_json(self) -> dict[str, object]:
        """The form the perf checker lists (``fault``, ``start``, ``end``)."""
        return {"fault": self.name, "start": self.start_ns, "end": self.end_ns}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultWindow:
        """Inverse of :meth:`to_json`. Raises ``ValueError`` for another shape."""
        try:
            return cls(str(data["fault"]), int(data["start"]), int(data["end"]))
        except (KeyError, TypeError) as e:
            raise ValueError(f"not a fault window: {data!r}") from e


def fault_action(f: str) -> tuple[str, str] | None:
    """``("open", name)``, ``("close", name)``, ``("heal", "")`` or None (a one-shot
    fault) for a nemesis f."""
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
    history: Sequence[Op], operations: Sequence[Attempt] | None = None, *, one_shot: bool = False
) -> list[FaultWindow]:
    """Every fault window of ``history`` in opening order (``operations``: its
    :func:`pair_attempts`, when the caller has them). ``one_shot`` adds the one-shot
    faults' windows."""
    ops = pair_attempts(history) if operations is None else operations
    end_of_history = max((op.time_ns for op in history), default=0)
    open_: dict[str, Attempt] = {}
    windows: list[FaultWindow] = []

    def close(opener: Attempt, end_ns: int | None) -> None:
        done = None if opener.completion is None else opener.completion.value
        end = end_of_history if end_ns is None else end_ns
        windows.append(
            FaultWindow(
                _name(opener.f),
                opener.invoke_ns,
                max(end, opener.invoke_ns),
                opener.invoke.value,
                done,
                open_ended=end_ns is None,
                one_shot=fault_action(opener.f) is None,
            )
        )

    for op in ops:
        if op.is_client or op.outcome is OpType.FAIL:
            continue
        action = fault_action(op.f)
        if action is None:
            if one_shot:
                close(op, op.complete_ns)
            continue
        kind, name = action
        closed_at = op.complete_ns
        if kind == "open":
            open_.setdefault(name, op)
        elif kind == "close" and name in open_:
            close(open_.pop(name), end_of_history if closed_at is None else closed_at)
        elif kind == "heal":
            for opener in open_.values():
                close(opener, end_of_history if closed_at is None else closed_at)
            open_.clear()
    for opener in open_.values():
        close(opener, None)
    windows.sort(key=lambda w: w.start_ns)
    return windows


def _name(f: str) -> str:
    """The fault an opener's f names (``start-partition`` -> ``partition``; a one-shot
    fault is named by its f)."""
    action = fault_action(f)
    return f if action is None else action[1]


class FaultIndex:
    """Which faults overlap a time interval, answered without scanning every window."""

    def __init__(self, windows: Sequence[FaultWindow]) -> None:
        self._windows = sorted(windows, key=lambda w: w.start_ns)
        self._starts = [w.start_ns for w in self._windows]
        self._longest = max((w.end_ns - w.start_ns for w in self._windows), default=0)

    def overlapping(self, lo_ns: int, hi_ns: int) -> list[FaultWindow]:
        """The windows overlapping ``[lo_ns, hi_ns]``, in opening order."""
        hi = bisect_right(self._starts, hi_ns)
        lo = bisect_right(self._starts, lo_ns - self._longest - 1)
        return [w for w in self._windows[lo:hi] if w.overlaps(lo_ns, hi_ns)]

    def active(self, lo_ns: int, hi_ns: int) -> list[str]:
        """Names of faults possibly active at some moment of ``[lo_ns, hi_ns]``, sorted."""
        return sorted({w.name for w in self.overlapping(lo_ns, hi_ns)})

    def covers(self, t_ns: int) -> bool:
        """True when some fault was possibly active at ``t_ns``."""
        return bool(self.overlapping(t_ns, t_ns))

    def covered_ns(self) -> int:
        """How long at least one fault was possibly active (overlaps counted once)."""
        total = 0
        reach = -1
        for w in self._windows:
            if w.end_ns > reach:
                total += w.end_ns - max(w.start_ns, reach)
                reach = w.end_ns
        return total
