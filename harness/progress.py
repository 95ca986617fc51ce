"""The live progress line on stderr: phase, elapsed / limit, ops/s, ok / fail / info, and
the current fault. On a terminal it redraws one line; otherwise it prints a line every
``plain_every_s`` seconds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TextIO


class Progress:
    def __init__(
        self,
        out: TextIO,
        counts: dict[str, int],
        clock: Callable[[], float],
        time_limit_s: float,
        plain_every_s: float = 10.0,
    ) -> None:
        self._out = out
        self._counts = counts
        self._clock = clock
        self._limit = time_limit_s
        self._tty = out.isatty()
        self._plain_every = plain_every_s
        self.phase = "setup"
        self.fault = "none"
        self.started: float | None = None
        self._last_total = 0
        self._last_time = 0.0
        self._last_plain = 0.0

    def line(self) -> str:
        now = self._clock()
        elapsed = 0.0 if self.started is None else now - self.started
        c = self._counts
        total = c["ok"] + c["fail"] + c["info"]
        dt = now - self._last_time
        rate = (total - self._last_total) / dt if dt > 0 and self._last_time else 0.0
        self._last_total, self._last_time = total, now
        return (
            f"[{self.phase}] {elapsed:5.1f}/{self._limit:g}s  {rate:8.0f} ops/s  "
            f"ok {c['ok']}  fail {c['fail']}  info {c['info']}  fault: {self.fault}"
        )

    def show(self) -> None:
        text = self.line()
        if self._tty:
            self._out.write("\r\x1b[2K" + text)
            self._out.flush()
        else:
            now = self._clock()
            if now - self._last_plain >= self._plain_every:
                self._last_plain = now
                self._out.write(text + "\n")
                self._out.flush()

    def note(self, message: str) -> None:
        """A message on its own line (the progress line is redrawn after it)."""
        if self._tty:
            self._out.write("\r\x1b[2K")
        self._out.write(message + "\n")
        self._out.flush()

    def finish(self) -> None:
        if self._tty:
            self._out.write("\r\x1b[2K" + self.line() + "\n")
            self._out.flush()

    async def run(self, interval_s: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval_s)
            self.show()
