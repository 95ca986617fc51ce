"""The linearizability counterexample of a run, read from the checker's explanation.

The linearizability checker (``checkers/linear``) writes, for the first key it found not
linearizable, an ``explanation`` in its result details: the operations around the
failure, the longest partial linearization found (with the model state after each step),
the operation(s) that cannot be placed next and the model state there. This module reads
that data tolerantly (field names of the checker, with fallbacks for older or foreign
shapes) into :class:`Counterexample`; missing operations are filled from the history.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from base.op import OpType
from reports.history import Operation

_OPS_FIELDS = ("window", "operations", "ops", "concurrent", "history")
_LINEARIZED_FIELDS = (
    "linearized",
    "partial_linearization",
    "longest_linearization",
    "longest_prefix",
    "linearization",
    "prefix",
)
_FAILED_FIELDS = (
    "unplaceable",
    "failed_op",
    "failed_ops",
    "cannot_place",
    "culprit",
    "stuck",
    "failed",
    "op",
)
_STATE_FIELDS = ("state", "model_state", "state_before", "final_state", "last_state")
_ID_FIELDS = ("id", "index", "op_index", "invoke_index")
_START_FIELDS = ("invoke_time", "invoke_ns", "start_ns", "start", "call", "time")
_END_FIELDS = ("complete_time", "complete_ns", "end_ns", "end", "return")
_RESULT_FIELDS = ("output", "result", "completion_value", "read", "out")


@dataclass(frozen=True, slots=True)
class LinOp:
    """One operation of the counterexample window. ``end_ns`` None: never completed
    (info), it may take effect at any time after its invocation."""

    id: str
    process: Any
    f: str
    value: Any
    result: Any
    start_ns: int | None
    end_ns: int | None
    type: str
    role: str | None = None  # the checker's word: linearized, unplaceable, illegal, ...

    def describe(self) -> str:
        """Porcupine-like text: ``write 3``, ``read → 3``, ``cas 1→2``."""
        if self.f == "read":
            shown = "?" if self.type != "ok" else _fmt(self.result)
            return f"read → {shown}"
        if self.f == "cas" and isinstance(self.value, list | tuple) and len(self.value) == 2:
            return f"cas {_fmt(self.value[0])}→{_fmt(self.value[1])}"
        text = f"{self.f} {_fmt(self.value)}".strip()
        if self.result not in (None, self.value) and self.type == "ok":
            text += f" → {_fmt(self.result)}"
        return text


@dataclass(frozen=True)
class Counterexample:
    checker: str
    key: str | None
    model: str | None
    ops: tuple[LinOp, ...]
    linearized: tuple[tuple[str, Any], ...]  # (op id, model state after it), in order
    failed: tuple[str, ...]  # ids of the operations that cannot be placed
    state: Any  # the model state where the search got stuck
    message: str | None
    raw: Mapping[str, Any]
    candidates: tuple[tuple[str, str], ...] = ()  # (op id, why it could not go next)

    def op(self, ident: str) -> LinOp | None:
        return next((o for o in self.ops if o.id == ident), None)

    @property
    def failed_ops(self) -> list[LinOp]:
        return [o for o in (self.op(i) for i in self.failed) if o is not None]


def find_explanation(results: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """(checker name, explanation) of the first invalid checker that carries one."""
    checkers = results.get("checkers")
    if not isinstance(checkers, Mapping):
        return None
    ordered = sorted(checkers.items(), key=lambda kv: kv[1].get("valid") is not False)
    for name, result in ordered:
        if isinstance(result, Mapping):
            found = _search(result, depth=3)
            if found is not None:
                return str(name), found
    return None


def _search(node: Mapping[str, Any], depth: int) -> Mapping[str, Any] | None:
    for field in ("explanation", "counterexample"):
        value = node.get(field)
        if isinstance(value, Mapping) and value:
            return value
    if depth == 0:
        return None
    for value in node.values():
        if isinstance(value, Mapping):
            found = _search(value, depth - 1)
            if found is not None:
                return found
    return None


def counterexample(
    checker: str,
    explanation: Mapping[str, Any],
    operations: Sequence[Operation],
    max_ops: int = 40,
) -> Counterexample:
    """Normalise ``explanation``.

    The linearization order comes from ``linearization`` (every id, in order) when the
    checker gives it, else from the steps listed under ``linearized`` (which may be only
    the last steps, each with its ``state_after``). The drawn operations are the window
    plus the listed steps and the unplaceable ones; any of those the explanation names
    but does not describe are taken from the history. If it lists no operations at all,
    the failing key's operations overlapping them are added, at most ``max_ops``."""
    key = _first(explanation, "key", "k")
    key_text = None if key is None else str(key)
    ops: dict[str, LinOp] = {}
    for field in _OPS_FIELDS:
        listed = explanation.get(field)
        if isinstance(listed, list | tuple):
            for entry in listed:
                lin = _lin_op(entry)
                if lin is not None:
                    ops.setdefault(lin.id, lin)
    steps: list[tuple[str, Any]] = []
    for field in _LINEARIZED_FIELDS:
        listed = explanation.get(field)
        if isinstance(listed, list | tuple) and listed:
            for entry in listed:
                ident, state, lin = _step(entry)
                if lin is not None:
                    ops.setdefault(lin.id, lin)
                if ident is not None:
                    steps.append((ident, state))
            break
    order = explanation.get("linearization")
    if isinstance(order, list | tuple) and order:
        states = dict(steps)
        linearized = [(str(i), states.get(str(i))) for i in order]
    else:
        linearized = steps
    failed: list[str] = []
    for field in _FAILED_FIELDS:
        value = explanation.get(field)
        if value is None:
            continue
        for entry in value if isinstance(value, list | tuple) else [value]:
            ident, _state, lin = _step(entry)
            if lin is not None:
                ops.setdefault(lin.id, lin)
            if ident is not None and ident not in failed:
                failed.append(ident)
        if failed:
            break
    _fill_from_history(ops, key_text, [i for i, _ in steps] + failed, operations, max_ops)
    ordered = sorted(
        ops.values(), key=lambda o: (o.start_ns if o.start_ns is not None else 0, o.id)
    )
    message = _first(explanation, "message", "reason", "summary")
    model = _first(explanation, "model")
    return Counterexample(
        checker=checker,
        key=key_text,
        model=None if model is None else str(model),
        ops=tuple(ordered),
        linearized=tuple(linearized),
        failed=tuple(failed),
        state=_first(explanation, *_STATE_FIELDS),
        message=None if message is None else str(message),
        raw=explanation,
        candidates=tuple(_candidates(explanation.get("candidates"))),
    )


