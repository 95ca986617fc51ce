"""set-full's result (:mod:`checkers.setfull`): counts, counts by WAIT level, and the
lost writes with where they came from.

The other listings (``unexpected``, ``duplicated``, ``stale_reads``, ``never_read``) are
kept as the JSON records the checker lists; their shapes are in docs/checkers-sets.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from checkers.results.fields import integer, listed, mapping, optional_int, optional_str

CHECKER = "set-full"
"""The checker's name, its key in results.json."""

Record = Mapping[str, Any]
"""One listed finding as JSON."""


@dataclass(frozen=True, slots=True)
class SetCounts:
    """Elements by what became of them (each ``*_count`` in the JSON)."""

    attempted: int = 0
    acknowledged: int = 0
    lost: int = 0
    stale: int = 0
    never_read: int = 0
    recovered: int = 0

    def to_json(self) -> dict[str, int]:
        return {f"{f.name}_count": getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SetCounts:
        return cls(*(integer(data, f"{f.name}_count", 0) for f in fields(cls)))


@dataclass(frozen=True, slots=True)
class LostWrite:
    """An acknowledged (or seen) element that every read since missed: its add (event
    ``index``, ``outcome``, times, WAIT ``acks``, ``node`` that acknowledged it, the
    ``process`` that wrote it), the faults possibly active while it was in flight, the
    last read that saw it and the first that missed it.

    The one lost-write type: the checker lists it, lost.jsonl holds one per line, the
    loss windows (:mod:`checkers.loss_windows`) and the report read it."""

    key: Any
    value: Any
    node: str | None
    process: Any
    index: int
    outcome: str
    invoke_ns: int
    complete_ns: int | None
    acks: int | None
    faults: tuple[str, ...]
    last_seen_read_index: int | None
    missing_from_read_index: int

    @property
    def ack_ns(self) -> int:
        """When the client learnt of it: the add's completion, else (an ``info`` add a
        read saw) its invocation."""
        return self.invoke_ns if self.complete_ns is None else self.complete_ns

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "node": self.node,
            "process": self.process,
            "index": self.index,
            "outcome": self.outcome,
            "invoke_time": self.invoke_ns,
            "complete_time": self.complete_ns,
            "acks": self.acks,
            "faults": list(self.faults),
            "last_seen_read_index": self.last_seen_read_index,
            "missing_from_read_index": self.missing_from_read_index,
        }

    @classmethod
    def from_json(cls, data: object) -> LostWrite:
        d = mapping(data, "lost write")
        return cls(
            d.get("key"),
            d.get("value"),
            optional_str(d, "node"),
            d.get("process"),
            integer(d, "index"),
            str(d.get("outcome")),
            integer(d, "invoke_time"),
            optional_int(d, "complete_time"),
            optional_int(d, "acks"),
            tuple(str(f) for f in listed(d, "faults")),
            optional_int(d, "last_seen_read_index"),
            integer(d, "missing_from_read_index"),
        )


@dataclass(frozen=True, slots=True)
class SetFullResult:
    """What set-full found. ``lost`` and the other listings hold at most the checker's
    ``max_listed`` entries; the counts are complete. ``by_acks`` maps a WAIT level
    (``"none"`` when no WAIT ran) to its counts."""

    counts: SetCounts
    unexpected_count: int = 0
    duplicated_count: int = 0
    lost: tuple[LostWrite, ...] = ()
    unexpected: tuple[Record, ...] = ()
    duplicated: tuple[Record, ...] = ()
    stale_reads: tuple[Record, ...] = ()
    never_read: tuple[Record, ...] = ()
    unread_keys: tuple[Any, ...] = ()
    by_acks: Mapping[str, SetCounts] = field(default_factory=dict)
    visibility_latency_ms: Mapping[str, float | int] = field(default_factory=dict)

    SUMMARY: ClassVar[tuple[str, ...]] = (
        "acknowledged_count",
        "lost_count",
        "lost",
        "recovered_count",
        "unexpected_count",
        "stale_count",
        "never_read_count",
        "by_acks",
    )
    """The fields results.json repeats at its top level as ``lost_writes``."""

    def to_json(self) -> dict[str, Any]:
        """The checker's ``details``."""
        return {
            **self.counts.to_json(),
            "unexpected_count": self.unexpected_count,
            "duplicated_count": self.duplicated_count,
            "lost": [w.to_json() for w in self.lost],
            "unexpected": [dict(r) for r in self.unexpected],
            "duplicated": [dict(r) for r in self.duplicated],
            "stale_reads": [dict(r) for r in self.stale_reads],
            "never_read": [dict(r) for r in self.never_read],
            "unread_keys": list(self.unread_keys),
            "by_acks": {level: c.to_json() for level, c in self.by_acks.items()},
            "visibility_latency_ms": dict(self.visibility_latency_ms),
        }

    def summary(self) -> dict[str, Any]:
        """results.json's top-level ``lost_writes``."""
        full = self.to_json()
        return {k: full[k] for k in self.SUMMARY}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SetFullResult:
        """Read the checker's ``details``; raises ``ValueError`` naming a bad field."""
        by_acks = mapping(data.get("by_acks", {}), "by_acks")
        latency = mapping(data.get("visibility_latency_ms", {}), "visibility_latency_ms")
        return cls(
            counts=SetCounts.from_json(data),
            unexpected_count=integer(data, "unexpected_count", 0),
            duplicated_count=integer(data, "duplicated_count", 0),
            lost=tuple(LostWrite.from_json(w) for w in listed(data, "lost")),
            unexpected=_records(data, "unexpected"),
            duplicated=_records(data, "duplicated"),
            stale_reads=_records(data, "stale_reads"),
            never_read=_records(data, "never_read"),
            unread_keys=tuple(listed(data, "unread_keys")),
            by_acks={
                str(level): SetCounts.from_json(mapping(c, f"by_acks {level}"))
                for level, c in by_acks.items()
            },
            visibility_latency_ms=dict(latency),
        )


def _records(data: Mapping[str, Any], name: str) -> tuple[Record, ...]:
    return tuple(mapping(r, name) for r in listed(data, name))
