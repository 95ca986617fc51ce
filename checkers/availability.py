"""Availability per fault and per shard: how long writes to each shard failed, and how
long after the heal every shard answered again.

A shard is one primary's slot range; the caller says which shard a key belongs to
(``shard_of``: the harness maps keys through the cluster's slot map at the start of the
run), so this module stays pure and knows nothing of slots.

For each fault period (a window from :mod:`checkers.faults`, up to the next period's
start) and each shard:

- the **outage** starts at the invocation of the first write to the shard, invoked in the
  period, that failed or timed out (``fail`` or ``info``);
- it ends at the completion of the first successful write to the shard invoked after that
  failure; if none came before the history ends, the shard did not recover
  (``recovered`` false, the outage lasts to the last write's event: the workload ended);
- a shard none of whose writes in the period failed has an entry too, with no outage
  (``first_failure_ns`` None, 0 s): every fault period lists every shard.

And per fault period, **recovery after heal**: from the end of the fault window (the heal's
completion) until every shard that was written to after it had completed a successful
write invoked after the heal; None if some shard never did.

Reads do not count (``read_fs``): the question is whether acknowledged writes could be
made. Pure: no I/O, no clocks.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from base.op import Op, OpType
from checkers.faults import FaultWindow
from checkers.history.pairing import Attempt, pair_attempts

READ_FS: frozenset[str] = frozenset({"read", "r"})


@dataclass(frozen=True, slots=True)
class ShardOutage:
    """How long writes to ``shard`` failed during one fault period."""

    shard: str
    first_failure_ns: int | None
    """None when no write to the shard failed in the period (no outage)."""
    end_ns: int | None
    """The first success's completion, or the last write's event if not recovered; None
    with no outage."""
    recovered: bool
    failed: int
    """Writes to the shard that ended ``fail`` during the outage."""
    timed_out: int
    """Writes to the shard that ended ``info`` (unknown) during the outage."""

    @property
    def had_outage(self) -> bool:
        return self.first_failure_ns is not None

    @property
    def seconds(self) -> float:
        if self.first_failure_ns is None or self.end_ns is None:
            return 0.0
        return round((self.end_ns - self.first_failure_ns) / 1e9, 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "shard": self.shard,
            "first_failure": self.first_failure_ns,
            "end": self.end_ns,
            "seconds": self.seconds,
            "recovered": self.recovered,
            "failed": self.failed,
            "timed_out": self.timed_out,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShardOutage:
        return cls(
            shard=str(data["shard"]),
            first_failure_ns=_optional_int(data.get("first_failure")),
            end_ns=_optional_int(data.get("end")),
            recovered=bool(data["recovered"]),
            failed=int(data["failed"]),
            timed_out=int(data["timed_out"]),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class FaultAvailability:
    """The outages of one fault period, and the recovery after its heal."""

    fault: str
    start_ns: int
    end_ns: int
    outages: tuple[ShardOutage, ...]
    recovery_after_heal_s: float | None
    """Seconds from the heal until every shard answered a write again; None if some
    shard never did, or if no write was invoked after the heal."""
    written_after_heal: bool = True
    """Some write was invoked after the heal (a fault healed by the final heal, after
    the workload, has none: nothing to measure)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "start": self.start_ns,
            "end": self.end_ns,
            "shards": [o.to_json() for o in self.outages],
            "recovery_after_heal_s": self.recovery_after_heal_s,
            "written_after_heal": self.written_after_heal,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultAvailability:
        return cls(
            fault=str(data["fault"]),
            start_ns=int(data["start"]),
            end_ns=int(data["end"]),
            outages=tuple(ShardOutage.from_json(o) for o in data.get("shards", ())),
            recovery_after_heal_s=data.get("recovery_after_heal_s"),
            written_after_heal=bool(data.get("written_after_heal", True)),
        )


class _ShardWrites:
    """One shard's writes, by invocation time."""

    def __init__(self, writes: list[Attempt]) -> None:
        self.writes = sorted(writes, key=lambda a: a.invoke_ns)
        self.invokes = [a.invoke_ns for a in self.writes]

    def from_index(self, t_ns: int) -> int:
        return bisect_left(self.invokes, t_ns)


def availability(
    history: Sequence[Op],
    windows: Sequence[FaultWindow],
    shard_of: Callable[[str | None], str | None],
    *,
    read_fs: Collection[str] = READ_FS,
    operations: Sequence[Attempt] | None = None,
    shards: Collection[str] = (),
) -> list[FaultAvailability]:
    """One :class:`FaultAvailability` per fault window, in time order, each with an
    entry per shard written in the history and per name in ``shards`` (the cluster's,
    written or not)."""
    ops = pair_attempts(history) if operations is None else operations
    by_shard: dict[str, list[Attempt]] = {}
    last_write_ns = 0
    for op in ops:
        if not op.is_client:
            continue
        if op.f in read_fs:
            continue
        last_write_ns = max(last_write_ns, op.complete_ns or op.invoke_ns)
        shard = shard_of(op.key)
        if shard is not None:
            by_shard.setdefault(shard, []).append(op)
    for name in shards:
        by_shard.setdefault(name, [])
    written = {name: _ShardWrites(writes) for name, writes in sorted(by_shard.items())}
    ordered = sorted(windows, key=lambda w: w.start_ns)
    out: list[FaultAvailability] = []
    for i, window in enumerate(ordered):
        period_end = ordered[i + 1].start_ns if i + 1 < len(ordered) else last_write_ns + 1
        outages = tuple(
            _outage(name, writes, window.start_ns, period_end, last_write_ns)
            or ShardOutage(name, None, None, True, 0, 0)
            for name, writes in written.items()
        )
        recovery = _recovery(written.values(), window.end_ns)
        after = any(w.from_index(window.end_ns) < len(w.writes) for w in written.values())
        out.append(
            FaultAvailability(
                window.name,
                window.start_ns,
                window.end_ns,
                outages,
                recovery if after else None,
                written_after_heal=after,
            )
        )
    return out


def _outage(
    shard: str, writes: _ShardWrites, start_ns: int, period_end_ns: int, last_ns: int
) -> ShardOutage | None:
    first = None
    for j in range(writes.from_index(start_ns), len(writes.writes)):
        op = writes.writes[j]
        if op.invoke_ns >= period_end_ns:
            return None
        if op.outcome is not OpType.OK:
            first = j
            break
    if first is None:
        return None
    failure = writes.writes[first]
    success_ns: int | None = None
    failed = timed_out = 0
    for op in writes.writes[first:]:
        if success_ns is not None and op.invoke_ns > success_ns:
            break
        if op.outcome is OpType.OK:
            done = op.complete_ns
            if done is not None and op.invoke_ns > failure.invoke_ns:
                success_ns = done if success_ns is None else min(success_ns, done)
        elif op.outcome is OpType.FAIL:
            failed += 1
        else:
            timed_out += 1
    return ShardOutage(
        shard=shard,
        first_failure_ns=failure.invoke_ns,
        end_ns=success_ns if success_ns is not None else last_ns,
        recovered=success_ns is not None,
        failed=failed,
        timed_out=timed_out,
    )


def _recovery(shards: Collection[_ShardWrites], heal_ns: int) -> float | None:
    latest = heal_ns
    for writes in shards:
        start = writes.from_index(heal_ns)
        if start >= len(writes.writes):
            continue  # not written to after the heal: nothing to say
        done = [
            op.complete_ns
            for op in writes.writes[start:]
            if op.outcome is OpType.OK and op.complete_ns is not None
        ]
        if not done:
            return None
        latest = max(latest, min(done))
    return round((latest - heal_ns) / 1e9, 3)
