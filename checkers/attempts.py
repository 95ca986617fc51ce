"""Attempts: every operation of a history, an invocation paired with its completion,
whatever its outcome (ok, fail, info), nemesis events included.

The set, counter, list-append, stats and perf checkers need what linearizability's
pairing (:mod:`checkers.history.pairing`) leaves out: failed operations (a read of a
failed append is G1a), nemesis events (fault windows), acks and nodes, and tolerance
of untidy histories (they are judged, not rejected). Positions (the event's place in
the history sequence) order events; times are carried along for reports. Rules (Jepsen's):

- A completion closes the open invocation of the same process.
- An invocation left open at the end is treated as ``info``: it may have happened.
- A completion with no open invocation (a nemesis event recorded once, for example)
  becomes an instantaneous operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checkers.op import Op, OpType, Process

NEVER: int = 2**62
"""The completion position of an operation that never completed (or ended ``info``)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One operation. ``complete_pos`` is :data:`NEVER` when the outcome is unknown
    (``info`` or no completion): such an operation may take effect at any later time."""

    invoke: Op
    completion: Op | None
    invoke_pos: int
    complete_pos: int
    outcome: OpType

    @property
    def process(self) -> Process:
        return self.invoke.process

    @property
    def f(self) -> str:
        return self.invoke.f

    @property
    def key(self) -> str | None:
        return self.invoke.key

    @property
    def value(self) -> Any:
        """The completion's value for ``ok`` operations (reads fill it), else the
        invocation's."""
        if self.outcome is OpType.OK and self.completion is not None:
            return self.completion.value
        return self.invoke.value

    @property
    def invoke_ns(self) -> int:
        return self.invoke.time_ns

    @property
    def complete_ns(self) -> int | None:
        """Completion time, or None when the operation never completed."""
        return None if self.completion is None else self.completion.time_ns

    @property
    def acks(self) -> int | None:
        if self.completion is not None and self.completion.acks is not None:
            return self.completion.acks
        return self.invoke.acks

    @property
    def node(self) -> str | None:
        if self.completion is not None and self.completion.node is not None:
            return self.completion.node
        return self.invoke.node

    @property
    def is_ok(self) -> bool:
        return self.outcome is OpType.OK

    @property
    def is_client(self) -> bool:
        return self.invoke.is_client


def pair_attempts(history: Sequence[Op]) -> list[Attempt]:
    """Every operation of ``history``, in invocation order."""
    open_: dict[Process, tuple[int, Op]] = {}
    done: list[Attempt] = []
    for pos, op in enumerate(history):
        if op.is_invoke:
            previous = open_.pop(op.process, None)
            if previous is not None:  # a process that re-invokes: the first is unknown
                done.append(Attempt(previous[1], None, previous[0], NEVER, OpType.INFO))
            open_[op.process] = (pos, op)
            continue
        started = open_.pop(op.process, None)
        if started is None:
            done.append(Attempt(op, op, pos, pos, op.type))
            continue
        ipos, inv = started
        complete_pos = NEVER if op.type is OpType.INFO else pos
        done.append(Attempt(inv, op, ipos, complete_pos, op.type))
    for ipos, inv in open_.values():
        done.append(Attempt(inv, None, ipos, NEVER, OpType.INFO))
    done.sort(key=lambda o: o.invoke_pos)
    return done
