"""What a command handler sees: the server, its client, the keyspace, the clock, and the
propagation override."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodes.client import Client
from nodes.keyspace import Keyspace

if TYPE_CHECKING:
    from nodes.server import Server


class CommandContext:
    """One per connection, reused for each of its commands (no per-command allocation)."""

    __slots__ = ("client", "in_exec", "keyspace", "propagated", "server")

    def __init__(self, server: Server, client: Client) -> None:
        self.server = server
        self.client = client
        self.keyspace: Keyspace = server.keyspace
        self.propagated: list[list[bytes]] | None = None
        """Set by :meth:`propagate_as`; ``None`` means "propagate argv as it came"."""
        self.in_exec = False
        """True while EXEC runs the queued commands, and always for the scripts' context
        (a handler must not block then: redis's ``CLIENT_DENY_BLOCKING``)."""

    def now_ms(self) -> int:
        """The current time in ms since the epoch, from the server's (event loop) clock."""
        return self.server.clock_ms()

    def propagate_as(self, *argvs: list[bytes]) -> None:
        """Propagate these commands instead of the one executed (none: propagate nothing).
        Only used when the command changed the dataset."""
        self.propagated = list(argvs)
