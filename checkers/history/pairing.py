"""Pairing: each client invocation with its completion. One core, two readings.

:func:`pair_events` is the core. It pairs every invocation with the completion of the
same process and keeps every field (both events, so ``acks``, ``node``, ``error``
survive), as :class:`Attempt` records in invocation order. Two modes:

- lenient (default; set-full, counter, list-append, stats, perf): untidy histories are
  judged, not rejected. Failed operations and nemesis events are kept (a read of a
  failed append is G1a; faults make windows). An invocation left open, or re-invoked
  over, is ``info``; a completion with nothing open is an instantaneous operation.
  Positions are the events' places in the sequence.
- strict (``strict=True``; linearizability), Jepsen's rules: nemesis events are
  skipped; a completion with nothing open, a second invocation while one is open, a
  process that invokes again after ``info`` (Jepsen gives the worker a fresh process)
  and a completion whose f differs raise :class:`HistoryPairingError`. Event indexes
  must increase (they order events in time; a history not numbered yet, index -1, is
  numbered by position) and are the positions.

``keep_failed`` filters failed operations: None keeps all; a set keeps only the fs in
it (a failed cas read another value, for Porcupine's cas-register).

:func:`pair_attempts` is the lenient reading; :func:`pair` the linearizability view:
:class:`Operation` records, failed operations removed unless kept.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from base.op import NEMESIS, Op, OpType, Process
from checkers.history.errors import HistoryPairingError

NEVER: int = 2**62
"""The completion position of an operation that never completed (or ended ``info``)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One operation. ``complete_pos`` is :data:`NEVER` when the outcome is unknown
    (``info`` or no completion): such an operation may take effect at any later time.
    ``completion`` is the ``info`` event itself when there was one."""

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


Row = tuple[OpType, str, Process, int, int, Any, str | None, Any]
"""One event as a tuple, the form pairing works on: ``(type, f, process, index, time_ns,
value, key, source)``, ``source`` being the :class:`Op` it came from (or None when it
was read straight from a file: ``checkers.history.jsonl_rows``). Tuples are cheaper to
make and to read than records."""

_Pair = tuple[Row, Row | None, int, int, OpType]
"""An :class:`Attempt`'s fields, with rows for events: the strict view turns them into
:class:`Operation` records directly."""


def rows_of(history: Sequence[Op]) -> list[Row]:
    """The rows of ``history``'s events (see :data:`Row`)."""
    return [
        (op.type, op.f, op.process, op.index, op.time_ns, op.value, op.key, op) for op in history
    ]


def pair_events(
    history: Sequence[Op], *, strict: bool = False, keep_failed: Collection[str] | None = None
) -> list[Attempt]:
    """The operations of ``history`` in invocation order (see the module docstring for
    the two modes). Raises :class:`HistoryPairingError` only when ``strict``."""
    return [
        Attempt(inv[7], None if comp is None else comp[7], ipos, cpos, outcome)
        for inv, comp, ipos, cpos, outcome in _pairs(rows_of(history), strict, keep_failed)
    ]


