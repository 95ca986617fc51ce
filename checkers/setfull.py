"""Acknowledged-write loss for set workloads (the semantics of Jepsen's set-full checker).

History shape: ``f="add"`` with a unique element per key as ``value``; ``f="read"`` whose
``ok`` completion carries the key's whole set as a list. Keys are independent.

For every element (key, value) the checker derives, from event positions:

- *known*: when the element was certainly in the set: the add's ``ok`` completion, or
  the completion of the first read that saw it, whichever comes first.
- *last present*: the completion of the last read that saw it.

Then, per element:

- **lost**: known, and some read *began* after both known and last present, and (sets
  only grow) that read and every later one missed it. The final read after healing is
  the usual witness.
- **stale**: a read that began after the element was known missed it, yet a later
  read saw it again (the element is not lost; the read was stale).
- **never read**: known from its ``ok`` add but no read began after that.
- **recovered**: the add ended ``info`` (unknown) and some read saw the element.
- **unexpected**: a read returned a value never added to that key, or whose add
  definitely failed.

Valid iff nothing is lost and nothing unexpected. Unknown if some key had acknowledged
adds but no successful read. Every count is also split by the ``WAIT`` acknowledgement
level recorded on the add's completion (``acks``; ``"none"`` when no WAIT ran).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from base.op import Op, OpType
from checkers.faults import FaultIndex, fault_windows
from checkers.history.errors import HistoryShapeError
from checkers.history.pairing import NEVER, Attempt, pair_attempts
from checkers.quantiles import summary_ms
from checkers.results.setfull import CHECKER, LostWrite, SetCounts, SetFullResult
from checkers.verdict import CheckResult, Verdict


@dataclass(slots=True)
class _Element:
    add: Attempt
    known: int = NEVER
    first_seen: Attempt | None = None
    last_present: int = -1
    last_seen: Attempt | None = None
    present_invokes: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Key:
    elements: dict[Hashable, _Element] = field(default_factory=dict)
    failed: set[Hashable] = field(default_factory=set)
    reads: list[Attempt] = field(default_factory=list)
    read_sets: dict[int, frozenset[Hashable]] = field(default_factory=dict)


def _element(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _index(op: Attempt, pos: int) -> int:
    return op.invoke.index if op.invoke.index >= 0 else pos


def _acks_level(op: Attempt) -> str:
    return "none" if op.acks is None else str(op.acks)


class SetFullChecker:
    """Lost, stale, recovered, unexpected and never-read elements of a grow-only set."""

    name = CHECKER

    def __init__(self, *, add_f: str = "add", read_f: str = "read", max_listed: int = 100):
        self.add_f = add_f
        self.read_f = read_f
        self.max_listed = max_listed

    def every_lost_write(self, history: Sequence[Op]) -> list[LostWrite]:
        """Every lost write of ``history`` (not only the first ``max_listed``), in the
        checker's order: what the run folder's lost.jsonl holds. A history the checker
        cannot judge has none."""
        everything = SetFullChecker(add_f=self.add_f, read_f=self.read_f, max_listed=2**62)
        result = everything.check(history)
        if not result.details:
            return []
        return list(SetFullResult.from_json(result.details).lost)

    def check(self, history: Sequence[Op]) -> CheckResult:
        """A history it cannot judge (a read that is not a list, an element that cannot
        be a set member) is ``unknown``, with the event named in the reason."""
        try:
            ops = pair_attempts(history)
            keys = self._collect(ops)
            faults = FaultIndex(fault_windows(history, ops))
            report = _Report(self.max_listed, faults)
            for key, state in keys.items():
                report.key(key, state)
        except HistoryShapeError as e:
            return CheckResult(self.name, Verdict.UNKNOWN, f"bad history: {e}")
        return report.result(self.name)

    def _collect(self, ops: Sequence[Attempt]) -> dict[Any, _Key]:
        keys: dict[Any, _Key] = defaultdict(_Key)
        for op in ops:
            if not op.is_client:
                continue
            if op.f == self.add_f:
                state = keys[op.key]
                value = _element(op.invoke.value)
                try:
                    if op.outcome is OpType.FAIL:
                        state.failed.add(value)
                    else:
                        state.elements.setdefault(value, _Element(op))
                except TypeError:
                    raise HistoryShapeError(
                        _index(op, op.invoke_pos), f"add of {value!r}: not a set element"
                    ) from None
            elif op.f == self.read_f and op.is_ok:
                seen = op.value
                if seen is not None and not isinstance(seen, list | tuple | set | frozenset):
                    raise HistoryShapeError(
                        _index(op, op.invoke_pos), f"read value is not a list: {seen!r}"
                    )
                keys[op.key].reads.append(op)
        return keys


class _Report:
    """Accumulates per-key findings into the checker's JSON details."""

    def __init__(self, max_listed: int, faults: FaultIndex) -> None:
        self.max_listed = max_listed
        self.faults = faults
        self.counts: Counter[str] = Counter()
        self.by_acks: dict[str, Counter[str]] = defaultdict(Counter)
        self.lost: list[LostWrite] = []
        self.unexpected: list[dict[str, Any]] = []
        self.duplicated: list[dict[str, Any]] = []
        self.stale_reads: dict[int, dict[str, Any]] = {}
        self.never_read: list[dict[str, Any]] = []
        self.unread_keys: list[Any] = []
        self.latencies: list[int] = []

    def count(self, what: str, op: Attempt | None) -> None:
        self.counts[what] += 1
        if op is not None:
            self.by_acks[_acks_level(op)][what] += 1

    def key(self, key: Any, state: _Key) -> None:
        self._scan_reads(key, state)
        reads = state.reads
        read_invokes = [r.invoke_pos for r in reads]
        last_read_invoke = read_invokes[-1] if read_invokes else -1
        for value, el in state.elements.items():
            add = el.add
            self.count("attempted", add)
            if add.is_ok:
                self.count("acknowledged", add)
                el.known = min(el.known, add.complete_pos)
            if add.outcome is not OpType.OK and el.first_seen is not None:
                self.count("recovered", add)
            if el.first_seen is not None and el.first_seen.complete_ns is not None:
                self.latencies.append(max(0, el.first_seen.complete_ns - add.invoke_ns))
            if el.known == NEVER:
                continue
            horizon = max(el.known, el.last_present)
            if last_read_invoke > horizon:
                self.count("lost", add)
                if len(self.lost) < self.max_listed:
                    witness = reads[bisect_right(read_invokes, horizon)]
                    self.lost.append(self._lost(key, value, el, witness))
                continue
            if el.first_seen is None:
                if add.is_ok:
                    self.count("never_read", add)
                    if len(self.never_read) < self.max_listed:
                        self.never_read.append({"key": key, "value": value})
                continue
            self._stale(key, value, el, state, read_invokes)
        if not reads and any(e.add.is_ok for e in state.elements.values()):
            self.unread_keys.append(key)

    def _scan_reads(self, key: Any, state: _Key) -> None:
        for r in state.reads:
            values = [_element(v) for v in r.value or ()]
            try:
                members = frozenset(values)
            except TypeError:
                bad = next(v for v in values if not _hashable(v))
                raise HistoryShapeError(
                    _index(r, r.invoke_pos), f"read holds {bad!r}: not a set element"
                ) from None
            state.read_sets[r.invoke_pos] = members
            if len(members) != len(values):
                dups = sorted((v for v, n in Counter(values).items() if n > 1), key=repr)
                self.counts["duplicated"] += len(dups)
                if len(self.duplicated) < self.max_listed:
                    self.duplicated.append(
                        {
                            "key": key,
                            "index": _index(r, r.invoke_pos),
                            "values": dups[: self.max_listed],
                        }
                    )
            for v in members:
                el = state.elements.get(v)
                if el is None:
                    self.counts["unexpected"] += 1
                    if len(self.unexpected) < self.max_listed:
                        why = "add failed" if v in state.failed else "never added"
                        self.unexpected.append(
                            {
                                "key": key,
                                "value": v,
                                "why": why,
                                "read_index": _index(r, r.invoke_pos),
                            }
                        )
                    continue
                if el.first_seen is None:
                    el.first_seen = r
                el.known = min(el.known, r.complete_pos)
                if r.complete_pos > el.last_present:
                    el.last_present = r.complete_pos
                    el.last_seen = r
                el.present_invokes.append(r.invoke_pos)

    def _lost(self, key: Any, value: Hashable, el: _Element, witness: Attempt) -> LostWrite:
        add = el.add
        hi = add.complete_ns if add.complete_ns is not None else add.invoke_ns
        seen = el.last_seen
        return LostWrite(
            key=key,
            value=value,
            node=add.node,
            process=add.process,
            index=_index(add, add.invoke_pos),
            outcome=add.outcome.value,
            invoke_ns=add.invoke_ns,
            complete_ns=add.complete_ns,
            acks=add.acks,
            faults=tuple(self.faults.active(add.invoke_ns, hi)),
            last_seen_read_index=None if seen is None else _index(seen, seen.invoke_pos),
            missing_from_read_index=_index(witness, witness.invoke_pos),
        )

    def _stale(
        self, key: Any, value: Hashable, el: _Element, state: _Key, read_invokes: Sequence[int]
    ) -> None:
        lo = bisect_right(read_invokes, el.known)
        hi = bisect_left(read_invokes, el.last_present)
        if hi <= lo:
            return
        present = sum(1 for p in el.present_invokes if el.known < p < el.last_present)
        if hi - lo - present <= 0:
            return
        self.count("stale", el.add)
        for i in range(lo, hi):
            r = state.reads[i]
            if len(self.stale_reads) >= self.max_listed and r.invoke_pos not in self.stale_reads:
                break
            if value in state.read_sets[r.invoke_pos]:
                continue
            entry = self.stale_reads.setdefault(
                r.invoke_pos,
                {
                    "key": key,
                    "index": _index(r, r.invoke_pos),
                    "invoke_time": r.invoke_ns,
                    "complete_time": r.complete_ns,
                    "node": r.node,
                    "missing": [],
                },
            )
            if len(entry["missing"]) < self.max_listed:
                entry["missing"].append(value)

    def result(self, name: str) -> CheckResult:
        c = self.counts
        found = SetFullResult(
            counts=_set_counts(c),
            unexpected_count=c["unexpected"],
            duplicated_count=c["duplicated"],
            lost=tuple(self.lost),
            unexpected=tuple(self.unexpected),
            duplicated=tuple(self.duplicated),
            stale_reads=tuple(self.stale_reads[p] for p in sorted(self.stale_reads)),
            never_read=tuple(self.never_read),
            unread_keys=tuple(self.unread_keys),
            by_acks={lvl: _set_counts(cnt) for lvl, cnt in sorted(self.by_acks.items())},
            visibility_latency_ms=summary_ms(self.latencies),
        )
        details = found.to_json()
        if c["lost"] or c["unexpected"]:
            reason = f"{c['lost']} lost, {c['unexpected']} unexpected element(s)"
            return CheckResult(name, Verdict.INVALID, reason, details)
        if self.unread_keys:
            reason = f"{len(self.unread_keys)} key(s) with acknowledged adds were never read"
            return CheckResult(name, Verdict.UNKNOWN, reason, details)
        return CheckResult(name, Verdict.VALID, None, details)


def _set_counts(c: Counter[str]) -> SetCounts:
    return SetCounts(
        c["attempted"], c["acknowledged"], c["lost"], c["stale"], c["never_read"], c["recovered"]
    )
