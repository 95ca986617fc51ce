"""The ``kv`` model of Porcupine's corpus: per key, ``get`` returns the string, ``put``
replaces it, ``append`` appends to it; a missing key reads as the empty string."""

from __future__ import annotations

from checkers.history.pairing import Operation
from checkers.linear.model import ANY_STATE, ILLEGAL, Call, Model, ModelError, State
from checkers.op import OpType

_GET, _PUT, _APPEND = 0, 1, 2


def _encode(op: Operation) -> Call | None:
    if op.f == "get":
        if op.outcome is not OpType.OK:
            return None
        return (_GET, "" if op.output is None else str(op.output))
    if op.f in ("put", "append"):
        if not isinstance(op.input, str):
            raise ModelError(op, f"{op.f} needs a string")
        return (_PUT if op.f == "put" else _APPEND, op.input)
    raise ModelError(op, "f must be one of get, put, append")


def _step(state: State, call: Call) -> State:
    assert isinstance(state, str)
    kind, v = call
    value: str = v
    if kind == _GET:
        return state if state == v else ILLEGAL
    if kind == _PUT:
        return value
    return state + value


def _requires(call: Call) -> State:
    kind, v = call
    return v if kind == _GET else ANY_STATE


def kv() -> Model:
    """Strings per key; checked key by key."""
    return Model("kv", str, _encode, _step, repr, requires=_requires)
