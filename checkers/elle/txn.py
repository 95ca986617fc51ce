"""List-append transactions: micro-operations parsed from ``f="txn"`` operations.

A transaction's value is a list of micro-ops in Jepsen/Elle's shape:
``["append", k, v]`` appends element ``v`` to the list at key ``k``;
``["r", k, [v1, ...]]`` reads it (``null`` in the invocation, the list or ``null`` for
a missing key in the ``ok`` completion). Keys and elements must be JSON scalars (lists
are turned into tuples so that they can be compared and hashed).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from base.op import OpType
from checkers.history.errors import HistoryShapeError
from checkers.history.pairing import Attempt

APPEND = "append"
READ = "r"


@dataclass(frozen=True, slots=True)
class MicroOp:
    """``f`` is :data:`APPEND` (``value`` the element) or :data:`READ` (``value`` the
    observed list as a tuple, or None when unknown)."""

    f: str
    key: Hashable
    value: Any


@dataclass(frozen=True, slots=True)
class Txn:
    """One transaction: ``id`` is its node number in the dependency graph."""

    id: int
    attempt: Attempt
    mops: tuple[MicroOp, ...]

    @property
    def committed(self) -> bool:
        return self.attempt.outcome is OpType.OK

    @property
    def aborted(self) -> bool:
        return self.attempt.outcome is OpType.FAIL

    @property
    def index(self) -> int:
        """The history index a person finds the transaction by: its completion's, as
        Elle reports, or the invocation's when it never completed."""
        a = self.attempt
        if a.completion is not None and a.completion.index >= 0:
            return a.completion.index
        return a.invoke.index if a.invoke.index >= 0 else a.invoke_pos

    def to_json(self) -> dict[str, Any]:
        a = self.attempt
        return {
            "index": self.index,
            "process": a.process,
            "type": a.outcome.value,
            "time": a.complete_ns if a.complete_ns is not None else a.invoke_ns,
            "value": [
                [
                    m.f,
                    m.key,
                    list(m.value) if isinstance(m.value, tuple) and m.f == READ else m.value,
                ]
                for m in self.mops
            ],
        }


def _hashable(x: Any) -> Hashable:
    if isinstance(x, list | tuple):
        return tuple(_hashable(v) for v in x)
    if isinstance(x, dict):
        raise TypeError(f"a map is not a key or element: {x!r}")
    return x  # type: ignore[no-any-return]


def _observed(values: list[Any] | tuple[Any, ...] | None) -> tuple[Hashable, ...] | None:
    """A read's list as a tuple; hashing it first is a C-speed check that no element
    needs converting (the common case: a list of numbers or strings)."""
    if values is None:
        return None
    t = tuple(values)
    try:
        hash(t)
    except TypeError:
        return tuple(_hashable(v) for v in values)
    return t


def is_txn_value(value: Any) -> bool:
    """Whether ``value`` looks like a list of micro-ops (for histories without ``f``)."""
    return (
        isinstance(value, list | tuple)
        and len(value) > 0
        and all(isinstance(m, list | tuple) and len(m) == 3 for m in value)
    )


def parse_mops(value: Any, where: int) -> tuple[MicroOp, ...]:
    """The micro-ops of one transaction value; ``ValueError`` naming ``where`` (the
    history index) and the micro-op if one is malformed."""
    if not isinstance(value, list | tuple):
        raise HistoryShapeError(where, f"txn value is not a list of micro-ops: {value!r}")
    out: list[MicroOp] = []
    for i, m in enumerate(value):
        if not isinstance(m, list | tuple) or len(m) != 3:
            raise HistoryShapeError(where, f"txn micro-op {i}: expected [f, k, v]: {m!r}")
        f = str(m[0]).lstrip(":")
        if f in ("read", READ):
            observed = m[2]
            if observed is not None and not isinstance(observed, list | tuple):
                raise HistoryShapeError(
                    where, f"txn micro-op {i}: read of a non-list: {observed!r}"
                )
            try:
                out.append(MicroOp(READ, _hashable(m[1]), _observed(observed)))
            except TypeError as e:
                raise HistoryShapeError(where, f"txn micro-op {i}: {e}") from None
        elif f == APPEND:
            try:
                out.append(MicroOp(APPEND, _hashable(m[1]), _hashable(m[2])))
            except TypeError as e:
                raise HistoryShapeError(where, f"txn micro-op {i}: {e}") from None
        else:
            raise HistoryShapeError(where, f"txn micro-op {i}: unknown f {m[0]!r}")
    return tuple(out)


def txns_of(attempts: Sequence[Attempt], f: str = "txn") -> list[Txn]:
    """The transactions among ``attempts``: client operations with ``f`` (or any f whose
    value is a list of micro-ops). Reads of non-``ok`` transactions become unknown."""
    txns: list[Txn] = []
    for a in attempts:
        if not a.is_client or (a.f != f and not is_txn_value(a.invoke.value)):
            continue
        where = a.invoke.index if a.invoke.index >= 0 else a.invoke_pos
        mops = parse_mops(a.value, where)
        if not a.is_ok:
            mops = tuple(MicroOp(READ, m.key, None) if m.f == READ else m for m in mops)
        txns.append(Txn(len(txns), a, mops))
    return txns
