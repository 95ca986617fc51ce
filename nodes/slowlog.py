"""SLOWLOG: commands that ran at least ``slowlog-log-slower-than`` microseconds.

Entries are newest first, at most ``slowlog-max-len`` of them; both options are read live
(CONFIG SET takes effect on the next command). An entry keeps at most 32 arguments (the
last one then says how many more there were) and at most 128 bytes of each, as redis.
Sensitive arguments (passwords) are shown as ``(redacted)`` (:func:`nodes.redaction.redact`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nodes.config import Config
from nodes.redaction import redact
from nodes.resp.values import Reply

MAX_ARGC = 32
MAX_STRING = 128


@dataclass(frozen=True, slots=True)
class SlowEntry:
    id: int
    time_s: int
    duration_us: int
    argv: tuple[bytes, ...]
    peer: bytes
    name: bytes

    def reply(self) -> Reply:
        return [
            self.id,
            self.time_s,
            self.duration_us,
            list(self.argv),
            self.peer,
            self.name,
        ]


def _trimmed(argv: Sequence[bytes]) -> tuple[bytes, ...]:
    kept = list(argv)
    if len(kept) > MAX_ARGC:
        more = len(kept) - MAX_ARGC + 1
        kept = [*kept[: MAX_ARGC - 1], b"... (%d more arguments)" % more]
    return tuple(
        a[:MAX_STRING] + b"... (%d more bytes)" % (len(a) - MAX_STRING)
        if len(a) > MAX_STRING
        else a
        for a in kept
    )


class SlowLog:
    """The log; ``threshold_us`` mirrors ``slowlog-log-slower-than`` (-1: off)."""

    def __init__(self, config: Config) -> None:
        self.entries: list[SlowEntry] = []
        self.next_id = 0
        self.config = config
        self.threshold_us = config.get_int("slowlog-log-slower-than")
        self.max_len = config.get_int("slowlog-max-len")
        config.listeners.setdefault("slowlog-log-slower-than", []).append(self._threshold)
        config.listeners.setdefault("slowlog-max-len", []).append(self._max_len)

    def _threshold(self, value: str) -> None:
        self.threshold_us = int(value)

    def _max_len(self, value: str) -> None:
        self.max_len = int(value)
        del self.entries[self.max_len :]

    def push(
        self, argv: Sequence[bytes], duration_us: int, now_ms: int, peer: str, name: bytes
    ) -> None:
        """Record a command that took ``duration_us`` (the caller compared it)."""
        entry = SlowEntry(
            self.next_id,
            now_ms // 1000,
            duration_us,
            _trimmed(redact(argv[0].lower().decode(errors="replace"), argv)),
            peer.encode(),
            name,
        )
        self.next_id += 1
        self.entries.insert(0, entry)
        del self.entries[self.max_len :]

    def reset(self) -> None:
        self.entries.clear()
