"""Cheap, sound refutations of register histories (``Model.refute``), found in O(n log n)
before the full search (after its short head start, ``checkers.linear.schedule``).

Both look at a completed read of a value ``v`` and the operations that could have put
``v`` in the register (its *suppliers*: writes of ``v`` and cas operations to ``v`` that
completed ``ok`` or never completed, invoked before the read completed; for nil also the
initial state, which is "complete" before every event):

- *unwritten read*: ``v`` is not nil and it has no supplier at all.
- *overwritten read*: every supplier completed before some completed write or cas of
  another value was invoked, and that one completed before the read was invoked. In
  every linearization that write then lies between the last supplier and the read, and
  nothing after it can put ``v`` back. (A supplier that never completed may take effect
  at any later time, so it rules this proof out.)

A refutation names the read and is cut at its completion (``Refutation.cut``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Mapping, Sequence
from operator import itemgetter
from typing import Any

from base.op import OpType
from checkers.history.pairing import Operation
from checkers.linear.model import Refutation, freeze

_NEVER = 1 << 62
_MALFORMED: Any = object()


def refute_register(
    ops: Sequence[Operation], reads: Collection[str], writes: Collection[str]
) -> Refutation | None:
    """The earliest (by cut) unwritten or overwritten read among ``ops`` (one register),
    or None. ``reads``/``writes`` are the f names of reads and blind writes; ``cas``
    values are ``[old new]``. Malformed values are left to the model's encode."""
    suppliers: dict[Any, list[tuple[int, int]]] = {None: [(-1, -1)]}  # value -> (inv, done)
    events: list[tuple[int, int, Operation, Any]] = []  # (index, kind, op, value)
    for op in ops:
        if op.f in reads:
            if op.outcome is OpType.OK and op.complete_index is not None:
                events.append((op.invoke_index, 1, op, None))
            continue
        new = _written(op, writes)
        if new is _MALFORMED:
            return None
        if op.outcome is OpType.FAIL:
            continue  # a failed cas kept as a read of another value writes nothing
        done = _NEVER if op.complete_index is None else op.complete_index
        suppliers.setdefault(new, []).append((op.invoke_index, done))
        if done != _NEVER:
            events.append((done, 0, op, new))
    latest_supply = {v: _prefix_max(s) for v, s in suppliers.items()}
    events.sort(key=_INDEX)
    best: tuple[int, Operation, Any] | None = None  # the completed write invoked latest
    found: Refutation | None = None
    for _, kind, op, value in events:
        if kind == 0:
            if best is None or op.invoke_index > best[0]:
                best = (op.invoke_index, op, value)
            continue
        proof = _judge(op, best, latest_supply)
        if proof is not None and (found is None or proof.cut < found.cut):
            found = proof
    return found


def _written(op: Operation, writes: Collection[str]) -> Any:
    """The value ``op`` writes (frozen), or :data:`_MALFORMED`."""
    if op.f in writes:
        return freeze(op.input)
    value = op.input
    if op.f != "cas" or not isinstance(value, list | tuple) or len(value) != 2:
        return _MALFORMED
    return freeze(value[1])


_INDEX = itemgetter(0)
"""An event's index: the sort key (C-level; the rest of the tuple need not compare)."""


def _prefix_max(supply: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Invocation indexes in order, and the latest completion among the first i+1."""
    supply.sort()
    invokes = [inv for inv, _ in supply]
    latest: list[int] = []
    top = -1 << 62
    for _, done in supply:
        top = max(top, done)
        latest.append(top)
    return invokes, latest


def _judge(
    read: Operation,
    best: tuple[int, Operation, Any] | None,
    latest_supply: Mapping[Any, tuple[Sequence[int], Sequence[int]]],
) -> Refutation | None:
    v = freeze(read.output)
    assert read.complete_index is not None
    invokes, latest = latest_supply.get(v, ((), ()))
    n = bisect_left(invokes, read.complete_index)  # suppliers invoked before it completed
    if n == 0:
        reason = (
            f"the read at event {read.invoke_index} returned {_show(read.output)}, which nothing "
            "invoked before it completed could have written"
        )
        return Refutation(read.complete_index, read.id, reason)
    last = latest[n - 1]
    if best is None or best[2] == v or best[0] <= last:
        return None
    writer = best[1]
    shown = _show(read.output)
    source = (
        "the initial nil, and nothing wrote nil"
        if v is None and last == -1
        else f"every write that could have supplied {shown} had completed"
    )
    reason = (
        f"the read at event {read.invoke_index} returned {shown}, but the {writer.f} "
        f"{_show(writer.input)} at events {writer.invoke_index}-{writer.complete_index} "
        f"completed before the read was invoked, and began after {source}"
    )
    return Refutation(read.complete_index, read.id, reason)


def _show(value: Any) -> str:
    return "nil" if value is None else repr(value)
