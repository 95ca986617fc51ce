"""LATENCY: the latency monitor's event samples and the per-command latency histograms.

Events (``command``, ``fast-command``) record a sample when a command took at least
``latency-monitor-threshold`` ms (0: off); each event keeps its last 160 samples, one per
second (the highest), and its all-time maximum, as redis's latency.c. The histograms
count every command's duration in whole µs, when ``latency-tracking`` is on: LATENCY
HISTOGRAM prints them in redis's hdr_histogram log buckets (1 µs doubling), INFO
latencystats as redis's hdr percentiles (``latency-tracking-info-percentiles``).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import cast

from nodes.resp.values import Reply

SAMPLES = 160
_FIRST_BUCKET_NS = 1024
_BUCKETS = 21


@dataclass(slots=True)
class EventSeries:
    samples: list[tuple[int, int]] = field(default_factory=list)
    """(unix seconds, latency ms), oldest first, at most :data:`SAMPLES`."""
    max_ms: int = 0

    def add(self, now_s: int, latency_ms: int) -> None:
        self.max_ms = max(self.max_ms, latency_ms)
        if self.samples and self.samples[-1][0] == now_s:
            if latency_ms > self.samples[-1][1]:
                self.samples[-1] = (now_s, latency_ms)
            return
        self.samples.append((now_s, latency_ms))
        del self.samples[:-SAMPLES]


def _level(k: int) -> int:
    return _FIRST_BUCKET_NS << k


def _limit(k: int) -> int:
    """The first value past bucket ``k`` (hdr_histogram with 2 significant digits)."""
    level = _level(k)
    return level + level // 128


_LIMITS = tuple(_limit(k) - 1 for k in range(_BUCKETS - 1))
"""The last value (ns) of each bucket but the last (which takes everything up to 1 s)."""
MAX_US = 1_000_000
"""redis records at most 1 s (``LATENCY_HISTOGRAM_MAX_VALUE``)."""


def bucket_of(duration_us: int) -> int:
    """The log bucket of a duration (recorded in ns, at least 1, at most 1 s)."""
    return bisect_left(_LIMITS, duration_us * 1000)


def hdr_highest_equivalent_ns(value_ns: int) -> int:
    """The top of ``value_ns``'s hdr_histogram bucket (1 ns to 1 s, 2 significant
    digits: 256 sub-buckets, so values below 256 are exact and each power of two above is
    split in 128 equal ranges)."""
    shift = max(value_ns.bit_length(), 8) - 8
    return ((value_ns >> shift) << shift) + (1 << shift) - 1


@dataclass(slots=True)
class CommandHistogram:
    """Calls by duration in whole µs (as redis measures them: ``ustime()`` differences),
    from which LATENCY HISTOGRAM's log buckets and INFO latencystats' percentiles are
    derived; the dispatcher increments ``counts`` directly."""

    counts: dict[int, int] = field(default_factory=dict)

    @property
    def calls(self) -> int:
        return sum(self.counts.values())

    def add(self, duration_us: int) -> None:
        self.counts[duration_us] = self.counts.get(duration_us, 0) + 1

    def buckets(self) -> list[int]:
        """Calls per log bucket (1 µs doubling, the last up to 1 s)."""
        out = [0] * _BUCKETS
        for us, count in self.counts.items():
            out[bisect_left(_LIMITS, min(us, MAX_US) * 1000)] += count
        return out

    def reply(self) -> Reply:
        cdf: dict[int, int] = {}
        total = 0
        for k, count in enumerate(self.buckets()):
            if count:
                total += count
                cdf[(_limit(k) - 1) // 1000] = total
        # integer keys (redis replies a map of bucket limit -> cumulative count)
        return {b"calls": self.calls, b"histogram_usec": cast(Reply, cdf)}

    def percentile_us(self, percentile: float) -> float:
        """redis's ``hdr_value_at_percentile`` in µs: the top of the bucket holding the
        call at that rank (the bottom for percentile 0)."""
        total = self.calls
        wanted = max(1, int((min(percentile, 100.0) / 100) * total + 0.5))
        seen = 0
        for us in sorted(self.counts):
            seen += self.counts[us]
            if seen >= wanted:
                value = max(1, min(us, MAX_US) * 1000)
                top = hdr_highest_equivalent_ns(value)
                if percentile == 0.0:
                    shift = max(value.bit_length(), 8) - 8
                    top = (value >> shift) << shift
                return top / 1000
        return 0.0


def percentile_name(percentile: float) -> str:
    """``%f`` with trailing zeros (and a bare point) trimmed: ``50``, ``99.9``."""
    text = f"{percentile:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class LatencyMonitor:
    """Events by name and histograms by command full name."""

    def __init__(self) -> None:
        self.events: dict[bytes, EventSeries] = {}
        self.histograms: dict[bytes, CommandHistogram] = {}

    def add_sample(self, event: bytes, now_s: int, latency_ms: int) -> None:
        series = self.events.get(event)
        if series is None:
            series = self.events[event] = EventSeries()
        series.add(now_s, latency_ms)

    def reset(self, events: list[bytes] | None) -> int:
        """Forget events (all when ``None``); how many existed."""
        if events is None:
            count = len(self.events)
            self.events.clear()
            return count
        return sum(self.events.pop(e, None) is not None for e in events)
