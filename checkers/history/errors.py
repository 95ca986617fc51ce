"""Errors for histories that cannot be read or paired: the user's input is at fault."""

from __future__ import annotations


class HistoryError(Exception):
    """A history file or event sequence that is not a valid history."""


class HistoryFormatError(HistoryError):
    """A line (or the whole file) that is not in the expected format.

    ``str(e)`` is one line: ``PATH:LINE: message`` (``PATH: message`` when no line applies).
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class HistoryPairingError(HistoryError):
    """Events that do not pair: a completion without an invocation, a second invocation
    from a process with one open, or a process that invokes again after ``info``."""

    def __init__(self, index: int, message: str) -> None:
        self.index = index
        self.message = message
        super().__init__(f"event {index}: {message}")


class HistoryShapeError(HistoryError, ValueError):
    """An event whose value has a shape the checker cannot judge (a set read that is not
    a list, a transaction that is not a list of micro-ops, a counter delta that is not an
    integer). Checkers turn it into an ``unknown`` verdict with this message as reason."""

    def __init__(self, index: int, message: str) -> None:
        self.index = index
        self.message = message
        super().__init__(f"event {index}: {message}")
