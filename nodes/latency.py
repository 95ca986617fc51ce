"""LATENCY: the latency monitor's event samples and the per-command latency histograms.

Events (``command``, ``fast-command``) record a sample when a command took at least
``latency-monitor-threshold`` ms (0: off); each event keeps its last 160 samples, one per
second (the highest), and its all-time maximum, as redis's latency.c. The histograms
count every command's duration in redis's hdr_histogram log buckets (1 µs doubling: the
bucket limits are what LATENCY HISTOGRAM prints), when ``latency-tracking`` is on.
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
LIMITS_S = tuple(((limit // 1000) + 1) / 1_000_000 for limit in _LIMITS)
"""The same limits for a duration in seconds, truncated to whole µs as redis records
it: the bucket of ``seconds`` is ``bisect_right(LIMITS_S, seconds)``."""


def bucket_of(duration_us: int) -> int:
    """The log bucket of a duration (recorded in ns, at least 1, at most 1 s)."""
    return bisect_left(_LIMITS, duration_us * 1000)


@dataclass(slots=True)
class CommandHistogram:
    """Counts per bucket (the dispatcher increments ``buckets`` directly)."""

    buckets: list[int] = field(default_factory=lambda: [0] * _BUCKETS)

    @property
    def calls(self) -> int:
        return sum(self.buckets)

    def add(self, duration_us: int) -> None:
        self.buckets[bisect_left(_LIMITS, duration_us * 1000)] += 1

    def reply(self) -> Reply:
        cdf: dict[int, int] = {}
        total = 0
        for k, count in enumerate(self.buckets):
            if count:
                total += count
                cdf[(_limit(k) - 1) // 1000] = total
        # integer keys (redis replies a map of bucket limit -> cumulative count)
        return {b"calls": self.calls, b"histogram_usec": cast(Reply, cdf)}


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
