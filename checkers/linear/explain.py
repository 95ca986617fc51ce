"""Why a history is not linearizable, as data a report can draw, and as text.

For the failing partition: the longest partial linearization the search found, the
operation whose completion arrived before it could be placed, the model state at that
point, why each pending operation could not go next, and a window of the operations
around the blocked one (concurrent with it, plus the last linearized ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checkers.history.pairing import Operation
from checkers.linear.model import Model
from checkers.linear.search import Stuck

WINDOW = 12
"""Operations shown on each side of the blocked one."""
TAIL = 20
"""Steps of the partial linearization listed with their states."""


def explain(
    model: Model,
    key: str | None,
    ops: Sequence[Operation],
    stuck: Stuck,
    *,
    window: int = WINDOW,
    refutation: str | None = None,
) -> dict[str, Any]:
    """The explanation of ``stuck`` (in partition ``key`` with operations ``ops``);
    ``refutation`` is the model's proof in words, when it found one."""
    by_id = {op.id: op for op in ops}
    blocked = by_id[stuck.blocked]
    end = blocked.complete_index if blocked.complete_index is not None else 1 << 62
    concurrent = [
        op
        for op in ops
        if op.invoke_index < end
        and (op.complete_index is None or op.complete_index > blocked.invoke_index)
    ]
    recent = [by_id[i] for i in stuck.linearized[-5:]]
    shown = {op.id: op for op in [*recent, *concurrent]}
    nearest = sorted(shown.values(), key=lambda op: abs(op.invoke_index - blocked.invoke_index))
    chosen = sorted(nearest[: 2 * window + 1], key=lambda op: op.invoke_index)
    linearized_set = set(stuck.linearized)
    why = dict(stuck.candidates)
    return {
        "key": key,
        "model": model.name,
        "linearized_count": len(stuck.linearized),
        "linearized": _tail(model, ops, stuck.linearized, by_id),
        "linearization": [by_id[i].invoke_index for i in stuck.linearized],
        "unplaceable": [_op(blocked, "unplaceable")],
        "state": model.describe_state(stuck.state),
        "refutation": refutation,
        "candidates": [
            {"id": by_id[i].invoke_index, "why": reason, "op": _op(by_id[i], reason)}
            for i, reason in stuck.candidates
        ],
        "window": [
            _op(
                op,
                "unplaceable"
                if op.id == blocked.id
                else "linearized"
                if op.id in linearized_set
                else why.get(op.id, "pending" if model.encode(op) is not None else "ignored"),
            )
            for op in chosen
        ],
    }


def _tail(
    model: Model, ops: Sequence[Operation], order: Sequence[int], by_id: Mapping[int, Operation]
) -> list[dict[str, Any]]:
    """The last :data:`TAIL` steps of the linearization with the model state after each
    (replayed from the start)."""
    calls = {op.id: model.encode(op) for op in ops}
    state = model.init()
    steps: list[dict[str, Any]] = []
    first = max(0, len(order) - TAIL)
    for n, i in enumerate(order):
        state = model.step(state, calls[i])
        if n >= first:
            op = by_id[i]
            steps.append({"id": op.invoke_index, "state_after": model.describe_state(state)})
    return steps


def _op(op: Operation, role: str) -> dict[str, Any]:
    """An operation as the report draws it; ``id`` is its invocation's history index."""
    out = op.to_json()
    out["id"] = op.invoke_index
    out["role"] = role
    return out


def _show(op: Mapping[str, Any]) -> str:
    value = op["input"] if op["output"] is None or op["f"] in ("write", "cas") else op["output"]
    done = "…" if op["complete_index"] is None else str(op["complete_index"])
    return (
        f"op@{op['id']} process {op['process']} {op['f']} {_value(value)} "
        f"[{op['status']}, events {op['invoke_index']}-{done}]"
    )


def _value(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, list):
        return "[" + " ".join(_value(v) for v in value) + "]"
    return str(value) if not isinstance(value, str) else repr(value)


def explanation_text(explanation: Mapping[str, Any]) -> str:
    """A few readable lines for ``harness check -v``."""
    lines = []
    key = explanation.get("key")
    where = f" on key {key!r}" if key is not None else ""
    lines.append(
        f"Cannot linearize{where}: after {explanation['linearized_count']} operations "
        f"the {explanation['model']} is {explanation['state']}, and"
    )
    for op in explanation["unplaceable"]:
        lines.append(f"  {_show(op)} completed before it could take effect.")
    if explanation.get("refutation"):
        lines.append(f"  Proof: {explanation['refutation']}.")
    if explanation["candidates"]:
        lines.append("  Operations that could have gone next:")
        for c in explanation["candidates"]:
            reason = "illegal in that state" if c["why"] == "illegal" else "leads to a dead end"
            lines.append(f"    {_show(c['op'])}: {reason}")
    lines.append("  Operations around it (by invocation):")
    for op in explanation["window"]:
        lines.append(f"    {op['role']:>10}  {_show(op)}")
    return "\n".join(lines)
