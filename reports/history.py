"""A history as a report draws it: the checkers' reading of it (client operations from
``checkers.history.pairing``, fault windows from ``checkers.faults``) in words.

Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from base.op import Op, OpType
from checkers.faults import FaultWindow, fault_windows
from checkers.history.pairing import Attempt


def client_operations(attempts: Sequence[Attempt]) -> list[Attempt]:
    """The client operations of :func:`checkers.history.pairing.pair_attempts`' list."""
    return [a for a in attempts if a.is_client]


def read_faults(
    history: Sequence[Op], attempts: Sequence[Attempt], end_ns: int
) -> list[FaultWindow]:
    """The checkers' fault windows of ``history`` with the one-shot faults, a window
    still open at the end drawn to ``end_ns`` (the run may outlast its last event)."""
    windows = fault_windows(history, attempts, one_shot=True)
    return [replace(w, end_ns=max(w.end_ns, end_ns)) if w.open_ended else w for w in windows]


def result_of(op: Attempt) -> Any:
    """What an ``ok`` operation's completion carried (a read's value), else None."""
    return op.completion.value if op.outcome is OpType.OK and op.completion is not None else None


def error_of(op: Attempt) -> str | None:
    """The completion's error; ``never completed`` for an operation without one."""
    return "never completed" if op.completion is None else op.completion.error


def latency_ns(op: Attempt) -> int | None:
    """Completion minus invocation time; None when it never completed."""
    done = op.complete_ns
    return None if done is None else done - op.invoke_ns


def fault_label(w: FaultWindow) -> str:
    """A short description: the fault, what was asked (``minority``) and what was done
    (a grudge as its sides, the nodes killed)."""
    value = w.done if w.done else w.asked
    label = f"{w.name} {describe_value(value)}".strip()
    asked = w.asked
    if isinstance(asked, str) and asked.startswith(f"{w.name}-"):
        asked = asked[len(w.name) + 1 :]  # "partition-minority" -> "minority"
    if isinstance(asked, str) and asked and value != w.asked:
        label = f"{w.name} {asked}: {describe_value(value)}"
    return label


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


def end_time_ns(history: Sequence[Op]) -> int:
    """The time of the last event (0 for an empty history)."""
    return max((op.time_ns for op in history), default=0)
