"""Lost acknowledged writes, as the report lists them: set-full's lost writes
(:class:`checkers.results.setfull.SetFullResult`) with the process that wrote each and
the faults (with their targets) possibly active while it was in flight. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from checkers.faults import FaultIndex, FaultWindow
from checkers.history.pairing import Attempt
from checkers.results.setfull import SetCounts, SetFullResult
from reports.history import fault_label

COUNT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(SetCounts))
"""The counts of :class:`SetCounts`, in their order (the by-WAIT-level table's columns)."""


@dataclass(frozen=True, slots=True)
class LostWrite:
    value: Any
    key: Any
    node: str | None
    process: Any
    invoke_ns: int | None
    ack_ns: int | None
    acks: int | None
    faults: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LostWrites:
    """The lost-write figures of a run: set-full's ``result`` and every lost write it
    listed, joined with the history."""

    result: SetFullResult
    lost: tuple[LostWrite, ...]

    @property
    def lost_count(self) -> int:
        return self.result.counts.lost

    @property
    def counts(self) -> dict[str, int]:
        """The headline counts, by name."""
        c = self.result.counts
        return {
            "acknowledged": c.acknowledged,
            "lost": c.lost,
            "recovered": c.recovered,
            "unexpected": self.result.unexpected_count,
            "stale": c.stale,
            "never_read": c.never_read,
        }

    @property
    def by_acks(self) -> Mapping[str, SetCounts]:
        return self.result.by_acks

    def by_level(self) -> dict[str, list[LostWrite]]:
        """Lost writes grouped by WAIT acknowledgement level, lowest level first."""
        groups: dict[int | None, list[LostWrite]] = {}
        for w in self.lost:
            groups.setdefault(w.acks, []).append(w)
        order = sorted(groups, key=lambda a: -1 if a is None else a)
        return {wait_label(a): sorted(groups[a], key=_when) for a in order}


def _when(w: LostWrite) -> int:
    return w.invoke_ns if w.invoke_ns is not None else -1


def wait_label(acks: int | None) -> str:
    return "no WAIT" if acks is None else f"WAIT acks = {acks}"


def lost_writes(
    result: SetFullResult, operations: Sequence[Attempt], faults: Sequence[FaultWindow]
) -> LostWrites:
    """Join set-full's lost writes with their add (by its invocation's index) for the
    process, and with the fault windows for labels naming the targets."""
    by_index = {op.invoke.index: op for op in operations}
    index = FaultIndex(faults)
    lost: list[LostWrite] = []
    for w in result.lost:
        add = by_index.get(w.index)
        hi = w.complete_ns if w.complete_ns is not None else w.invoke_ns
        lost.append(
            LostWrite(
                value=w.value,
                key=w.key,
                node=w.node,
                process=None if add is None else add.process,
                invoke_ns=w.invoke_ns,
                ack_ns=w.complete_ns,
                acks=w.acks,
                faults=tuple(fault_label(f) for f in index.overlapping(w.invoke_ns, hi)),
            )
        )
    return LostWrites(result, tuple(lost))
