"""Checking many partitions: interleaved searches that stop at the first invalid one,
optionally spread over worker processes.

Searches run round-robin, a slice each, like Porcupine's goroutine per partition: a
partition that is quickly found not linearizable ends the check even when another
partition would take a long time. Limits apply to all of them together.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from base.op import OpType
from checkers.history.pairing import Operation
from checkers.linear.model import Model, Refutation
from checkers.linear.search import (
    Limits,
    Progress,
    Search,
    SearchResult,
    Stuck,
    start_search,
)

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event as EventType

REFUTE_SLICES = 4
"""How long a refuted prefix is searched for its explanation (in pauses of the search)
before the proof stands on its own, with the deepest point reached."""
WINDOW = 64
"""Searches interleaved at once: enough that a quickly failing partition is found soon,
few enough that their memos together stay small."""
HEAD_START = 2
"""Memo entries per operation a partition's search may reach before the refutations run
(see :func:`_head_start`)."""
PARALLEL_MIN_OPERATIONS = 3000
"""Below this many operations a second process costs more than it saves."""


@dataclass(frozen=True, slots=True)
class PartitionResult:
    """One partition's outcome; ``key`` is the partition's ``Operation.key``."""

    key: str | None
    result: SearchResult
    operations: Sequence[Operation]


@dataclass(frozen=True, slots=True)
class Outcome:
    """``verdict`` over all partitions; ``failing`` is the first invalid (or, for unknown,
    the first unfinished) partition; ``checked`` counts partitions that finished."""

    verdict: str
    reason: str | None
    failing: PartitionResult | None
    checked: int
    partitions: int


def check_partitions(
    model: Model,
    parts: Sequence[Sequence[Operation]],
    limits: Limits,
    cancelled: Callable[[], bool] = lambda: False,
) -> Outcome:
    """Interleave the searches of ``parts``, at most :data:`WINDOW` at a time; stop at the
    first invalid one, or when the limits are passed or ``cancelled()`` becomes true (both
    give ``unknown``)."""
    ahead: dict[int, SearchResult] = {}
    if model.refute is not None:
        ahead = _head_start(model, parts, limits, cancelled)
        refute = model.refute
        proofs = [
            (proof, part)
            for n, part in enumerate(parts)
            if n not in ahead or ahead[n].verdict != "valid"
            if (proof := refute(part)) is not None
        ]
        for proof, part in sorted(proofs, key=lambda p: p[0].cut):
            found = _refuted(model, part, proof)
            if found is not None:
                return Outcome("invalid", proof.reason, found, 0, len(parts))
        for n, early in ahead.items():
            if early.verdict == "invalid":
                return Outcome("invalid", None, _part(parts, n, early), len(ahead) - 1, len(parts))
    waiting = deque((n, start_search(model, p)) for n, p in enumerate(parts) if n not in ahead)
    active: list[tuple[int, Search]] = []
    progress: dict[int, Progress] = {}
    checked = len(ahead)
    while waiting or active:
        while waiting and len(active) < WINDOW:
            active.append(waiting.popleft())
        still: list[tuple[int, Search]] = []
        for n, search in active:
            try:
                progress[n] = next(search)
                still.append((n, search))
            except StopIteration as done:
                result: SearchResult = done.value
                progress.pop(n, None)
                if result.verdict == "invalid":
                    _close(still, active, list(waiting))
                    return Outcome("invalid", None, _part(parts, n, result), checked, len(parts))
                checked += 1
        active = still
        reason = limits.exceeded(sum(p.memo_bytes for p in progress.values()))
        if reason is None and cancelled():
            reason = "cancelled"
        if reason is not None:
            _close(active, list(waiting))
            if not progress:
                return Outcome("unknown", reason, None, checked, len(parts))
            n = max(progress, key=lambda k: progress[k].memo_entries)
            p = progress[n]
            best = p.best.stuck() if p.best is not None else None
            stuck = SearchResult("unknown", reason, best, p.memo_entries, len(parts[n]))
            return Outcome("unknown", reason, _part(parts, n, stuck), checked, len(parts))
    return Outcome("valid", None, None, checked, len(parts))


def _head_start(
    model: Model,
    parts: Sequence[Sequence[Operation]],
    limits: Limits,
    cancelled: Callable[[], bool],
) -> dict[int, SearchResult]:
    """Search each partition briefly, one at a time, before any refutation: until its
    memo holds :data:`HEAD_START` entries per operation (an easy valid partition needs
    about one). Returns the partitions that finished, by index; the others' searches are
    dropped, to start again after the refutations. Stops early when the limits pass or
    the check is cancelled. Refuting a partition the search has already proved valid
    could only fail, so this spares that work; the outcome is the same as without it."""
    finished: dict[int, SearchResult] = {}
    for n, part in enumerate(parts):
        if limits.exceeded(0) is not None or cancelled():
            break
        search = start_search(model, part)
        enough = HEAD_START * len(part)
        try:
            while next(search).memo_entries < enough:
                pass
        except StopIteration as done:
            finished[n] = done.value
        else:
            search.close()
    return finished


def _refuted(model: Model, ops: Sequence[Operation], proof: Refutation) -> PartitionResult | None:
    """The partition refuted by ``proof``, explained by a short search of the prefix it
    names (operations still open there stay open to the end, as if the history stopped
    there): the search's own dead end if it finishes in time, else the deepest point it
    reached with the refuted operation as the one that cannot be placed. None if the
    search finds the prefix linearizable after all (a wrong refutation: the full search
    then decides)."""
    cut = proof.cut
    prefix = [
        op
        if op.complete_index is not None and op.complete_index <= cut
        else op._replace(output=None, outcome=OpType.INFO, complete_index=None, complete_ns=None)
        for op in ops
        if op.invoke_index <= cut
    ]
    key = ops[0].key if ops else None
    search = start_search(model, prefix)
    progress: Progress | None = None
    for _ in range(REFUTE_SLICES):
        try:
            progress = next(search)
        except StopIteration as done:
            result: SearchResult = done.value
            if result.verdict != "invalid":
                return None
            return PartitionResult(key, replace(result, reason=proof.reason), prefix)
    search.close()
    deepest = progress.best.stuck() if progress is not None and progress.best else None
    stuck = Stuck(
        linearized=deepest.linearized if deepest else (),
        state=deepest.state if deepest else model.init(),
        blocked=proof.op_id,
        candidates=(),
    )
    entries = progress.memo_entries if progress is not None else 0
    return PartitionResult(
        key, SearchResult("invalid", proof.reason, stuck, entries, len(prefix)), prefix
    )


def _part(parts: Sequence[Sequence[Operation]], n: int, result: SearchResult) -> PartitionResult:
    ops = parts[n]
    return PartitionResult(ops[0].key if ops else None, result, ops)


def _close(*groups: list[tuple[int, Search]]) -> None:
    for group in groups:
        for _, search in group:
            search.close()


# Worker processes. The partitions are handed over by fork (a module global), not pickled.
_WORK: tuple[Model, list[list[Sequence[Operation]]], Limits] | None = None
_STOP: EventType | None = None


def _worker(share: int) -> Outcome:
    assert _WORK is not None
    model, shares, limits = _WORK
    stop = _STOP
    cancelled = stop.is_set if stop is not None else (lambda: False)
    outcome = check_partitions(model, shares[share], limits, cancelled)
    if outcome.failing is not None:  # the operations go back by pickle: only the failing part
        outcome = replace(
            outcome, failing=replace(outcome.failing, operations=list(outcome.failing.operations))
        )
    return outcome


def check_partitions_parallel(
    model: Model,
    parts: Sequence[Sequence[Operation]],
    limits: Limits,
    workers: int = 2,
    min_operations: int = PARALLEL_MIN_OPERATIONS,
) -> Outcome:
    """:func:`check_partitions` over ``workers`` forked processes, each taking a share of
    the partitions (balanced by size); the first invalid share cancels the others. Runs
    in this process when the history is small or fork is unavailable."""
    total = sum(len(p) for p in parts)
    if workers < 2 or len(parts) < 2 or total < min_operations or not hasattr(os, "fork"):
        return check_partitions(model, parts, limits)
    # imported here: they cost more start-up time than a small check takes
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait  # noqa: PLC0415

    shares: list[list[Sequence[Operation]]] = [[] for _ in range(workers)]
    sizes = [0] * workers
    for p in sorted(parts, key=len, reverse=True):
        w = sizes.index(min(sizes))
        shares[w].append(p)
        sizes[w] += len(p)
    global _WORK, _STOP
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    _WORK, _STOP = (model, shares, limits), stop
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            pending = {pool.submit(_worker, w) for w in range(workers)}
            outcomes: list[Outcome] = []
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        outcome = future.result()
                        outcomes.append(outcome)
                        if outcome.verdict == "invalid":
                            stop.set()
            except BaseException:  # a share that raised (ModelError): stop the others
                stop.set()
                raise
    finally:
        _WORK, _STOP = None, None
    return _merge(outcomes, len(parts))


def _merge(outcomes: list[Outcome], partitions: int) -> Outcome:
    checked = sum(o.checked for o in outcomes)
    for verdict in ("invalid", "unknown"):
        for o in outcomes:
            if o.verdict == verdict and o.reason != "cancelled":
                return replace(o, checked=checked, partitions=partitions)
    return Outcome("valid", None, None, checked, partitions)
