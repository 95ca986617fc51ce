"""What the dispatcher does with each executed command's duration (redis's ``call()``
bookkeeping): the per-command histogram (LATENCY HISTOGRAM), the latency monitor's
``command``/``fast-command`` events, and SLOWLOG. One call per executed command;
thresholds are cached from the config (its listeners keep them live).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from math import inf
from typing import TYPE_CHECKING

from nodes.latency import CommandHistogram, LatencyMonitor, percentile_name
from nodes.slowlog import SlowLog

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.config import Config


_PERCENTILES = "latency-tracking-info-percentiles"


class CommandTiming:
    """``clock`` measures durations: a high-resolution monotonic clock in seconds
    (``time.perf_counter``; the event loop's clock may tick in whole milliseconds, as
    uvloop's does). A simulation injects its own.

    The dispatcher inlines the common case (:attr:`histograms` bucket, one compare with
    :attr:`alert_s`) and calls :meth:`slow` only for a command that may need logging;
    other callers use :meth:`record`."""

    def __init__(self, config: Config, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self._config = config
        self.slowlog = SlowLog(config)
        self.latency = LatencyMonitor()
        self.histograms = self.latency.histograms
        self.latency_threshold_ms = config.get_int("latency-monitor-threshold")
        self.tracking = config.get_bool("latency-tracking")
        self.alert_s = inf
        """The shortest duration SLOWLOG or the latency monitor may log (inf: none)."""
        config.listeners.setdefault("latency-monitor-threshold", []).append(self._threshold)
        config.listeners.setdefault("latency-tracking", []).append(self._tracking)
        config.listeners.setdefault("slowlog-log-slower-than", []).append(self._slower)
        self._update_alert()

    def _threshold(self, value: str) -> None:
        self.latency_threshold_ms = int(value)
        self._update_alert()

    def _slower(self, value: str) -> None:
        self._update_alert()

    def _update_alert(self) -> None:
        limits = [inf]
        if self.slowlog.threshold_us >= 0:
            limits.append(self.slowlog.threshold_us / 1_000_000)
        if self.latency_threshold_ms > 0:
            limits.append(self.latency_threshold_ms / 1000)
        self.alert_s = min(limits)

    def _tracking(self, value: str) -> None:
        self.tracking = value == "yes"

    def latencystats(self) -> list[tuple[str, object]]:
        """INFO latencystats: ``latency_percentiles_usec_<command>:p50=..,p99=..`` for each
        command that ran since the last RESETSTAT (none while tracking is off)."""
        if not self.tracking:
            return []
        percentiles = [float(p) for p in self._config.get_str(_PERCENTILES).split()]
        lines: list[tuple[str, object]] = []
        for name, histogram in self.histograms.items():
            if not histogram.counts:
                continue
            values = ",".join(
                f"p{percentile_name(p)}={histogram.percentile_us(p):.3f}" for p in percentiles
            )
            lines.append((f"latency_percentiles_usec_{name.decode(errors='replace')}", values))
        return lines

    def histogram(self, cmd: Command) -> CommandHistogram:
        """The command's histogram (created on its first call)."""
        found = self.histograms.get(cmd.fullname_bytes)
        if found is None:
            found = self.histograms[cmd.fullname_bytes] = CommandHistogram()
        return found

    def record(self, ctx: CommandContext, cmd: Command, argv: list[bytes], seconds: float) -> None:
        """Account one executed command that took ``seconds`` (by :attr:`clock`)."""
        if self.tracking:
            self.histogram(cmd).add(int(seconds * 1_000_000))
        if seconds >= self.alert_s:
            self.slow(ctx, cmd, argv, seconds)

    def slow(self, ctx: CommandContext, cmd: Command, argv: list[bytes], seconds: float) -> None:
        """SLOWLOG and latency events for a command at least :attr:`alert_s` long."""
        duration_us = int(seconds * 1_000_000)
        threshold = self.latency_threshold_ms
        if threshold and duration_us // 1000 >= threshold:
            event = b"fast-command" if "fast" in cmd.flags else b"command"
            self.latency.add_sample(event, ctx.now_ms() // 1000, duration_us // 1000)
        slower = self.slowlog.threshold_us
        if 0 <= slower <= duration_us and cmd.name != "exec":
            client = ctx.client
            self.slowlog.push(argv, duration_us, ctx.now_ms(), client.addr, client.name)
