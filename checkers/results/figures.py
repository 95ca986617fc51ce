"""The counter, stats and perf checkers' results (:mod:`checkers.counter`,
:mod:`checkers.stats`, :mod:`checkers.perf`), as types whose ``to_json`` is the
``details`` each writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from checkers.faults import FaultWindow
from checkers.results.fields import integer, listed, mapping, optional_int

COUNTER = "counter"
STATS = "stats"
PERF = "perf"
"""The checkers' names, their keys in results.json."""


@dataclass(frozen=True, slots=True)
class BoundsError:
    """A counter read at event ``index`` of ``key`` whose ``value`` is outside
    ``[lower, upper]``."""

    index: int
    key: Any
    value: int
    lower: int
    upper: int
    invoke_ns: int
    complete_ns: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "key": self.key,
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "invoke_time": self.invoke_ns,
            "complete_time": self.complete_ns,
        }

    @classmethod
    def from_json(cls, data: object) -> BoundsError:
        d = mapping(data, "counter error")
        return cls(
            integer(d, "index"),
            d.get("key"),
            integer(d, "value"),
            integer(d, "lower"),
            integer(d, "upper"),
            integer(d, "invoke_time"),
            optional_int(d, "complete_time"),
        )


@dataclass(frozen=True, slots=True)
class Bounds:
    """A read's value and the bounds its concurrent adds allowed."""

    value: int
    lower: int
    upper: int

    def to_json(self) -> dict[str, int]:
        return {"value": self.value, "lower": self.lower, "upper": self.upper}

    @classmethod
    def from_json(cls, data: object) -> Bounds:
        d = mapping(data, "bounds")
        return cls(integer(d, "value"), integer(d, "lower"), integer(d, "upper"))


@dataclass(frozen=True, slots=True)
class CounterResult:
    """Reads judged, reads out of bounds (``errors`` lists the first ``max_listed``),
    and each key's last read with its bounds."""

    read_count: int
    error_count: int
    errors: tuple[BoundsError, ...] = ()
    last_reads: Mapping[str, Bounds] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "read_count": self.read_count,
            "error_count": self.error_count,
            "errors": [e.to_json() for e in self.errors],
            "last_reads": {k: b.to_json() for k, b in self.last_reads.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CounterResult:
        last = mapping(data.get("last_reads", {}), "last_reads")
        return cls(
            integer(data, "read_count"),
            integer(data, "error_count"),
            tuple(BoundsError.from_json(e) for e in listed(data, "errors")),
            {str(k): Bounds.from_json(b) for k, b in last.items()},
        )


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Client operations by outcome (an invocation never completed counts as info)."""

    count: int = 0
    ok_count: int = 0
    fail_count: int = 0
    info_count: int = 0

    def to_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: object) -> Outcomes:
        d = mapping(data, "outcomes")
        return cls(*(integer(d, f.name, 0) for f in fields(cls)))


@dataclass(frozen=True, slots=True)
class StatsResult:
    """Outcomes overall and per ``f``, and the fs that never succeeded."""

    total: Outcomes
    by_f: Mapping[str, Outcomes] = field(default_factory=dict)
    never_ok: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            **self.total.to_json(),
            "by_f": {f: c.to_json() for f, c in self.by_f.items()},
            "never_ok": list(self.never_ok),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StatsResult:
        by_f = mapping(data.get("by_f", {}), "by_f")
        return cls(
            Outcomes.from_json(data),
            {str(f): Outcomes.from_json(c) for f, c in by_f.items()},
            tuple(str(f) for f in listed(data, "never_ok")),
        )


@dataclass(frozen=True, slots=True)
class Throughput:
    """Completions in one bucket (``bucket`` seconds-buckets since the start)."""

    bucket: int
    ok: int
    fail: int
    info: int

    def to_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: object) -> Throughput:
        d = mapping(data, "throughput bucket")
        return cls(*(integer(d, f.name) for f in fields(cls)))


@dataclass(frozen=True, slots=True)
class Share:
    """Client operations invoked in one kind of window, and the share that was ok."""

    count: int
    ok_count: int
    ok_share: float | None

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "ok_count": self.ok_count, "ok_share": self.ok_share}

    @classmethod
    def from_json(cls, data: object) -> Share:
        d = mapping(data, "availability")
        share = d.get("ok_share")
        return cls(
            integer(d, "count"), integer(d, "ok_count"), None if share is None else float(share)
        )


Summary = Mapping[str, float | int]
"""``checkers.quantiles.summary_ms``: count, p50, p90, p99, max (ms)."""


@dataclass(frozen=True, slots=True)
class PerfResult:
    """Latency summaries per f (of ``ok`` and of all completed operations), throughput
    per bucket of ``bucket_s`` seconds, availability (``healthy`` / ``faulted``) and the
    fault windows it used."""

    latency_ms: Mapping[str, Mapping[str, Summary]]
    bucket_s: float
    throughput: tuple[Throughput, ...]
    availability: Mapping[str, Share]
    faults: tuple[FaultWindow, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "latency_ms": {
                f: {kind: dict(summary) for kind, summary in by_kind.items()}
                for f, by_kind in self.latency_ms.items()
            },
            "bucket_s": self.bucket_s,
            "throughput": [t.to_json() for t in self.throughput],
            "availability": {w: s.to_json() for w, s in self.availability.items()},
            "faults": [w.to_json() for w in self.faults],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PerfResult:
        latency = mapping(data.get("latency_ms", {}), "latency_ms")
        avail = mapping(data.get("availability", {}), "availability")
        bucket = data.get("bucket_s")
        if isinstance(bucket, bool) or not isinstance(bucket, int | float):
            raise ValueError(f"field 'bucket_s': expected a number, got {bucket!r}")
        return cls(
            {
                str(f): {str(k): dict(mapping(v, k)) for k, v in mapping(s, f).items()}
                for f, s in latency.items()
            },
            float(bucket),
            tuple(Throughput.from_json(t) for t in listed(data, "throughput")),
            {str(w): Share.from_json(s) for w, s in avail.items()},
            tuple(FaultWindow.from_json(mapping(w, "fault")) for w in listed(data, "faults")),
        )
