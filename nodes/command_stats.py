"""INFO commandstats and errorstats: per-command calls, time, rejections and failures,
and error replies counted by their code, as redis 7.0 keeps them.

Contract (redis's rules):

- a command that runs counts one call and its duration, whatever it replies; one whose
  reply is an error also counts a failed call;
- a command refused before it runs (wrong arity, ``-MOVED``, ``-NOPERM``, ``-READONLY``,
  ...) counts a rejected call and no call;
- every error reply counts under its code, the first word of its text (``MOVED``,
  ``WRONGTYPE``, ...), or ``ERR`` when the first 32 bytes hold no space;
  ``total_error_replies`` is their sum;
- CONFIG RESETSTAT clears both.

The dispatcher updates :attr:`CommandStats.table` in place on its hot path (one dict
lookup a command); everything else goes through the methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nodes.commands.registry import Command

CALLS, SECONDS, REJECTED, FAILED = range(4)
"""Positions in a :attr:`CommandStats.table` entry."""

_UNSAFE = bytes.maketrans(b":\r\n", b"___")
"""Bytes INFO cannot carry in a field name (redis's ``getSafeInfoString``)."""


class ErrorStats:
    """Error replies by code (redis's ``server.errors`` rax)."""

    def __init__(self) -> None:
        self.counts: dict[bytes, int] = {}
        self.total = 0

    def count(self, text: bytes) -> None:
        """One error reply whose text (without the leading ``-``) is ``text``."""
        self.total += 1
        space = text.find(b" ", 0, 31)
        code = text[:space] if space >= 0 else b"ERR"
        counts = self.counts
        counts[code] = counts.get(code, 0) + 1

    def reset(self) -> None:
        self.counts.clear()
        self.total = 0

    def info(self) -> list[tuple[str, object]]:
        """``errorstat_<CODE>`` fields, in byte order (as redis walks its rax)."""
        return [
            (f"errorstat_{code.translate(_UNSAFE).decode(errors='replace')}", f"count={n}")
            for code, n in sorted(self.counts.items())
        ]


class CommandStats:
    """Per-command counters, keyed by the command's full name (``config|get``: a
    subcommand is its own entry)."""

    def __init__(self) -> None:
        self.table: dict[bytes, list[float]] = {}

    def entry(self, cmd: Command) -> list[float]:
        found = self.table.get(cmd.fullname_bytes)
        if found is None:
            found = self.table[cmd.fullname_bytes] = [0, 0.0, 0, 0]
        return found

    def ran(self, cmd: Command, seconds: float, failed: bool) -> None:
        """``cmd`` ran for ``seconds``; ``failed``: its reply was an error."""
        entry = self.entry(cmd)
        entry[CALLS] += 1
        entry[SECONDS] += seconds
        if failed:
            entry[FAILED] += 1

    def rejected(self, cmd: Command) -> None:
        self.entry(cmd)[REJECTED] += 1

    def reset(self) -> None:
        self.table.clear()

    def info(self) -> list[tuple[str, object]]:
        """``cmdstat_<name>`` fields for every command with a call, rejection or failure."""
        fields: list[tuple[str, object]] = []
        for name, (calls, seconds, rejected, failed) in sorted(self.table.items()):
            if not (calls or rejected or failed):
                continue
            usec = int(seconds * 1_000_000)
            per_call = usec / calls if calls else 0.0
            fields.append(
                (
                    f"cmdstat_{name.translate(_UNSAFE).decode(errors='replace')}",
                    f"calls={int(calls)},usec={usec},usec_per_call={per_call:.2f},"
                    f"rejected_calls={int(rejected)},failed_calls={int(failed)}",
                )
            )
        return fields
