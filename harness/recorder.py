"""The history recorder: numbers and timestamps every event, keeps them in memory for the
checkers, and appends them to ``history.jsonl`` as the run goes (flushed at least every
100 ms by :meth:`Recorder.flush_every`, and at the end).

Times are monotonic nanoseconds since the test started, from the event loop's clock
(``clock`` is injected: the loop's ``time``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from checkers.history.edn import write_edn
from checkers.op import NEMESIS, Op, OpType, Process

_TYPES = {"ok": OpType.OK, "fail": OpType.FAIL, "info": OpType.INFO}


class Recorder:
    """Append-only history. ``counts`` holds completions by type for the progress line."""

    def __init__(self, path: Path, clock: Callable[[], float], start: float) -> None:
        self.path = path
        self.ops: list[Op] = []
        self.counts = {"ok": 0, "fail": 0, "info": 0}
        self._clock = clock
        self._start = start
        self._flushed = 0
        self._file: IO[str] | None = open(path, "a", encoding="utf-8")  # noqa: SIM115

    def now_ns(self) -> int:
        return int((self._clock() - self._start) * 1e9)

    def invoke(self, process: Process, f: str, value: Any, key: str | None = None) -> Op:
        op = Op(
            type=OpType.INVOKE,
            f=f,
            value=value,
            process=process,
            index=len(self.ops),
            time_ns=self.now_ns(),
            key=key,
        )
        self.ops.append(op)
        return op

    def complete(
        self,
        invoke: Op,
        outcome: str,
        value: Any,
        *,
        node: str | None = None,
        error: str | None = None,
        acks: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Op:
        """Record the completion of ``invoke``; ``outcome`` is "ok", "fail" or "info"."""
        op = Op(
            type=_TYPES[outcome],
            f=invoke.f,
            value=value,
            process=invoke.process,
            index=len(self.ops),
            time_ns=self.now_ns(),
            key=invoke.key,
            node=node,
            error=error,
            acks=acks,
            **({"extra": extra} if extra else {}),
        )
        self.ops.append(op)
        if invoke.process != NEMESIS:
            self.counts[outcome] += 1
        return op

    def record(self, op: Op) -> Op:
        """Record a ready-made event (nemesis ops), assigning index and time."""
        stamped = replace(op, index=len(self.ops), time_ns=self.now_ns())
        self.ops.append(stamped)
        return stamped

    def flush(self) -> None:
        """Write every event not yet written, one JSON object per line."""
        if self._file is None or self._flushed == len(self.ops):
            return
        end = len(self.ops)
        dumps = json.dumps
        lines = [dumps(op.to_json(), separators=(",", ":")) for op in self.ops[self._flushed : end]]
        self._file.write("\n".join(lines) + "\n")
        self._file.flush()
        self._flushed = end

    async def flush_every(self, interval_s: float = 0.1) -> None:
        """Flush forever (cancel to stop)."""
        while True:
            await asyncio.sleep(interval_s)
            self.flush()

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None


def write_edn_history(ops: list[Op], path: Path) -> None:
    """``history.edn`` (Jepsen's form, one map per line) with the checkers' EDN writer."""
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(write_edn(ops))
