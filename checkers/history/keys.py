"""Independent keys (``jepsen.independent``): when a history's values are ``[key value]``.

Jepsen's independent-key histories carry ``:value [k v]`` on every client event. Reading
a plain history that way would be wrong (a cas-register's ``cas`` value is ``[old new]``
too), so the decision depends on what each ``f`` of the model takes: a
:data:`PlainShape` says whether a value fits an ``f`` as it is. A history is keyed when
every client event's value is ``[k v]`` with a scalar ``k`` and a ``v`` that fits, and
some event's value does not fit as it is; it is plain when every value fits as it is.
Neither is an error naming an event of each shape.

:func:`read_keys` applies the ``--independent`` choice: ``yes`` (keyed; an event that is
not ``[k v]`` is an error), ``no`` (plain, as read) or ``auto`` (decide as above).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import Any, Final

from base.op import NEMESIS, Op
from checkers.history.errors import HistoryFormatError

PlainShape = Callable[[str, Any], bool]
"""``(f, value) -> bool``: the value fits an event of this ``f`` as it is (not keyed).
The answer depends only on ``f`` and the value's shape: its type and, for a list, the
types of its elements (``checkers.history.jsonl_rows`` judges one value of each)."""

CHOICES: Final = ("auto", "yes", "no")
"""The ``--independent`` choices."""


def values_of(lists: Collection[str] = (), pairs: Collection[str] = ()) -> PlainShape:
    """The shape of a model whose ``f`` in ``lists`` take a list of scalars (or nil: a
    read's invocation), in ``pairs`` a pair of scalars (a cas's ``[old new]``), and every
    other ``f`` a scalar or nil."""
    list_fs, pair_fs = frozenset(lists), frozenset(pairs)

    def fits(f: str, value: Any) -> bool:
        if f in list_fs:
            return value is None or (isinstance(value, list) and all(map(_scalar, value)))
        if f in pair_fs:
            return isinstance(value, list) and len(value) == 2 and all(map(_scalar, value))
        return _scalar(value)

    return fits


def _scalar(value: Any) -> bool:
    return not isinstance(value, list | dict)


def any_value(f: str, value: Any) -> bool:
    """The shape of a model that is never keyed (every value fits as it is)."""
    del f, value
    return True


def _keyed(op: Op, plain: PlainShape | None) -> bool:
    value = op.value
    if not isinstance(value, list) or len(value) != 2 or isinstance(value[0], list | dict):
        return False
    return plain is None or plain(op.f, value[1])


def _describe(op: Op) -> str:
    return f"event {op.index} ({op.type.value} {op.f} {op.value!r})"


def read_keys(path: str, ops: Sequence[Op], choice: str, plain: PlainShape | None) -> list[Op]:
    """``ops`` with ``[k v]`` values moved into ``Op.key`` and ``Op.value`` when
    ``choice`` (see :data:`CHOICES`) and the history say so. ``plain`` is the model's
    :data:`PlainShape`; None keeps the generic rule (keyed when every client value is a
    pair with a scalar first element). Events that already carry a ``key`` are never
    split. Raises :class:`HistoryFormatError` naming the event that does not fit."""
    if choice not in CHOICES:
        raise ValueError(f"--independent must be one of {', '.join(CHOICES)}, not {choice!r}")
    if choice == "no":
        return list(ops)
    client = [op for op in ops if op.process != NEMESIS]
    if not client or any(op.key is not None for op in client):
        return list(ops)
    not_keyed = next((op for op in client if not _keyed(op, plain)), None)
    if choice == "yes":
        if not_keyed is not None:
            raise HistoryFormatError(
                path,
                None,
                f"--independent yes: {_describe(not_keyed)} is not a [key value] pair",
            )
        return _split(ops)
    if not_keyed is None and (plain is None or any(not plain(op.f, op.value) for op in client)):
        return _split(ops)
    if plain is None:
        return list(ops)
    unfit = next((op for op in client if not plain(op.f, op.value)), None)
    if unfit is None:
        return list(ops)
    assert not_keyed is not None
    raise HistoryFormatError(
        path,
        None,
        f"cannot tell whether keys are independent: {_describe(unfit)} is only readable "
        f"as [key value], {_describe(not_keyed)} only as a plain value; pass "
        "--independent yes or no",
    )


def _split(ops: Sequence[Op]) -> list[Op]:
    return [
        replace(op, key=str(op.value[0]), value=op.value[1]) if op.process != NEMESIS else op
        for op in ops
    ]
