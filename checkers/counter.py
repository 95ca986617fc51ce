"""Counter bounds (Jepsen's counter checker), per key.

History shape: ``f="add"`` with an integer delta, ``f="read"`` whose ``ok`` completion
carries the counter's value (``null`` reads as 0, a missing Redis key). For every read:

- *lower* = the adds acknowledged before the read began, plus every negative delta
  that may have applied by the time it ended;
- *upper* = the adds acknowledged before the read began, plus every positive delta
  that may have applied by the time it ended (``ok`` or ``info``, invoked before the
  read completed; failed adds never apply).

With only positive deltas this is Jepsen's rule: between the sum of acknowledged adds
completed before the read and the sum of all attempted adds. A read outside its bounds
makes the history invalid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from base.op import Op, OpType
from checkers.history.errors import HistoryShapeError
from checkers.history.pairing import NEVER, Attempt, pair_attempts
from checkers.results.figures import COUNTER, Bounds, BoundsError, CounterResult
from checkers.verdict import CheckResult, Verdict


@dataclass(slots=True)
class _Sums:
    definite: int = 0
    definite_pos: int = 0
    definite_neg: int = 0
    possible_pos: int = 0
    possible_neg: int = 0


def _delta(op: Attempt) -> int:
    v = op.invoke.value
    if isinstance(v, bool) or not isinstance(v, int):
        index = op.invoke.index if op.invoke.index >= 0 else op.invoke_pos
        raise HistoryShapeError(index, f"add delta is not an integer: {v!r}")
    return v


class CounterChecker:
    """Every read of a key lies within the bounds its concurrent adds allow."""

    name = COUNTER

    def __init__(self, *, add_f: str = "add", read_f: str = "read", max_listed: int = 100):
        self.add_f = add_f
        self.read_f = read_f
        self.max_listed = max_listed

    def check(self, history: Sequence[Op]) -> CheckResult:
        """A history it cannot judge (a delta or read that is not an integer) is
        ``unknown``, with the event named in the reason."""
        try:
            return self._check(history)
        except HistoryShapeError as e:
            return CheckResult(self.name, Verdict.UNKNOWN, f"bad history: {e}")

    def _check(self, history: Sequence[Op]) -> CheckResult:
        # (position, order at that position, kind, attempt); completions sort before
        # invocations at one position so a zero-length op is seen whole.
        events: dict[Any, list[tuple[int, int, str, Attempt]]] = defaultdict(list)
        for op in pair_attempts(history):
            if not op.is_client or op.outcome is OpType.FAIL:
                continue
            if op.f == self.add_f:
                events[op.key].append((op.invoke_pos, 1, "add", op))
                if op.is_ok:
                    events[op.key].append((op.complete_pos, 0, "added", op))
            elif op.f == self.read_f and op.is_ok:
                events[op.key].append((op.invoke_pos, 1, "read", op))
                events[op.key].append((op.complete_pos, 0, "read_done", op))
        errors: list[BoundsError] = []
        error_count = reads = 0
        finals: dict[str, Bounds] = {}
        for key, evs in events.items():
            evs.sort(key=lambda e: (e[0], e[1]))
            sums = _Sums()
            started: dict[int, tuple[int, int, int]] = {}
            for _, _, kind, op in evs:
                if kind == "add":
                    d = _delta(op)
                    if d >= 0:
                        sums.possible_pos += d
                    else:
                        sums.possible_neg += d
                elif kind == "added":
                    d = _delta(op)
                    sums.definite += d
                    if d >= 0:
                        sums.definite_pos += d
                    else:
                        sums.definite_neg += d
                elif kind == "read":
                    started[op.invoke_pos] = (sums.definite, sums.definite_pos, sums.definite_neg)
                else:
                    reads += 1
                    d0, dpos0, dneg0 = started.pop(op.invoke_pos)
                    lower = d0 + (sums.possible_neg - dneg0)
                    upper = d0 + (sums.possible_pos - dpos0)
                    value = 0 if op.value is None else op.value
                    if isinstance(value, bool) or not isinstance(value, int):
                        index = op.invoke.index if op.invoke.index >= 0 else op.invoke_pos
                        raise HistoryShapeError(index, f"read value is not an integer: {value!r}")
                    finals[str(key)] = Bounds(value, lower, upper)
                    if not lower <= value <= upper:
                        error_count += 1
                        if len(errors) < self.max_listed:
                            errors.append(_error(op, key, value, lower, upper))
        details = CounterResult(reads, error_count, tuple(errors), finals).to_json()
        if error_count:
            reason = f"{error_count} read(s) outside their bounds"
            return CheckResult(self.name, Verdict.INVALID, reason, details)
        return CheckResult(self.name, Verdict.VALID, None, details)


def _error(op: Attempt, key: Any, value: int, lower: int, upper: int) -> BoundsError:
    return BoundsError(
        index=op.invoke.index if op.invoke.index >= 0 else op.invoke_pos,
        key=key,
        value=value,
        lower=lower,
        upper=upper,
        invoke_ns=op.invoke_ns,
        complete_ns=op.complete_ns if op.complete_pos != NEVER else None,
    )
