"""The linearizability counterexample of a run, from the checker's typed explanation
(:class:`checkers.results.linear.Explanation`): the operations around the failure, the
longest partial linearization found (with the model state after each step), the
operation(s) that cannot be placed next and the model state there. Steps the
explanation names but does not describe are filled from the history. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from base.op import OpType
from checkers.history.pairing import Attempt
from checkers.results.linear import ExplainedOp, Explanation
from reports.history import result_of


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


def counterexample(
    checker: str, explanation: Explanation, operations: Sequence[Attempt]
) -> Counterexample:
    """Draw from ``explanation``. The linearization order is ``linearization`` (every
    id, in order), with the states of the steps listed under ``linearized`` (the last
    ones). The drawn operations are the window, the unplaceable ones and the candidates,
    plus the listed steps, which are taken from ``operations`` (the history) when the
    window does not hold them."""
    ops: dict[str, LinOp] = {}
    for op in (*explanation.window, *explanation.unplaceable):
        ops.setdefault(str(op.id), _lin_op(op))
    for c in explanation.candidates:
        ops.setdefault(str(c.op.id), _lin_op(c.op))
    states = {str(s.id): s.state_after for s in explanation.linearized}
    by_index = {str(o.invoke.index): o for o in operations}
    for ident in states:
        if ident not in ops and ident in by_index:
            ops[ident] = _from_history(by_index[ident])
    ordered = sorted(
        ops.values(), key=lambda o: (o.start_ns if o.start_ns is not None else 0, o.id)
    )
    return Counterexample(
        checker=checker,
        key=explanation.key,
        model=explanation.model,
        ops=tuple(ordered),
        linearized=tuple((str(i), states.get(str(i))) for i in explanation.linearization),
        failed=tuple(dict.fromkeys(str(o.id) for o in explanation.unplaceable)),
        state=explanation.state,
        message=explanation.refutation,
        raw=explanation.to_json(),
        candidates=tuple((str(c.id), c.why) for c in explanation.candidates),
    )


def _lin_op(op: ExplainedOp) -> LinOp:
    done = op.status != "info"
    return LinOp(
        id=str(op.id),
        process=op.process,
        f=op.f,
        value=op.input,
        result=op.output,
        start_ns=op.invoke_ns,
        end_ns=op.complete_ns if done else None,
        type=op.status,
        role=op.role,
    )


def _from_history(op: Attempt) -> LinOp:
    ok = op.outcome is OpType.OK
    return LinOp(
        id=str(op.invoke.index),
        process=op.process,
        f=op.f,
        value=op.invoke.value,
        result=result_of(op),
        start_ns=op.invoke_ns,
        end_ns=op.complete_ns if ok else None,
        type=op.outcome.value,
    )


def _fmt(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_fmt(v) for v in value) + "]"
    return str(value)
