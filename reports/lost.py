"""Lost acknowledged writes, as the report lists them: set-full's lost writes
(:class:`checkers.results.setfull.SetFullResult`, each its one
:class:`~checkers.results.setfull.LostWrite`) with labels of the faults (with their
targets) possibly active while it was in flight. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

from checkers.faults import FaultIndex, FaultWindow
from checkers.history.pairing import Attempt
from checkers.loss_windows import offset_s, placed
from checkers.results.setfull import LostWrite, SetCounts, SetFullResult
from reports.history import fault_label

COUNT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(SetCounts))
"""The counts of :class:`SetCounts`, in their order (the by-WAIT-level table's columns)."""


@dataclass(frozen=True, slots=True)
class ListedLoss:
    """One listed lost write and the labels of the faults active while it was in flight."""

    write: LostWrite
    faults: tuple[str, ...]
    lost_by: str = "no fault"
    """The fault period that lost it (:func:`checkers.loss_windows.placed`), named with
    its start and the acknowledgement's offset after it."""


@dataclass(frozen=True, slots=True)
class LostWrites:
    """The lost-write figures of a run: set-full's ``result`` and every lost write it
    listed, joined with the history."""

    result: SetFullResult
    lost: tuple[ListedLoss, ...]

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

    def by_level(self) -> dict[str, list[ListedLoss]]:
        """Lost writes grouped by WAIT acknowledgement level, lowest level first."""
        groups: dict[int | None, list[ListedLoss]] = {}
        for w in self.lost:
            groups.setdefault(w.write.acks, []).append(w)
        order = sorted(groups, key=lambda a: -1 if a is None else a)
        return {wait_label(a): sorted(groups[a], key=_when) for a in order}


def _when(w: ListedLoss) -> int:
    return w.write.invoke_ns


def wait_label(acks: int | None) -> str:
    return "no WAIT" if acks is None else f"WAIT acks = {acks}"


def _lost_by(write: LostWrite, window: FaultWindow | None) -> str:
    if window is None:
        return "no fault"
    return (
        f"{fault_label(window)} from {window.start_ns / 1e9:,.2f} s"
        f" ({offset_s(write, window):+.2f} s)"
    )


def lost_writes(
    result: SetFullResult, operations: Sequence[Attempt], faults: Sequence[FaultWindow]
) -> LostWrites:
    """Label set-full's lost writes with the fault windows active while each was in
    flight, naming the targets. A write recorded without its process (results.json of
    an older version) gets it from its add in ``operations`` (by invocation index)."""
    by_index = {op.invoke.index: op for op in operations}
    index = FaultIndex(faults)
    lost: list[ListedLoss] = []
    for listed, window in placed(result.lost, faults):
        add = by_index.get(listed.index)
        w = (
            listed
            if listed.process is not None or add is None
            else replace(listed, process=add.process)
        )
        labels = tuple(fault_label(f) for f in index.overlapping(w.invoke_ns, w.ack_ns))
        lost.append(ListedLoss(w, labels, _lost_by(w, window)))
    return LostWrites(result, tuple(lost))
