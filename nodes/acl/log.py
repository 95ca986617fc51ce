"""ACL LOG: refused commands, keys, channels and failed AUTHs, newest first.

An event like one of the 10 newest (same reason, context, object and user, within 60 s)
counts on that entry, which moves to the front, as in redis. Times are the server's
clock (ms); the log keeps at most ``acllog-max-len`` entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nodes.resp.values import Reply

GROUPING_MS = 60_000
_SCANNED = 10


@dataclass(slots=True)
class LogEntry:
    reason: bytes
    """``command``, ``key``, ``channel`` or ``auth``."""
    context: bytes
    """``toplevel``, ``multi`` or ``lua``."""
    object: bytes
    username: bytes
    created_ms: int
    client_info: bytes
    count: int = 1

    def reply(self, now_ms: int) -> Reply:
        return {
            b"count": self.count,
            b"reason": self.reason,
            b"context": self.context,
            b"object": self.object,
            b"username": self.username,
            b"age-seconds": (now_ms - self.created_ms) / 1000,
            b"client-info": self.client_info,
        }


class AclLog:
    """The log; ``max_len`` is read on each addition (``acllog-max-len`` is live)."""

    def __init__(self, max_len: Callable[[], int]) -> None:
        self.entries: list[LogEntry] = []
        self._max_len = max_len

    def add(self, entry: LogEntry) -> None:
        for i, old in enumerate(self.entries[:_SCANNED]):
            if (
                old.reason == entry.reason
                and old.context == entry.context
                and abs(old.created_ms - entry.created_ms) <= GROUPING_MS
                and old.object == entry.object
                and old.username == entry.username
            ):
                old.count += 1
                old.created_ms = entry.created_ms
                old.client_info = entry.client_info
                del self.entries[i]
                self.entries.insert(0, old)
                return
        self.entries.insert(0, entry)
        del self.entries[max(self._max_len(), 0) :]

    def reset(self) -> None:
        self.entries.clear()
