"""History files and operations: read and write Jepsen's formats and ours, pair events.

Public names: :func:`read_history`, :func:`parse_history`, :func:`write_history`,
:func:`detect_format`, :data:`FORMATS`, :func:`pair`, :class:`Operation`, and the errors
:class:`HistoryError`, :class:`HistoryFormatError`, :class:`HistoryPairingError`,
:class:`HistoryShapeError`.
"""

from checkers.history.errors import (
    HistoryError,
    HistoryFormatError,
    HistoryPairingError,
    HistoryShapeError,
)
from checkers.history.formats import (
    FORMATS,
    detect_format,
    parse_history,
    read_history,
    write_history,
)
from checkers.history.pairing import Operation, pair

__all__ = [
    "FORMATS",
    "HistoryError",
    "HistoryFormatError",
    "HistoryPairingError",
    "HistoryShapeError",
    "Operation",
    "detect_format",
    "pair",
    "parse_history",
    "read_history",
    "write_history",
]
