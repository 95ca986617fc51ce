"""Models for the linearizability search: records of pure functions, Porcupine style.

A model turns each operation into a compact *call* (``encode``), and ``step`` applies a
call to a state, returning the next state or :data:`ILLEGAL`. States must be hashable
and compare by value: the search memoises (linearized set, state) pairs. ``partition``
splits a history into independently checkable parts (P-compositionality); the default
splits by ``Operation.key``.

A model whose operations are nondeterministic (an ``info`` dequeue removed some element,
or none) is built with :func:`powerset_model`: its state is the frozenset of states the
object may be in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from checkers.history.keys import PlainShape
from checkers.history.pairing import Operation


class _Sentinel:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


ILLEGAL: Final = _Sentinel("ILLEGAL")
"""What ``step`` returns when the call cannot happen in the state."""
ANY_STATE: Final = _Sentinel("ANY_STATE")
"""What ``requires`` returns for a call that has no single required state."""

State = Any
"""A model state: hashable, compared by value."""
Call = Any
"""What ``encode`` makes of an operation for ``step``."""


class ModelError(ValueError):
    """An operation the model cannot interpret (wrong f or value shape): the history and
    the model do not fit together. The message names the operation."""

    def __init__(self, op: Operation, message: str) -> None:
        super().__init__(f"event {op.invoke_index} ({op.f} {op.input!r}): {message}")


def by_key(ops: Sequence[Operation]) -> list[list[Operation]]:
    """One part per ``Operation.key`` (independent keys), in first-appearance order."""
    parts: dict[Any, list[Operation]] = {}
    for op in ops:
        parts.setdefault(op.key, []).append(op)
    return list(parts.values())


@dataclass(frozen=True, slots=True)
class Refutation:
    """A proof, found without searching, that a partition is not linearizable: the
    operation ``op_id`` (an ``Operation.id``) cannot take effect anywhere, and the
    history up to index ``cut`` (that operation's completion) already shows it.
    ``reason`` says why in words."""

    cut: int
    op_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Model:
    """A sequential specification.

    ``encode(op)`` returns the call, or None when the operation constrains nothing and can
    be left out (an ``info`` read); it raises :class:`ModelError` for operations that do
    not fit. ``step(state, call)`` is pure. ``keep_failed`` names the f whose ``fail``
    completions the model wants to see (see ``checkers.history.pair``).

    ``requires(call)``, optional, is the one state in which ``call`` is legal (a read
    requires the value it returned), or :data:`ANY_STATE`. It must agree with ``step``;
    it lets the search rule out most calls with a comparison instead of a step.

    ``refute(ops)``, optional, is a cheap look for an obvious violation (a stale read,
    say): a :class:`Refutation`, or None. It must be sound. The search then tries the
    short prefix it names first, so a history with a bad key among many is judged (and
    explained) quickly, even when proving it by search alone would take too long.

    ``blind(call)``, optional, is true for blind writes: calls that are legal in every
    state and whose next state does not depend on the state (a plain write). It must be
    exact; the search uses it to skip orders in which a timed-out write is overwritten
    at once.

    ``unknown_always_legal`` promises that the call of an operation that never completed
    (``info``) is legal in every state, as it is for every model here (an unknown cas
    either took effect or did not). The search then leaves such a call out wherever it
    would change nothing, trying it at the end instead.

    ``read_only(call)``, optional, is true for calls that never change the state (a
    read, a failed cas): the search then takes a completed such call as soon as it is
    legal and does not try the orders that place it later (moving it to the front of
    any linearization keeps every step legal and every real-time order).

    ``plain_value`` is the shape of each ``f``'s value as it is, for telling an
    independent-key history (``[key value]`` values) from a plain one
    (``checkers.history.keys``); None: the generic rule.
    """

    name: str
    init: Callable[[], State]
    encode: Callable[[Operation], Call | None]
    step: Callable[[State, Call], State]
    describe_state: Callable[[State], str] = repr
    partition: Callable[[Sequence[Operation]], list[list[Operation]]] = by_key
    keep_failed: frozenset[str] = field(default_factory=frozenset)
    requires: Callable[[Call], State] | None = None
    refute: Callable[[Sequence[Operation]], Refutation | None] | None = None
    blind: Callable[[Call], bool] | None = None
    unknown_always_legal: bool = False
    read_only: Callable[[Call], bool] | None = None
    plain_value: PlainShape | None = None


def powerset_model(
    name: str,
    init: Callable[[], State],
    encode: Callable[[Operation], Call | None],
    step_all: Callable[[State, Call], Iterable[State]],
    describe_state: Callable[[State], str] = repr,
    *,
    plain_value: PlainShape | None = None,
) -> Model:
    """A deterministic model over sets of states from a nondeterministic ``step_all``
    (which yields every possible next state; none means illegal)."""

    def step(states: State, call: Call) -> State:
        assert isinstance(states, frozenset)
        nxt = frozenset(s2 for s in states for s2 in step_all(s, call))
        return nxt if nxt else ILLEGAL

    def describe(states: State) -> str:
        assert isinstance(states, frozenset)
        if len(states) == 1:
            return describe_state(next(iter(states)))
        return "one of " + ", ".join(sorted(describe_state(s) for s in states))

    return Model(
        name,
        lambda: frozenset([init()]),
        encode,
        step,
        describe,
        unknown_always_legal=True,
        plain_value=plain_value,
    )


def freeze(value: Any) -> Any:
    """A hashable, comparable form of a JSON-able value (lists become tuples, maps sorted
    tuples of items, sets frozensets); scalars are returned as they are."""
    kind = type(value)
    if kind is int or kind is str or value is None:
        return value
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), freeze(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return frozenset(freeze(v) for v in value)
    return value
