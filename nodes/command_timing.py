"""What the dispatcher does with each executed command's duration (redis's ``call()``
bookkeeping): the per-command histogram (LATENCY HISTOGRAM), the latency monitor's
``command``/``fast-command`` events, and SLOWLOG. One call per executed command;
thresholds are cached from the config (its listeners keep them live).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from nodes.latency import CommandHistogram, LatencyMonitor
from nodes.slowlog import SlowLog

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.config import Config


class CommandTiming:
    """``clock`` measures durations: a high-resolution monotonic clock in seconds
    (``time.perf_counter``; the event loop's clock may tick in whole milliseconds, as
    uvloop's does). A simulation injects its own."""

    def __init__(self, config: Config, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.slowlog = SlowLog(config)
        self.latency = LatencyMonitor()
        self.latency_threshold_ms = config.get_int("latency-monitor-threshold")
        self.tracking = config.get_bool("latency-tracking")
        config.listeners.setdefault("latency-monitor-threshold", []).append(self._threshold)
        config.listeners.setdefault("latency-tracking", []).append(self._tracking)

    def _threshold(self, value: str) -> None:
        self.latency_threshold_ms = int(value)

    def _tracking(self, value: str) -> None:
        self.tracking = value == "yes"

    def record(self, ctx: CommandContext, cmd: Command, argv: list[bytes], seconds: float) -> None:
        """Account one executed command that took ``seconds`` (by :attr:`clock`)."""
        duration_us = int(seconds * 1_000_000)
        if self.tracking:
            histograms = self.latency.histograms
            histogram = histograms.get(cmd.fullname_bytes)
            if histogram is None:
                histogram = histograms[cmd.fullname_bytes] = CommandHistogram()
            histogram.add(duration_us)
        threshold = self.latency_threshold_ms
        if threshold and duration_us // 1000 >= threshold:
            event = b"fast-command" if "fast" in cmd.flags else b"command"
            self.latency.add_sample(event, ctx.now_ms() // 1000, duration_us // 1000)
        slower = self.slowlog.threshold_us
        if 0 <= slower <= duration_us and cmd.name != "exec":
            client = ctx.client
            self.slowlog.push(argv, duration_us, ctx.now_ms(), client.addr, client.name)
