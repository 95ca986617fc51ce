"""A tiny history builder for hand-written checker tests: each event gets the next
index and a time 1 ms after the previous one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from base.op import NEMESIS, Op, OpType, Process

MS = 1_000_000


class History:
    def __init__(self) -> None:
        self.events: list[Op] = []
        self._open: dict[Process, Op] = {}

    def _append(self, op: Op) -> Op:
        n = len(self.events)
        op = replace(op, index=n, time_ns=(n + 1) * MS)
        self.events.append(op)
        return op

    def invoke(self, process: Process, f: str, value: Any = None, key: str | None = None) -> Op:
        op = self._append(Op(OpType.INVOKE, f, value, process, key=key))
        self._open[process] = op
        return op

    def _complete(self, process: Process, type_: OpType, value: Any, **extra: Any) -> Op:
        inv = self._open.pop(process)
        v = inv.value if value is _SAME else value
        return self._append(inv.complete(type_, value=v, **extra))

    def ok(self, process: Process, value: Any = None, **extra: Any) -> Op:
        return self._complete(process, OpType.OK, _SAME if value is None else value, **extra)

    def fail(self, process: Process, **extra: Any) -> Op:
        return self._complete(process, OpType.FAIL, _SAME, **extra)

    def info(self, process: Process, **extra: Any) -> Op:
        return self._complete(process, OpType.INFO, _SAME, **extra)

    def nemesis(self, f: str, value: Any = None) -> None:
        self.invoke(NEMESIS, f, value)
        self._complete(NEMESIS, OpType.INFO, _SAME)

    # whole operations

    def add(
        self,
        process: Process,
        value: Any,
        key: str | None = "k",
        acks: int | None = None,
        outcome: str = "ok",
    ) -> None:
        self.invoke(process, "add", value, key)
        if outcome == "ok":
            self.ok(process, acks=acks)
        elif outcome == "fail":
            self.fail(process)
        elif outcome == "info":
            self.info(process)

    def read(self, process: Process, values: Any, key: str | None = "k") -> None:
        self.invoke(process, "read", None, key)
        self._complete(process, OpType.OK, values)


_SAME: Any = object()


def txn(h: History, process: Process, mops: list[list[Any]], outcome: str = "ok") -> None:
    """One list-append transaction: ``mops`` are the completed micro-ops (reads with their
    results); the invocation carries the same micro-ops with reads as null."""
    invoked = [[f, k, None if f == "r" else v] for f, k, v in mops]
    h.invoke(process, "txn", invoked)
    if outcome == "ok":
        h.ok(process, mops)
    elif outcome == "fail":
        h.fail(process)
    elif outcome == "info":
        h.info(process)