def _pairs(rows: Sequence[Row], strict: bool, keep_failed: Collection[str] | None) -> list[_Pair]:
    """:func:`pair_events`' work, on rows and as tuples."""
    if strict and any(row[3] < 0 for row in rows):  # not numbered yet
        rows = [(*row[:3], i, *row[4:]) for i, row in enumerate(rows)]
    open_: dict[Process, tuple[int, Row]] = {}
    crashed: set[Process] = set()
    done: list[_Pair] = []
    invoke, fail, info = OpType.INVOKE, OpType.FAIL, OpType.INFO
    last = -1
    for place, op in enumerate(rows):
        type_, f, process, index = op[0], op[1], op[2], op[3]
        pos = index if strict else place
        if strict:
            if pos <= last:
                raise HistoryPairingError(pos, f"event indexes must increase (after {last})")
            last = pos
            if process == NEMESIS:
                continue
        if type_ is invoke:
            previous = open_.get(process)
            if previous is not None:  # re-invoked over: the first one's outcome is unknown
                if strict:
                    raise HistoryPairingError(
                        pos, f"process {process} invokes while its event {previous[0]} is open"
                    )
                done.append((previous[1], None, previous[0], NEVER, info))
            elif strict and process in crashed:
                raise HistoryPairingError(
                    pos, f"process {process} invokes again after an info completion"
                )
            open_[process] = (pos, op)
            continue
        started = open_.pop(process, None)
        if started is None:
            if strict:
                raise HistoryPairingError(
                    pos, f"{type_.value} completion of process {process} with no open invocation"
                )
            done.append((op, op, pos, pos, type_))
            continue
        ipos, inv = started
        if strict and f != inv[1]:
            raise HistoryPairingError(
                pos, f"completion f {f!r} does not match invocation f {inv[1]!r}"
            )
        if type_ is info:
            crashed.add(process)
            done.append((inv, op, ipos, NEVER, info))
        elif type_ is not fail or keep_failed is None or f in keep_failed:
            done.append((inv, op, ipos, pos, type_))
    done.extend((inv, None, ipos, NEVER, info) for ipos, inv in open_.values())
    done.sort(key=_INVOKE_POS)
    return done


_INVOKE_POS = itemgetter(2)
"""A pair's invocation position (a C-level sort key)."""


def pair_attempts(history: Sequence[Op]) -> list[Attempt]:
    """Every operation of ``history``, in invocation order (the lenient reading)."""
    return pair_events(history)


class Operation(NamedTuple):
    """One client operation that may have happened (linearizability's view).

    ``id`` is its place in :func:`pair`'s list. ``input`` is the invocation's value,
    ``output`` the completion's value (None when the outcome is unknown). ``outcome`` is
    ``OK``, ``INFO`` (unknown: it may take effect at any time after its invocation) or,
    only when asked for, ``FAIL``. ``complete_index`` and ``complete_ns`` are None for
    ``INFO`` operations.

    A NamedTuple, not a dataclass: a large history has hundreds of thousands, made
    several times faster so (``_replace`` for a changed copy).
    """

    id: int
    process: Process
    f: str
    key: str | None
    input: Any
    output: Any
    outcome: OpType
    invoke_index: int
    complete_index: int | None
    invoke_ns: int
    complete_ns: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "process": self.process,
            "f": self.f,
            "key": self.key,
            "input": self.input,
            "output": self.output,
            "status": self.outcome.value,
            "invoke_index": self.invoke_index,
            "complete_index": self.complete_index,
            "invoke_ns": self.invoke_ns,
            "complete_ns": self.complete_ns,
        }


def pair(history: Sequence[Op], keep_failed: Collection[str] = frozenset()) -> list[Operation]:
    """The operations of ``history`` that may have happened, by Jepsen's rules (strict
    :func:`pair_events`): failed operations are removed unless their f is in
    ``keep_failed`` (outcome ``FAIL``). Raises :class:`HistoryPairingError`."""
    return pair_rows(rows_of(history), keep_failed)


def pair_rows(rows: Sequence[Row], keep_failed: Collection[str] = frozenset()) -> list[Operation]:
    """:func:`pair` of events given as rows (see :data:`Row`)."""
    info = OpType.INFO
    operations: list[Operation] = []
    for i, (inv, comp, _, _, outcome) in enumerate(_pairs(rows, True, keep_failed)):
        if outcome is info or comp is None:
            operations.append(
                Operation(i, inv[2], inv[1], inv[6], inv[5], None, info, inv[3], None, inv[4], None)
            )
        else:
            operations.append(
                Operation(
                    i, inv[2], inv[1], inv[6], inv[5], comp[5], outcome, inv[3], comp[3], inv[4],
                    comp[4],
                )
            )  # fmt: skip
    return operations
