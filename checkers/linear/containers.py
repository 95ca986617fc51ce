"""Collection models: ``set``, ``counter``, ``unordered-queue`` and ``fifo-queue``.

An ``info`` dequeue may have removed an element (any one, or the head) or nothing, so
the queues are nondeterministic and built with :func:`powerset_model`. A dequeue that
returned nil saw an empty queue.
"""

from __future__ import annotations

from collections.abc import Iterable

from base.op import OpType
from checkers.history.keys import values_of
from checkers.history.pairing import Operation
from checkers.linear.model import (
    ANY_STATE,
    ILLEGAL,
    Call,
    Model,
    ModelError,
    State,
    freeze,
    powerset_model,
)

_ADD, _READ = 0, 1
_PLAIN = values_of(lists=("read", "smembers"))
"""A set read returns a list of elements; every other value is a scalar."""
_ENQUEUE, _DEQUEUE, _DEQUEUE_UNKNOWN = 0, 1, 2


def _encode_set(op: Operation) -> Call | None:
    if op.f in ("add", "sadd"):
        return (_ADD, freeze(op.input))
    if op.f in ("read", "smembers"):
        if op.outcome is not OpType.OK:
            return None
        if not isinstance(op.output, list | tuple | set | frozenset):
            raise ModelError(op, "a set read returns a collection of elements")
        return (_READ, frozenset(freeze(v) for v in op.output))
    raise ModelError(op, "f must be one of add, read")


def _step_set(state: State, call: Call) -> State:
    assert isinstance(state, frozenset)
    kind, v = call
    if kind == _ADD:
        return state if v in state else state | {v}
    return state if state == v else ILLEGAL


def _describe_elements(state: State) -> str:
    assert isinstance(state, frozenset | tuple)
    items = sorted(state, key=repr) if isinstance(state, frozenset) else list(state)
    return "#{" + " ".join(repr(v) for v in items) + "}"


def _requires_read(call: Call) -> State:
    kind, v = call
    return v if kind == _READ else ANY_STATE


def set_model() -> Model:
    """A grow-only set: ``add`` an element, ``read`` all elements."""
    return Model(
        "set",
        frozenset,
        _encode_set,
        _step_set,
        _describe_elements,
        requires=_requires_read,
        unknown_always_legal=True,
        read_only=lambda call: bool(call[0] == _READ),
        plain_value=_PLAIN,
    )


def _encode_counter(op: Operation) -> Call | None:
    if op.f in ("add", "incr", "increment", "incrby"):
        delta = 1 if op.input is None else op.input
        if not isinstance(delta, int) or isinstance(delta, bool):
            raise ModelError(op, "add needs an integer")
        return (_ADD, delta)
    if op.f == "read":
        if op.outcome is not OpType.OK:
            return None
        if not isinstance(op.output, int) and op.output is not None:
            raise ModelError(op, "a counter read returns an integer")
        return (_READ, op.output or 0)
    raise ModelError(op, "f must be one of add, read")


def _step_counter(state: State, call: Call) -> State:
    assert isinstance(state, int)
    kind, v = call
    if kind == _ADD:
        return state + int(v)
    return state if state == v else ILLEGAL


def counter() -> Model:
    """A counter starting at 0: ``add`` n (default 1), ``read``."""
    return Model(
        "counter",
        lambda: 0,
        _encode_counter,
        _step_counter,
        repr,
        requires=_requires_read,
        unknown_always_legal=True,
        read_only=lambda call: bool(call[0] == _READ),
        plain_value=values_of(),
    )


def _encode_queue(op: Operation) -> Call | None:
    if op.f in ("enqueue", "push", "offer"):
        return (_ENQUEUE, freeze(op.input))
    if op.f in ("dequeue", "pop", "poll"):
        if op.outcome is OpType.OK:
            return (_DEQUEUE, freeze(op.output))
        return (_DEQUEUE_UNKNOWN, None)
    raise ModelError(op, "f must be one of enqueue, dequeue")


def _step_unordered(state: State, call: Call) -> Iterable[State]:
    assert isinstance(state, tuple)  # a sorted-by-repr multiset
    kind, v = call
    if kind == _ENQUEUE:
        return (tuple(sorted((*state, v), key=repr)),)
    if kind == _DEQUEUE:
        if v is None:
            return (state,) if not state else ()
        if v not in state:
            return ()
        i = state.index(v)
        return (state[:i] + state[i + 1 :],)
    return (state, *(state[:i] + state[i + 1 :] for i in range(len(state))))


def _step_fifo(state: State, call: Call) -> Iterable[State]:
    assert isinstance(state, tuple)
    kind, v = call
    if kind == _ENQUEUE:
        return ((*state, v),)
    if kind == _DEQUEUE:
        if v is None:
            return (state,) if not state else ()
        return (state[1:],) if state and state[0] == v else ()
    return (state, state[1:]) if state else (state,)


def unordered_queue() -> Model:
    """A queue without order: a dequeue returns any enqueued, not yet dequeued element."""
    return powerset_model(
        "unordered-queue",
        tuple,
        _encode_queue,
        _step_unordered,
        _describe_q,
        plain_value=values_of(),
    )


def fifo_queue() -> Model:
    """A first-in, first-out queue."""
    return powerset_model(
        "fifo-queue", tuple, _encode_queue, _step_fifo, _describe_q, plain_value=values_of()
    )


def _describe_q(state: State) -> str:
    assert isinstance(state, tuple)
    return "[" + " ".join(repr(v) for v in state) + "]"
