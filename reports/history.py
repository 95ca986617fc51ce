"""A history as a report draws it: client operations (invocation paired with completion)
and fault periods (nemesis start / stop events paired into shaded intervals).

Pure functions over :class:`base.op.Op` events; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from base.op import NEMESIS, Op, OpType, Process


@dataclass(frozen=True, slots=True)
class Operation:
    """One client operation: an invocation and its completion.

    ``type`` is the completion's type; an invocation that never completed counts as
    ``INFO`` with ``end_ns`` None (it may take effect at any time after ``start_ns``).
    ``value`` is what was asked, ``result`` what the completion carried (a read's value).
    """

    index: int
    process: Process
    f: str
    type: OpType
    start_ns: int
    end_ns: int | None
    value: Any
    result: Any
    key: str | None = None
    node: str | None = None
    error: str | None = None
    acks: int | None = None

    @property
    def latency_ns(self) -> int | None:
        return None if self.end_ns is None else self.end_ns - self.start_ns


@dataclass(frozen=True, slots=True)
class FaultPeriod:
    """A span of time during which a fault was (or may have been) active.

    ``kind`` is the fault family (``partition``, ``kill``, ...); ``label`` a short human
    description including its targets; ``open_ended`` is True when no stop event closed
    it (it is drawn to the end of the run).
    """

    kind: str
    label: str
    start_ns: int
    end_ns: int
    value: Any = None
    open_ended: bool = False

    def overlaps(self, start_ns: int, end_ns: int) -> bool:
        return self.start_ns <= end_ns and start_ns <= self.end_ns


_OPENERS = frozenset({"kill", "pause"})
_CLOSERS = {"start": "kill", "restart": "kill", "resume": "pause"}
"""Jepsen's un-prefixed fault pairs (``kill`` / ``start``, ``pause`` / ``resume``), beside
the ``start-X`` / ``stop-X`` convention; the same reading as :mod:`checkers.faults`."""


def pair_operations(history: Iterable[Op]) -> list[Operation]:
    """Client operations in invocation order. A completion without an invocation is
    ignored; an invocation without a completion becomes an open ``INFO`` operation."""
    pending: dict[Process, Op] = {}
    done: list[tuple[Op, Op | None]] = []
    for op in history:
        if not op.is_client:
            continue
        if op.is_invoke:
            previous = pending.pop(op.process, None)
            if previous is not None:
                done.append((previous, None))
            pending[op.process] = op
        else:
            invoke = pending.pop(op.process, None)
            if invoke is not None:
                done.append((invoke, op))
    done.extend((invoke, None) for invoke in pending.values())
    done.sort(key=lambda pair: (pair[0].time_ns, pair[0].index))
    return [_operation(invoke, completion) for invoke, completion in done]


def _operation(invoke: Op, completion: Op | None) -> Operation:
    if completion is None:
        return Operation(
            index=invoke.index,
            process=invoke.process,
            f=invoke.f,
            type=OpType.INFO,
            start_ns=invoke.time_ns,
            end_ns=None,
            value=invoke.value,
            result=None,
            key=invoke.key,
            node=invoke.node,
            error="never completed",
        )
    return Operation(
        index=invoke.index,
        process=invoke.process,
        f=invoke.f,
        type=completion.type,
        start_ns=invoke.time_ns,
        end_ns=completion.time_ns,
        value=invoke.value,
        result=completion.value,
        key=invoke.key if invoke.key is not None else completion.key,
        node=completion.node if completion.node is not None else invoke.node,
        error=completion.error,
        acks=completion.acks,
    )


def fault_periods(history: Sequence[Op], end_ns: int) -> list[FaultPeriod]:
    """Pair nemesis events into fault periods, ordered by start.

    ``start-X`` (or Jepsen's ``kill`` / ``pause``) opens a period of kind X at its
    invocation unless it completed as ``fail``; ``stop-X`` (``start`` / ``resume`` after
    ``kill`` / ``pause``) closes every open period of that kind at its completion, and
    ``heal...`` closes every open period. Any other nemesis operation (``failover``,
    ``reshard``) is a period from its invocation to its completion.
    A period still open at ``end_ns`` runs to the end and is marked open-ended.
    """
    nemesis = [op for op in history if op.process == NEMESIS]
    periods: list[FaultPeriod] = []
    open_: dict[str, list[tuple[Op, Op | None]]] = {}
    i = 0
    while i < len(nemesis):
        op = nemesis[i]
        completion: Op | None = None
        if op.is_invoke and i + 1 < len(nemesis) and not nemesis[i + 1].is_invoke:
            completion = nemesis[i + 1]
            i += 1
        i += 1
        if not op.is_invoke:
            continue  # a stray completion
        role, kind = _role(op.f)
        if role == "start":
            if completion is not None and completion.type is OpType.FAIL:
                continue
            open_.setdefault(kind, []).append((op, completion))
        elif role in ("stop", "heal"):
            close_at = completion.time_ns if completion is not None else op.time_ns
            kinds = list(open_) if role == "heal" else [kind]
            for closing in kinds:
                for start, start_done in open_.pop(closing, []):
                    periods.append(_period(closing, start, start_done, close_at, False))
        else:
            if completion is not None and completion.type is OpType.FAIL:
                continue
            close_at = completion.time_ns if completion is not None else end_ns
            periods.append(_period(kind, op, completion, close_at, completion is None))
    for kind, starts in open_.items():
        for start, start_done in starts:
            periods.append(_period(kind, start, start_done, end_ns, open_ended=True))
    periods.sort(key=lambda p: (p.start_ns, p.kind))
    return periods


def _role(f: str) -> tuple[str, str]:
    if f.startswith("start-"):
        return "start", f[len("start-") :]
    if f.startswith("stop-"):
        return "stop", f[len("stop-") :]
    if f in _OPENERS:
        return "start", f
    if f in _CLOSERS:
        return "stop", _CLOSERS[f]
    if f.startswith("heal"):
        return "heal", ""
    return "event", f


def _period(
    kind: str, start: Op, completion: Op | None, end_ns: int, open_ended: bool
) -> FaultPeriod:
    value = completion.value if completion is not None and completion.value else start.value
    label = f"{kind} {describe_value(value)}".strip()
    asked = start.value
    if isinstance(asked, str) and asked.startswith(f"{kind}-"):
        asked = asked[len(kind) + 1 :]  # "partition-minority" -> "minority"
    if isinstance(asked, str) and asked and value != start.value:
        # the invocation named the kind of fault ("minority"), the completion what was done
        label = f"{kind} {asked}: {describe_value(value)}"
    return FaultPeriod(
        kind=kind,
        label=label,
        start_ns=start.time_ns,
        end_ns=max(end_ns, start.time_ns),
        value=value,
        open_ended=open_ended,
    )


def describe_value(value: Any, limit: int = 60) -> str:
    """A short one-line rendering of a nemesis or operation value."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if value and all(isinstance(v, list) for v in value.values()):
            text = describe_grudge(value)
        else:
            text = ", ".join(f"{k}={_short(v)}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = ",".join(_short(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_grudge(grudge: dict[Any, list[Any]]) -> str:
    """A grudge (node -> nodes whose traffic it drops) as its components, ``n1,n4 | n2,n3``:
    nodes that drop the same peers are on the same side. When every node differs (a
    ring), each node's drops are listed instead."""
    sides: dict[frozenset[str], list[str]] = {}
    for node, drops in grudge.items():
        if drops:
            sides.setdefault(frozenset(str(d) for d in drops), []).append(str(node))
    if not sides:
        return "(no drops)"
    if len(sides) == len(grudge) and len(grudge) > 2:
        return "; ".join(f"{n} drops {','.join(sorted(map(str, d)))}" for n, d in grudge.items())
    groups = sorted(sorted(nodes) for nodes in sides.values())
    groups.sort(key=len)
    return " | ".join(",".join(g) for g in groups)


def _short(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ",".join(str(v) for v in value) + "]"
    return str(value)


def active_faults(periods: Sequence[FaultPeriod], start_ns: int, end_ns: int) -> list[str]:
    """Labels of the fault periods overlapping ``[start_ns, end_ns]``."""
    return [p.label for p in periods if p.overlaps(start_ns, end_ns)]


def end_time_ns(history: Sequence[Op]) -> int:
    """The time of the last event (0 for an empty history)."""
    return max((op.time_ns for op in history), default=0)
