"""The run-level findings results.json adds after the checkers: the loss windows of every
lost write and the availability per fault period and shard, from the history, the lost
writes and the run's test.json.

test.json is read here and only here for the facts these need: the cluster-node-timeout
the nodes ran with (:func:`node_timeout_ms`) and each primary's slot ranges when the
workload began (:func:`shard_ranges`, recorded by the runner as ``shards``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from base.op import Op
from checkers.availability import availability
from checkers.faults import FaultWindow, fault_windows
from checkers.history.pairing import pair_attempts
from checkers.loss_windows import loss_windows, offset_s, placed
from checkers.results.loss import AvailabilityFindings, LossFindings
from checkers.results.setfull import LostWrite
from nodes.keyslot import HASH_SLOTS, keyslot

WHOLE_CLUSTER = "cluster"
"""The one shard of a run whose test.json records no slot map (an older run)."""

SlotRanges = tuple[tuple[int, int], ...]


def node_timeout_ms(test: Mapping[str, Any]) -> int | None:
    """The cluster-node-timeout of the run: a ``--node-option cluster-node-timeout=MS``
    (passed after, so it wins), else ``--node-timeout``; None when test.json says
    neither."""
    options = test.get("options")
    if not isinstance(options, Mapping):
        return None
    found: int | None = None
    for name, value in _node_options(options):
        if name == "cluster-node-timeout" and value.isdigit():
            found = int(value)
    if found is not None:
        return found
    given = options.get("node_timeout_ms")
    return given if isinstance(given, int) and not isinstance(given, bool) else None


def fsync_policy(test: Mapping[str, Any]) -> str | None:
    """The nodes' AOF fsync policy: a ``--node-option appendfsync=...`` (it wins), else
    ``--appendfsync``; ``no AOF`` when ``--appendonly no``; None when test.json says
    nothing."""
    options = test.get("options")
    if not isinstance(options, Mapping):
        return None
    given = dict(_node_options(options))
    if given.get("appendonly", "yes" if options.get("appendonly", True) else "no") == "no":
        return "no AOF"
    policy = given.get("appendfsync", options.get("appendfsync"))
    return None if policy is None else str(policy)


def _node_options(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``--node-option`` pairs (name without dashes, value), in order."""
    argv = options.get("node_options") or ()
    return [(str(n).lstrip("-"), str(v)) for n, v in zip(argv[::2], argv[1::2], strict=False)]


def shard_ranges(test: Mapping[str, Any]) -> dict[str, SlotRanges]:
    """test.json's ``shards``: primary name -> its slot ranges (inclusive pairs) when the
    workload began; empty when not recorded or malformed."""
    raw = test.get("shards")
    if not isinstance(raw, Mapping):
        return {}
    out: dict[str, SlotRanges] = {}
    for name, ranges in raw.items():
        try:
            out[str(name)] = tuple((int(lo), int(hi)) for lo, hi in ranges)
        except (TypeError, ValueError):
            return {}
    return out


def ranges_text(ranges: SlotRanges) -> str:
    """``0-5460,10923-16383``."""
    return ",".join(f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in ranges)


def shard_lookup(shards: Mapping[str, SlotRanges]) -> Callable[[str | None], str | None]:
    """key -> the shard whose slot range holds its hash slot (None for a key-less
    operation or a slot no shard held); every key is :data:`WHOLE_CLUSTER`'s when
    ``shards`` is empty."""
    if not shards:
        return lambda key: None if key is None else WHOLE_CLUSTER
    bounds = sorted((lo, hi, name) for name, ranges in shards.items() for lo, hi in ranges)
    starts = [lo for lo, _, _ in bounds]

    def shard_of(key: str | None) -> str | None:
        if key is None:
            return None
        slot = keyslot(key)
        i = bisect_right(starts, slot) - 1
        if i >= 0 and bounds[i][1] >= slot:
            return bounds[i][2]
        return None

    return shard_of


def loss_faults(ops: Sequence[Op]) -> list[FaultWindow]:
    """The fault periods lost writes are placed in: every window, one-shot faults such as
    failover included (as the report shades them)."""
    return fault_windows(ops, one_shot=True)


def lost_lines(
    lost: Sequence[LostWrite], windows: Sequence[FaultWindow]
) -> Iterator[dict[str, Any]]:
    """lost.jsonl's objects: each lost write, and ``lost_by``, the fault period that
    explains it (``fault``, its ``start``, ``offset_s`` of the acknowledgement after it;
    None when no fault does)."""
    for write, window in placed(lost, windows):
        line = write.to_json()
        line["lost_by"] = (
            None
            if window is None
            else {
                "fault": window.name,
                "start": window.start_ns,
                "offset_s": round(offset_s(write, window), 3),
            }
        )
        yield line


def loss_findings(
    lost: Sequence[LostWrite],
    windows: Sequence[FaultWindow],
    test: Mapping[str, Any],
    file: str | None,
) -> LossFindings:
    """Every lost write placed in the fault period (of ``windows``) that explains it,
    split by the run's fsync policy and WAIT level."""
    by_wait = Counter("none" if w.acks is None else str(w.acks) for w in lost)
    return LossFindings(
        file=file,
        file_count=None if file is None else len(lost),
        node_timeout_ms=node_timeout_ms(test),
        windows=tuple(loss_windows(lost, windows)),
        fsync=fsync_policy(test),
        by_wait=dict(sorted(by_wait.items())),
    )


def availability_findings(ops: Sequence[Op], test: Mapping[str, Any]) -> AvailabilityFindings:
    """The write outages of every fault period per shard (reads left out)."""
    shards = shard_ranges(test)
    operations = pair_attempts(ops)
    windows = fault_windows(ops, operations, one_shot=True)
    faults = availability(
        ops, windows, shard_lookup(shards), operations=operations, shards=tuple(shards)
    )
    names = (
        {name: ranges_text(r) for name, r in sorted(shards.items())}
        if shards
        else {WHOLE_CLUSTER: f"0-{HASH_SLOTS - 1} (no slot map recorded)"}
    )
    return AvailabilityFindings(shards=names, faults=tuple(faults))