def _candidates(listed: Any) -> list[tuple[str, str]]:
    """(op id, why) of the operations the search tried in place of the unplaceable one."""
    out: list[tuple[str, str]] = []
    if isinstance(listed, list | tuple):
        for entry in listed:
            if isinstance(entry, Mapping):
                ident = _first(entry, *_ID_FIELDS)
                if ident is not None:
                    out.append((str(ident), str(entry.get("why") or "")))
    return out


def _step(entry: Any) -> tuple[str | None, Any, LinOp | None]:
    """(op id, state after, op if described) of a linearization step or failed op."""
    if isinstance(entry, Mapping):
        inner = entry.get("op")
        state = _first(entry, "state_after", "state", "model_state")
        if isinstance(inner, Mapping):
            lin = _lin_op(inner)
            return (None if lin is None else lin.id), state, lin
        if inner is not None and not isinstance(inner, Mapping):
            return str(inner), state, None
        lin = _lin_op(entry)
        if lin is not None and _has_shape(entry):
            return lin.id, state, lin
        ident = _first(entry, *_ID_FIELDS)
        return (None if ident is None else str(ident)), state, None
    if isinstance(entry, int | str) and not isinstance(entry, bool):
        return str(entry), None, None
    return None, None, None


def _has_shape(entry: Mapping[str, Any]) -> bool:
    return "f" in entry and "process" in entry


def _lin_op(entry: Any) -> LinOp | None:
    if not isinstance(entry, Mapping) or not _has_shape(entry):
        return None
    ident = _first(entry, *_ID_FIELDS)
    start = _int(_first(entry, *_START_FIELDS))
    if ident is None:
        ident = f"{entry.get('process')}@{start}"
    end = _int(_first(entry, *_END_FIELDS))
    kind = str(_first(entry, "type", "status", "outcome") or ("ok" if end is not None else "info"))
    if kind == "info":
        end = None
    return LinOp(
        id=str(ident),
        process=entry.get("process"),
        f=str(entry.get("f")),
        value=_first(entry, "value", "input"),
        result=_first(entry, *_RESULT_FIELDS),
        start_ns=start,
        end_ns=end,
        type=kind,
        role=None if entry.get("role") is None else str(entry.get("role")),
    )


def _from_operation(op: Operation) -> LinOp:
    end = op.end_ns if op.type is OpType.OK else None
    return LinOp(
        id=str(op.index),
        process=op.process,
        f=op.f,
        value=op.value,
        result=op.result if op.type is OpType.OK else None,
        start_ns=op.start_ns,
        end_ns=end,
        type=op.type.value,
    )


def _fill_from_history(
    ops: dict[str, LinOp],
    key: str | None,
    wanted: Sequence[str],
    operations: Sequence[Operation],
    max_ops: int,
) -> None:
    """Complete the window from the history: the operations named but not described,
    and, when the explanation listed no window at all, the key's operations overlapping
    the named ones (fail operations excluded, as the checker excludes them)."""
    by_index = {str(o.index): o for o in operations}
    for ident in wanted:
        if ident not in ops and ident in by_index:
            ops[ident] = _from_operation(by_index[ident])
    if len(ops) > len(set(wanted)) or not ops:
        return
    starts = [o.start_ns for o in ops.values() if o.start_ns is not None]
    ends = [o.end_ns if o.end_ns is not None else o.start_ns for o in ops.values()]
    lo = min(starts, default=0)
    hi = max((e for e in ends if e is not None), default=lo)
    for op in operations:
        if len(ops) >= max_ops:
            break
        if op.type is OpType.FAIL or (key is not None and op.key != key):
            continue
        end = op.end_ns if op.end_ns is not None else hi
        if op.start_ns <= hi and end >= lo:
            ops.setdefault(str(op.index), _from_operation(op))


def _first(fields: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if fields.get(name) is not None:
            return fields[name]
    return None


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _fmt(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_fmt(v) for v in value) + "]"
    return str(value)
