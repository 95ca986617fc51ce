"""harness.log: one line per harness event, with seconds since the test started."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO


class RunLog:
    def __init__(self, path: Path, clock: Callable[[], float], start: float) -> None:
        self._file: IO[str] | None = open(path, "a", encoding="utf-8")  # noqa: SIM115
        self._clock = clock
        self._start = start
        self.echo: Callable[[str], None] | None = None

    def __call__(self, message: str) -> None:
        """Log ``message``; also show it on the console when ``echo`` is set."""
        self.write(message)
        if self.echo is not None:
            self.echo(message)

    def write(self, message: str) -> None:
        """Log ``message`` to the file only."""
        if self._file is not None:
            self._file.write(f"{self._clock() - self._start:9.3f} {message}\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
