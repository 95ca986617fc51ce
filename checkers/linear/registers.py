"""Register models: ``register`` (read/write), ``cas-register`` (read/write/cas) and
``multi-register`` (transactions over several registers). The initial value is nil.

A failed cas definitely did not happen, so the pairing removes it (Knossos' reading).
``cas_register(failed_cas_reads=True)`` takes Porcupine's stricter reading: a failed
cas *observed* a value other than its expected one, so it is kept as such a read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from base.op import OpType
from checkers.history.keys import any_value, values_of
from checkers.history.pairing import Operation
from checkers.linear.model import (
    ANY_STATE,
    ILLEGAL,
    Call,
    Model,
    ModelError,
    Refutation,
    State,
    freeze,
)
from checkers.linear.register_proofs import refute_register

_READ, _WRITE, _CAS, _CAS_FAILED, _CAS_UNKNOWN = range(5)
_READS = frozenset({"read", "r", "get"})
_WRITES = frozenset({"write", "w", "put", "set"})


def _describe(state: State) -> str:
    return "nil" if state is None else repr(state)


def _step(state: State, call: Call) -> State:
    kind, a, b = call
    a_: State = a
    if kind == _READ:
        return state if state == a else ILLEGAL
    if kind == _WRITE:
        return a_
    if kind == _CAS:
        return b if state == a else ILLEGAL
    if kind == _CAS_FAILED:
        return state if state != a else ILLEGAL
    return b if state == a else state  # an unknown cas took effect or did not


def _blind(call: Call) -> bool:
    return bool(call[0] == _WRITE)


def _read_only(call: Call) -> bool:
    return bool(call[0] == _READ or call[0] == _CAS_FAILED)


def _requires(call: Call) -> State:
    kind, a, _ = call
    return a if kind in (_READ, _CAS) else ANY_STATE


def _refute(ops: Sequence[Operation]) -> Refutation | None:
    """An unwritten or overwritten read (see ``checkers.linear.register_proofs``)."""
    return refute_register(ops, _READS, _WRITES)


def _encode_register(op: Operation, allow_cas: bool) -> Call | None:
    f = op.f
    if f in _READS:
        if op.outcome is not OpType.OK:
            return None  # an unknown read constrains nothing
        return (_READ, freeze(op.output), None)
    if f in _WRITES:
        return (_WRITE, freeze(op.input), None)
    if f == "cas" and allow_cas:
        pair_ = op.input
        if not isinstance(pair_, list | tuple) or len(pair_) != 2:
            raise ModelError(op, "cas needs a value [expected new]")
        old, new = freeze(pair_[0]), freeze(pair_[1])
        if op.outcome is OpType.OK:
            return (_CAS, old, new)
        if op.outcome is OpType.FAIL:
            return (_CAS_FAILED, old, None)
        return (_CAS_UNKNOWN, old, new)
    known = "read, write, cas" if allow_cas else "read, write"
    raise ModelError(op, f"f must be one of {known}")


def register() -> Model:
    """A read/write register."""
    return Model(
        "register",
        lambda: None,
        lambda op: _encode_register(op, False),
        _step,
        _describe,
        requires=_requires,
        refute=_refute,
        blind=_blind,
        unknown_always_legal=True,
        read_only=_read_only,
        plain_value=values_of(),
    )


def cas_register(failed_cas_reads: bool = False) -> Model:
    """A compare-and-set register; see the module docstring for ``failed_cas_reads``."""
    return Model(
        "cas-register",
        lambda: None,
        lambda op: _encode_register(op, True),
        _step,
        _describe,
        keep_failed=frozenset({"cas"}) if failed_cas_reads else frozenset(),
        requires=_requires,
        refute=_refute,
        blind=_blind,
        unknown_always_legal=True,
        read_only=_read_only,
        plain_value=values_of(pairs=("cas",)),
    )


def _encode_txn(op: Operation) -> Call | None:
    known = op.outcome is OpType.OK
    micro: list[tuple[bool, Any, Any]] = []
    if op.f == "txn":
        value = op.output if known else op.input
        if not isinstance(value, list):
            raise ModelError(op, "txn needs a list of [f k v] micro-operations")
        for m in value:
            if not isinstance(m, list | tuple) or len(m) != 3 or m[0] not in _READS | _WRITES:
                raise ModelError(op, f"bad micro-operation {m!r}: want [r|w k v]")
            is_read = m[0] in _READS
            if is_read and not known:
                continue
            micro.append((is_read, freeze(m[1]), freeze(m[2])))
    elif op.f in _READS | _WRITES:
        is_read = op.f in _READS
        value = op.output if is_read else op.input
        if is_read and not known:
            return None
        if not isinstance(value, dict):
            raise ModelError(op, f"{op.f} needs a map of register -> value")
        micro.extend((is_read, freeze(k), freeze(v)) for k, v in value.items())
    else:
        raise ModelError(op, "f must be one of txn, read, write")
    return tuple(micro) if micro else None


def _step_txn(state: State, call: Call) -> State:
    assert isinstance(state, frozenset)
    values = dict(state)
    for is_read, k, v in call:
        if is_read:
            if values.get(k) != v:
                return ILLEGAL
        else:
            values[k] = v
    return frozenset(values.items())


def _describe_txn(state: State) -> str:
    assert isinstance(state, frozenset)
    return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in sorted(state, key=repr)) + "}"


def multi_register() -> Model:
    """Registers named by key, read and written together: ``f txn`` with ``[[r k v] [w k
    v] ...]`` (Knossos' multi-register), or ``f read``/``write`` with a map ``{k v}``.
    Unwritten registers read nil."""
    return Model(
        "multi-register",
        frozenset,
        _encode_txn,
        _step_txn,
        _describe_txn,
        partition=lambda ops: [list(ops)],
        unknown_always_legal=True,
        plain_value=any_value,
    )
