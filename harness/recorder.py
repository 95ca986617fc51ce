"""The history recorder: numbers and timestamps every event, keeps them in memory for the
checkers, and appends them to ``history.jsonl`` as the run goes (flushed at least every
100 ms by :meth:`Recorder.flush_every`, and at the end).

Times are monotonic nanoseconds since the test started, from the injected ``clock_ns``
(the runner passes ``time.monotonic_ns``: CLOCK_MONOTONIC, the event loop's clock, at
full resolution; uvloop's ``loop.time()`` is cached per loop iteration to 1 ms).

The hot path stores a plain tuple per event (building a frozen :class:`Op` costs more
than the Redis round trip it records); :meth:`history` turns them into ``Op`` values, and
:meth:`flush` writes exactly ``Op.to_json()``'s form.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from base.op import NEMESIS, Op, OpType, Process
from checkers.history.edn import write_edn

_TYPES = {t.value: t for t in OpType}
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode

# (type, f, value, process, time_ns, key, node, error, acks, extra)
Event = tuple[str, str, Any, Process, int, str | None, str | None, str | None, int | None, Any]


class Recorder:
    """Append-only history. ``counts`` holds client completions by type (progress line)."""

    def __init__(self, path: Path, clock_ns: Callable[[], int], start_ns: int) -> None:
        self.path = path
        self.counts = {"ok": 0, "fail": 0, "info": 0}
        self._events: list[Event] = []
        self._ops: list[Op] = []
        self._clock_ns = clock_ns
        self._start_ns = start_ns
        self._flushed = 0
        self._file: IO[str] | None = open(path, "a", encoding="utf-8")  # noqa: SIM115

    def __len__(self) -> int:
        return len(self._events)

    def now_ns(self) -> int:
        return self._clock_ns() - self._start_ns

    def invoke(self, process: Process, f: str, value: Any, key: str | None = None) -> int:
        """Record an invocation; returns its index (the handle for :meth:`complete`)."""
        events = self._events
        events.append(
            (
                "invoke",
                f,
                value,
                process,
                self._clock_ns() - self._start_ns,
                key,
                None,
                None,
                None,
                None,
            )
        )
        return len(events) - 1

    def complete(
        self,
        invoke: int,
        outcome: str,
        value: Any,
        *,
        node: str | None = None,
        error: str | None = None,
        acks: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Record the completion ("ok", "fail" or "info") of invocation ``invoke``."""
        events = self._events
        inv = events[invoke]
        events.append(
            (
                outcome,
                inv[1],
                value,
                inv[3],
                self._clock_ns() - self._start_ns,
                inv[5],
                node,
                error,
                acks,
                extra,
            )
        )
        if inv[3] != NEMESIS:
            self.counts[outcome] += 1
        return len(events) - 1

    def record(self, op: Op) -> Op:
        """Record a ready-made event (nemesis ops); returns it with index and time."""
        index, time_ns = len(self._events), self.now_ns()
        extra = dict(op.extra) if op.extra else None
        self._events.append(
            (
                op.type.value,
                op.f,
                op.value,
                op.process,
                time_ns,
                op.key,
                op.node,
                op.error,
                op.acks,
                extra,
            )
        )
        return self._op(index)

    def _op(self, index: int) -> Op:
        t, f, value, process, time_ns, key, node, error, acks, extra = self._events[index]
        return Op(
            type=_TYPES[t],
            f=f,
            value=value,
            process=process,
            index=index,
            time_ns=time_ns,
            key=key,
            node=node,
            error=error,
            acks=acks,
            extra=MappingProxyType(extra) if extra else MappingProxyType({}),
        )

    def history(self) -> list[Op]:
        """Every event so far as :class:`Op` values, in index order."""
        for i in range(len(self._ops), len(self._events)):
            self._ops.append(self._op(i))
        return self._ops

    def line(self, index: int) -> str:
        """Event ``index`` as its history.jsonl line (``Op.to_json`` form)."""
        t, f, value, process, time_ns, key, node, error, acks, extra = self._events[index]
        d: dict[str, Any] = {
            "index": index,
            "time": time_ns,
            "type": t,
            "process": process,
            "f": f,
            "value": value,
        }
        if key is not None:
            d["key"] = key
        if node is not None:
            d["node"] = node
        if error is not None:
            d["error"] = error
        if acks is not None:
            d["acks"] = acks
        if extra:
            for k, v in extra.items():
                d.setdefault(k, v)
        return _encode(d)

    def flush(self) -> None:
        """Write every event not yet written, one JSON object per line."""
        end = len(self._events)
        if self._file is None or self._flushed == end:
            return
        line = self.line
        self._file.write("".join([line(i) + "\n" for i in range(self._flushed, end)]))
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
