"""The linearizability checker's result and its explanation of a failure, as types.

:func:`checkers.linear.explain.explain` writes the explanation as JSON (``to_json``
here is the same shape, ``from_json`` reads it); the report draws Porcupine's picture
from :class:`Explanation`, the way Porcupine's ``Visualize`` draws from the
``LinearizationInfo`` its checker returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from base.op import Process
from checkers.results.fields import (
    integer,
    listed,
    mapping,
    optional_int,
    optional_str,
)

CHECKER = "linearizable"
"""The checker's name, its key in results.json."""


@dataclass(frozen=True, slots=True)
class ExplainedOp:
    """An operation of the explanation (``checkers.history.Operation``'s fields).
    ``id`` is its invocation's history index; ``status`` ``ok``, ``info`` (it may take
    effect any time after its invocation) or ``fail``; ``role`` the search's word for
    it: ``linearized``, ``unplaceable``, ``pending``, ``illegal``, ``dead end``, or
    ``ignored`` (the model leaves it out: it constrains nothing, as a crashed read)."""

    id: int
    process: Process
    f: str
    key: str | None
    input: Any
    output: Any
    status: str
    invoke_index: int
    complete_index: int | None
    invoke_ns: int
    complete_ns: int | None
    role: str

    def to_json(self) -> dict[str, Any]:
        """``checkers.history.Operation.to_json()`` with ``id`` and ``role``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: object) -> ExplainedOp:
        d = mapping(data, "explained operation")
        process = d.get("process")
        if not isinstance(process, int | str) or isinstance(process, bool):
            raise ValueError(f"field 'process': expected a process, got {process!r}")
        return cls(
            integer(d, "id"),
            process,
            str(d.get("f")),
            optional_str(d, "key"),
            d.get("input"),
            d.get("output"),
            str(d.get("status")),
            integer(d, "invoke_index"),
            optional_int(d, "complete_index"),
            integer(d, "invoke_ns"),
            optional_int(d, "complete_ns"),
            str(d.get("role")),
        )


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the partial linearization: operation ``id`` and the model state after
    it, in the model's words."""

    id: int
    state_after: Any

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "state_after": self.state_after}

    @classmethod
    def from_json(cls, data: object) -> Step:
        d = mapping(data, "linearization step")
        return cls(integer(d, "id"), d.get("state_after"))


@dataclass(frozen=True, slots=True)
class Candidate:
    """An operation the search tried in place of the unplaceable one, and ``why`` it
    could not go next (``illegal`` in that state, or a ``dead end``)."""

    id: int
    why: str
    op: ExplainedOp

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "why": self.why, "op": self.op.to_json()}

    @classmethod
    def from_json(cls, data: object) -> Candidate:
        d = mapping(data, "candidate")
        return cls(integer(d, "id"), str(d.get("why")), ExplainedOp.from_json(d.get("op")))


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why partition ``key`` is not linearizable under ``model``: the longest partial
    linearization (``linearization``: every operation id in order; ``linearized``: its
    last steps with their states), the operation(s) that cannot be placed next, the
    model ``state`` there, the model's ``refutation`` in words when it found one, the
    ``candidates`` tried instead, and a ``window`` of the operations around it."""

    key: str | None
    model: str
    linearized_count: int
    linearized: tuple[Step, ...]
    linearization: tuple[int, ...]
    unplaceable: tuple[ExplainedOp, ...]
    state: Any
    refutation: str | None
    candidates: tuple[Candidate, ...]
    window: tuple[ExplainedOp, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "model": self.model,
            "linearized_count": self.linearized_count,
            "linearized": [s.to_json() for s in self.linearized],
            "linearization": list(self.linearization),
            "unplaceable": [o.to_json() for o in self.unplaceable],
            "state": self.state,
            "refutation": self.refutation,
            "candidates": [c.to_json() for c in self.candidates],
            "window": [o.to_json() for o in self.window],
        }

    @classmethod
    def from_json(cls, data: object) -> Explanation:
        d = mapping(data, "explanation")
        order = listed(d, "linearization")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in order):
            raise ValueError("field 'linearization': expected operation ids")
        return cls(
            key=optional_str(d, "key"),
            model=str(d.get("model")),
            linearized_count=integer(d, "linearized_count", len(order)),
            linearized=tuple(Step.from_json(s) for s in listed(d, "linearized")),
            linearization=tuple(order),
            unplaceable=tuple(ExplainedOp.from_json(o) for o in listed(d, "unplaceable")),
            state=d.get("state"),
            refutation=optional_str(d, "refutation"),
            candidates=tuple(Candidate.from_json(c) for c in listed(d, "candidates")),
            window=tuple(ExplainedOp.from_json(o) for o in listed(d, "window")),
        )


@dataclass(frozen=True, slots=True)
class LinearResult:
    """The linearizability checker's details: the model, how many operations and
    independent keys (partitions) it judged and finished, the failing key and, when the
    search got stuck there, the :class:`Explanation`. A result without details (a
    checker that crashed) reads as zeros and no explanation."""

    model: str | None = None
    operations: int = 0
    keys: int = 0
    keys_checked: int = 0
    failing_key: str | None = None
    explanation: Explanation | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "operations": self.operations,
            "keys": self.keys,
            "keys_checked": self.keys_checked,
            "failing_key": self.failing_key,
            "explanation": None if self.explanation is None else self.explanation.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearResult:
        """Read the checker's ``details``; raises ``ValueError`` naming a bad field."""
        explanation = data.get("explanation")
        return cls(
            model=optional_str(data, "model"),
            operations=integer(data, "operations", 0),
            keys=integer(data, "keys", 0),
            keys_checked=integer(data, "keys_checked", 0),
            failing_key=optional_str(data, "failing_key"),
            explanation=None if explanation is None else Explanation.from_json(explanation),
        )
