"""MONITOR: clients that see every command the server executes.

Each executed command (not an admin one; not one refused before running) is sent to
every monitoring client as redis's status line
``+<unix s>.<µs> [<db> <ip:port>] "arg" "arg"...`` (``[<db> lua]`` for a script's
commands), arguments quoted as redis's ``sdscatrepr`` and redacted as in SLOWLOG.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from nodes.slowlog import redacted

if TYPE_CHECKING:
    from nodes.client import Client

_ESCAPES = {
    ord("\\"): b"\\\\",
    ord('"'): b'\\"',
    ord("\n"): b"\\n",
    ord("\r"): b"\\r",
    ord("\t"): b"\\t",
    7: b"\\a",
    8: b"\\b",
}


def quoted(arg: bytes) -> bytes:
    """redis's ``sdscatrepr``: a double-quoted C-style literal."""
    out = bytearray(b'"')
    for c in arg:
        escape = _ESCAPES.get(c)
        if escape is not None:
            out += escape
        elif 32 <= c < 127:
            out.append(c)
        else:
            out += b"\\x%02x" % c
    out += b'"'
    return bytes(out)


class Monitor(Protocol):
    """A monitoring connection: takes raw RESP bytes to send."""

    def deliver(self, wire: bytes) -> None:
        """Queue ``wire`` for the client (written with the next batch of replies)."""


class Monitors:
    """The monitoring connections, by client id."""

    def __init__(self) -> None:
        self.watching: dict[int, Monitor] = {}

    def feed(self, now_s: float, db: int, client: Client, argv: Sequence[bytes]) -> None:
        """Send one executed command to every monitor."""
        whole = int(now_s)
        micros = int((now_s - whole) * 1_000_000)
        where = b"lua" if client.id == 0 and not client.addr else client.addr.encode()
        line = b"+%d.%06d [%d %s] " % (whole, micros, db, where)
        line += b" ".join(quoted(a) for a in redacted(argv)) + b"\r\n"
        for monitor in list(self.watching.values()):
            monitor.deliver(line)
