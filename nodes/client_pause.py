"""CLIENT PAUSE: commands from clients are held until the pause ends, as redis 7.0 does.

Contract:
- :meth:`ClientPause.pause` starts or extends a pause (``ALL`` holds every command,
  ``WRITE`` only those that may replicate: writes, ``may_replicate`` commands, an EXEC
  with such a command queued); the stronger mode and the later end win, as redis merges
  pauses. :meth:`ClientPause.unpause` lifts it; so does the end time, on the loop's clock.
- A held command answers :class:`Blocked` (the connection reads nothing else meanwhile);
  when the pause lifts, held commands run again from the top through the ``execute``
  they were held with, in arrival order, so they see the server as it is then.
- Replicas' own connections are never held (they must keep acknowledging).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from nodes.resp.values import Blocked, Error

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.resp.values import Reply

log = logging.getLogger("splitbrain.server")

Execute = Callable[["CommandContext", list[bytes]], "Reply | Blocked"]

OFF, WRITE, ALL = 0, 1, 2
"""Pause modes, weakest first (redis's CLIENT_PAUSE_OFF / _WRITE / _ALL)."""

REPLICA_FLAGS = "S"
"""CLIENT LIST flags of a replica's connection to us."""


def may_replicate(cmd: Command, queued: list[Command]) -> bool:
    """What a WRITE pause holds: the command, or for EXEC any queued command, writes or
    may replicate."""
    commands = queued if cmd.name == "exec" else [cmd]
    return any(c.is_write or "may_replicate" in c.flags for c in commands)


class ClientPause:
    """The server's client pause (one per server)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.mode = OFF
        self.end_ms = 0
        self._held: list[tuple[CommandContext, list[bytes], Execute, asyncio.Future[Reply]]] = []
        self._timer: asyncio.TimerHandle | None = None

    @property
    def active(self) -> bool:
        return self.mode != OFF

    def pause(self, mode: int, end_ms: int, now_ms: int) -> None:
        """Pause ``mode`` until ``end_ms`` (merged with a pause in force)."""
        self.end_ms = max(self.end_ms, end_ms) if self.mode != OFF else end_ms
        self.mode = max(self.mode, mode)
        if self._timer is not None:
            self._timer.cancel()
        delay_s = max(0.0, (self.end_ms - now_ms) / 1000)
        self._timer = self.loop.call_later(delay_s, self.unpause)

    def holds(self, ctx: CommandContext, cmd: Command) -> bool:
        """Whether ``cmd`` from ``ctx``'s client waits for the pause to end."""
        if self.mode == OFF or ctx.client.flags == REPLICA_FLAGS:
            return False
        if self.mode == ALL:
            return True
        return may_replicate(cmd, [c for c, _ in ctx.client.multi or ()])

    def hold(self, ctx: CommandContext, argv: list[bytes], execute: Execute) -> Blocked:
        future: asyncio.Future[Reply] = self.loop.create_future()
        self._held.append((ctx, list(argv), execute, future))
        return Blocked(future)

    def unpause(self) -> None:
        """End the pause and run what was held."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.mode = OFF
        self.end_ms = 0
        held, self._held = self._held, []
        for ctx, argv, execute, future in held:
            if future.done():
                continue
            try:
                reply = execute(ctx, argv)
            except Exception as exc:  # a bug must not leave the client hanging
                log.exception("command held by CLIENT PAUSE failed")
                reply = Error(f"ERR internal error: {exc!r}".encode())
            if isinstance(reply, Blocked):
                reply.future.add_done_callback(functools.partial(copy_outcome, target=future))
            else:
                future.set_result(reply)


def copy_outcome(source: asyncio.Future[Reply], *, target: asyncio.Future[Reply]) -> None:
    """Complete ``target`` as ``source`` completed (a re-run command that blocked again)."""
    if target.done():
        return
    if source.cancelled():
        target.cancel()
    elif source.exception() is not None:
        target.set_exception(source.exception())  # type: ignore[arg-type]
    else:
        target.set_result(source.result())
