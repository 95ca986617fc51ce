"""Operations: client invocations paired with their completions (Jepsen's rules).

- A completion closes the open invocation of the same process; ``fail`` means the
  operation did not happen, so it is removed.
- ``info`` (or no completion at all) means unknown: the operation may take effect at any
  time after its invocation, so it stays open until the end of the history.
- A process whose operation ended ``info`` never invokes again (Jepsen gives the worker
  a fresh process id); doing so is an error, as are a second invocation while one is
  open and a completion with nothing open.
- Nemesis events are not operations and are skipped.
- Event indexes must increase: they order the events in time. A history whose events
  are not numbered yet (index -1) is numbered by position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from checkers.history.errors import HistoryPairingError
from checkers.op import NEMESIS, Op, OpType, Process


@dataclass(frozen=True, slots=True)
class Operation:
    """One client operation that may have happened.

    ``input`` is the invocation's value, ``output`` the completion's value (None when
    the outcome is unknown). ``outcome`` is ``OK``, ``INFO`` (unknown: it may take effect
    at any time after its invocation) or, only when asked for, ``FAIL``.
    ``complete_index`` and ``complete_ns`` are None for ``INFO`` operations.
    """

    id: int
    process: Process
    f: str
    key: str | None
    input: Any
    output: Any
    outcome: OpType
    invoke_index: int
    complete_index: int | None
    invoke_ns: int
    complete_ns: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "process": self.process,
            "f": self.f,
            "key": self.key,
            "input": self.input,
            "output": self.output,
            "status": self.outcome.value,
            "invoke_index": self.invoke_index,
            "complete_index": self.complete_index,
            "invoke_ns": self.invoke_ns,
            "complete_ns": self.complete_ns,
        }


def pair(history: Sequence[Op], keep_failed: frozenset[str] = frozenset()) -> list[Operation]:
    """The operations of ``history`` that may have happened, in invocation order, with
    ``id`` their position in that list. Failed operations whose f is in ``keep_failed``
    are kept (outcome ``FAIL``), for models that read something into a failure (a failed
    compare-and-set saw another value). Raises :class:`HistoryPairingError`."""
    if any(op.index < 0 for op in history):  # not numbered yet: number by position
        history = [replace(op, index=i) for i, op in enumerate(history)]
    open_: dict[Process, Op] = {}
    crashed: set[Process] = set()
    done: list[tuple[int, Op, Op | None]] = []  # (invoke index, invocation, completion)
    invoke, ok, fail, info = OpType.INVOKE, OpType.OK, OpType.FAIL, OpType.INFO
    last = -1
    for op in history:
        if op.index <= last:
            raise HistoryPairingError(op.index, f"event indexes must increase (after {last})")
        last = op.index
        process = op.process
        if process == NEMESIS:
            continue
        type_ = op.type
        if type_ is invoke:
            if process in open_:
                raise HistoryPairingError(
                    op.index,
                    f"process {process} invokes while its event {open_[process].index} is open",
                )
            if process in crashed:
                raise HistoryPairingError(
                    op.index, f"process {process} invokes again after an info completion"
                )
            open_[process] = op
            continue
        inv = open_.pop(process, None)
        if inv is None:
            raise HistoryPairingError(
                op.index, f"{type_.value} completion of process {process} with no open invocation"
            )
        if op.f != inv.f:
            raise HistoryPairingError(
                op.index, f"completion f {op.f!r} does not match invocation f {inv.f!r}"
            )
        if type_ is ok or (type_ is fail and op.f in keep_failed):
            done.append((inv.index, inv, op))
        elif type_ is info:
            crashed.add(process)
            done.append((inv.index, inv, None))
    done.extend((inv.index, inv, None) for inv in open_.values())
    done.sort(key=_first)
    operations: list[Operation] = []
    for i, (_, inv, comp) in enumerate(done):
        if comp is None:
            operations.append(
                Operation(
                    i, inv.process, inv.f, inv.key, inv.value, None, info, inv.index, None,
                    inv.time_ns, None,
                )
            )  # fmt: skip
        else:
            operations.append(
                Operation(
                    i, inv.process, inv.f, inv.key, inv.value, comp.value, comp.type, inv.index,
                    comp.index, inv.time_ns, comp.time_ns,
                )
            )  # fmt: skip
    return operations


def _first(item: tuple[int, Op, Op | None]) -> int:
    return item[0]
