"""The run-level findings about lost writes and availability that results.json adds to
set-full's counts: where every lost write is kept, the loss windows per fault period
(:mod:`checkers.loss_windows`), the node timeout they are measured against, and the
outages per fault period and shard (:mod:`checkers.availability`).

``LossFindings`` joins results.json's ``lost_writes`` object; ``AvailabilityFindings``
is its ``availability`` object. Both read back with ``from_json`` (a bad field is a
``ValueError`` naming it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checkers.availability import FaultAvailability
from checkers.loss_windows import LossWindow
from checkers.results.fields import integer, listed, mapping, optional_int, optional_str

UNKNOWN_FSYNC = "unknown"
"""``by_fsync``'s key when the run does not say its fsync policy."""


@dataclass(frozen=True, slots=True)
class LossFindings:
    """Every lost write's file, and when the lost writes were acknowledged."""

    file: str | None = None
    """The run folder's file holding every lost write (lost.jsonl), if written."""
    file_count: int | None = None
    """Lines in that file: every lost write."""
    node_timeout_ms: int | None = None
    """The run's cluster-node-timeout (the loss window Redis Cluster documents)."""
    windows: tuple[LossWindow, ...] = ()
    fsync: str | None = None
    """The run's AOF fsync policy (``appendfsync``: always, everysec, no), or ``no AOF``."""
    by_wait: Mapping[str, int] = field(default_factory=dict)
    """Lost writes by WAIT level (``"none"`` when no WAIT ran), all under :attr:`fsync`."""

    def summary(self) -> str:
        """One line in words: each window's sentence, then the node timeout."""
        if not self.windows:
            return "no acknowledged write was lost"
        text = "; ".join(w.describe() for w in self.windows)
        if self.node_timeout_ms is not None:
            text += f"; node timeout {self.node_timeout_ms / 1000:.2f} s"
        return text

    def to_json(self) -> dict[str, Any]:
        """The fields added to results.json's ``lost_writes``."""
        out: dict[str, Any] = {}
        if self.file is not None:
            out["file"] = self.file
            out["file_count"] = self.file_count
        out["node_timeout_ms"] = self.node_timeout_ms
        out["by_fsync"] = {self.fsync or UNKNOWN_FSYNC: dict(self.by_wait)}
        out["windows"] = [
            {**w.to_json(), "summary": w.describe(self.node_timeout_ms)} for w in self.windows
        ]
        out["summary"] = self.summary()
        return out

    @classmethod
    def from_json(cls, data: object) -> LossFindings | None:
        """Read results.json's ``lost_writes``; None when it has no windows (an older
        version wrote it)."""
        d = mapping(data, "lost_writes")
        if "windows" not in d:
            return None
        by_fsync = mapping(d.get("by_fsync", {}), "by_fsync")
        fsync, by_wait = next(iter(by_fsync.items()), (None, {}))
        return cls(
            file=optional_str(d, "file"),
            file_count=optional_int(d, "file_count"),
            node_timeout_ms=optional_int(d, "node_timeout_ms"),
            windows=tuple(
                LossWindow.from_json(mapping(w, "loss window")) for w in listed(d, "windows")
            ),
            fsync=None if fsync in (None, UNKNOWN_FSYNC) else str(fsync),
            by_wait={str(k): integer(mapping(by_wait, "by_fsync level"), k) for k in by_wait},
        )


@dataclass(frozen=True, slots=True)
class AvailabilityFindings:
    """The outages per fault period and shard. ``shards`` names each shard's slot ranges
    (``"n1": "0-5460"``) as the cluster had them when the workload began."""

    shards: Mapping[str, str] = field(default_factory=dict)
    faults: tuple[FaultAvailability, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"shards": dict(self.shards), "faults": [f.to_json() for f in self.faults]}

    @classmethod
    def from_json(cls, data: object) -> AvailabilityFindings:
        d = mapping(data, "availability")
        shards = mapping(d.get("shards", {}), "availability shards")
        return cls(
            shards={str(k): str(v) for k, v in shards.items()},
            faults=tuple(
                FaultAvailability.from_json(mapping(f, "availability fault"))
                for f in listed(d, "faults")
            ),
        )
