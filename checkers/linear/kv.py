"""The ``kv`` model of Porcupine's corpus: per key, ``get`` returns the string, ``put``
replaces it, ``append`` appends to it; a missing key reads as the empty string."""

from __future__ import annotations

from collections.abc import Sequence

from base.op import OpType
from checkers.history.keys import values_of
from checkers.history.pairing import Operation
from checkers.linear.model import ANY_STATE, ILLEGAL, Call, Model, ModelError, Refutation, State

_GET, _PUT, _APPEND = 0, 1, 2
_RECENT = 32
"""Appends a get is compared with when looking for a stale read."""


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


def _stale_read(ops: Sequence[Operation]) -> Refutation | None:
    """A get that misses the text of an append that completed before the get was
    invoked, with no put that could have come between (see ``Model.refute``)."""
    events: list[tuple[int, Operation]] = []  # (history index, op) of puts' invocations
    for op in ops:  # and of completions
        if op.f == "put":
            events.append((op.invoke_index, op))
        if op.outcome is OpType.OK and op.complete_index is not None:
            events.append((op.complete_index, op))
    events.sort(key=lambda e: e[0])
    appended: list[tuple[int, str]] = []  # (completion, text) that no put can erase
    puts_open = 0
    last_put_done = -1
    for index, op in events:
        if op.f == "put":
            if index == op.invoke_index:
                appended.clear()
                puts_open += 1
            else:
                puts_open -= 1
                last_put_done = index
        elif puts_open:
            continue
        elif op.f == "append":
            if last_put_done < op.invoke_index:  # no put can come after it
                appended.append((index, op.input))
        else:
            value = op.output or ""
            recent = appended[-_RECENT:]  # bounded: the look must stay linear
            for done, text in recent:
                if done < op.invoke_index and text not in value:
                    reason = (
                        f"the get at event {op.invoke_index} read {value!r}, without "
                        f"{text!r}, appended by an operation complete at event {done}"
                    )
                    return Refutation(index, op.id, reason)
    return None


def kv() -> Model:
    """Strings per key; checked key by key. Stale reads are looked for first."""
    return Model(
        "kv",
        str,
        _encode,
        _step,
        repr,
        requires=_requires,
        refute=_stale_read,
        blind=lambda call: bool(call[0] == _PUT),
        unknown_always_legal=True,
        read_only=lambda call: bool(call[0] == _GET),
        plain_value=values_of(),
    )
