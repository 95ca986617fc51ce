"""Client pauses: commands from clients are held until the pause ends, as redis 7.0 does.

Three things pause clients, each a *purpose* with its own mode and end (redis's
``pauseClients(purpose, end, type)``): ``CLIENT PAUSE``, a manual failover on the
master, which holds writes until its replica has taken over (then the held writes run
again and get ``-MOVED``), and a master's shutdown waiting for its replicas.
The pause in force is the strongest mode of any purpose.

Contract:
- :meth:`ClientPause.pause` starts or extends one purpose's pause (``ALL`` holds every
  command, ``WRITE`` those that may replicate: writes, ``may_replicate`` commands, a
  command queued in MULTI or an EXEC with such a command); the stronger mode and the later
  end win within a purpose. ``end_ms=None``: until :meth:`ClientPause.unpause`.
- A held command answers :class:`Blocked` (the connection reads nothing else meanwhile).
  Whenever a purpose lifts, held commands run again from the top through the ``execute``
  they were held with, in arrival order, so they see the server as it is then (and are
  held once more if a pause still applies to them).
- While any pause is in force no key expires (``on_paused``); reads see an expired key
  as missing, it is deleted afterwards.
- Replicas' own connections and MONITOR clients are never held (replicas must keep
  acknowledging). Commands a
  script runs are not held (the script as a whole was).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from nodes.client import MONITOR_FLAGS, REPLICA_FLAGS
from nodes.resp.values import Blocked, Error

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.resp.values import Reply

log = logging.getLogger("splitbrain.server")

Execute = Callable[["CommandContext", list[bytes]], "Reply | Blocked"]

OFF, WRITE, ALL = 0, 1, 2
"""Pause modes, weakest first (redis's CLIENT_PAUSE_OFF / _WRITE / _ALL)."""

BY_CLIENT_COMMAND = "client-pause"
DURING_FAILOVER = "failover"
DURING_SHUTDOWN = "shutdown"
"""The purposes (redis's PAUSE_BY_CLIENT_COMMAND, PAUSE_DURING_FAILOVER,
PAUSE_DURING_SHUTDOWN)."""


ScriptWrites = Callable[["CommandContext", "Command", list[bytes]], "bool | None"]
"""For EVAL/FCALL: whether the script or function would write by its declared flags
(None: it declares none, the command's own flags decide) -- redis's
``evalGetCommandFlags`` / ``fcallGetCommandFlags``."""
SCRIPT_WRITES: list[ScriptWrites] = []
"""The scripting commands register their :data:`ScriptWrites` here when loaded."""


def writes(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> bool:
    """redis's ``CMD_WRITE`` as ``getCommandFlags`` gives it: a script or function by its
    declared flags when it declares any, else the command's own flag."""
    declared = SCRIPT_WRITES[0](ctx, cmd, argv) if SCRIPT_WRITES else None
    return cmd.is_write if declared is None else declared


def may_replicate(
    ctx: CommandContext,
    cmd: Command,
    argv: list[bytes],
    queued: list[tuple[Command, list[bytes]]],
) -> bool:
    """What a WRITE pause holds: the command, or for EXEC any queued command, writes or
    may replicate (a script by its declared flags)."""
    commands = queued if cmd.name == "exec" else [(cmd, argv)]
    for c, args in commands:
        declared = SCRIPT_WRITES[0](ctx, c, args) if SCRIPT_WRITES else None
        if declared if declared is not None else (c.is_write or c.may_replicate):
            return True
    return False


class ClientPause:
    """The server's client pauses (one object per server)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.mode = OFF
        """The mode in force (read on every command: a plain attribute)."""
        self._pauses: dict[str, tuple[int, int | None]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._held: list[tuple[CommandContext, list[bytes], Execute, asyncio.Future[Reply]]] = []
        self.on_paused: list[Callable[[bool], None]] = []
        """Told when a pause begins (True) and when none is left (False): keys do not
        expire meanwhile (redis keeps the dataset still)."""

    @property
    def active(self) -> bool:
        return self.mode != OFF

    def end_ms(self, purpose: str = BY_CLIENT_COMMAND) -> int | None:
        """When ``purpose``'s pause ends (None: not paused, or until lifted)."""
        pause = self._pauses.get(purpose)
        return None if pause is None else pause[1]

    def pause(
        self, mode: int, end_ms: int | None, now_ms: int, purpose: str = BY_CLIENT_COMMAND
    ) -> None:
        """Pause ``mode`` for ``purpose`` until ``end_ms`` (merged with its pause in force)."""
        old = self._pauses.get(purpose)
        if old is not None:
            old_mode, old_end = old
            mode = max(mode, old_mode)
            end_ms = None if old_end is None or end_ms is None else max(old_end, end_ms)
        self._pauses[purpose] = (mode, end_ms)
        timer = self._timers.pop(purpose, None)
        if timer is not None:
            timer.cancel()
        if end_ms is not None:
            delay_s = max(0.0, (end_ms - now_ms) / 1000)
            self._timers[purpose] = self.loop.call_later(delay_s, self.unpause, purpose)
        was = self.mode
        self.mode = max(m for m, _ in self._pauses.values())
        if was == OFF:
            for listener in self.on_paused:
                listener(True)

    def holds(self, ctx: CommandContext, cmd: Command, argv: list[bytes]) -> bool:
        """Whether ``cmd`` from ``ctx``'s client waits for the pause to end."""
        if self.mode == OFF or ctx.client.flags in (REPLICA_FLAGS, MONITOR_FLAGS):
            return False
        if self.mode == ALL:
            return True
        return may_replicate(ctx, cmd, argv, ctx.client.multi or [])

    def hold(self, ctx: CommandContext, argv: list[bytes], execute: Execute) -> Blocked:
        future: asyncio.Future[Reply] = self.loop.create_future()
        self._held.append((ctx, list(argv), execute, future))
        return Blocked(future)

    def unpause(self, purpose: str = BY_CLIENT_COMMAND) -> None:
        """End ``purpose``'s pause and run again what was held."""
        timer = self._timers.pop(purpose, None)
        if timer is not None:
            timer.cancel()
        if self._pauses.pop(purpose, None) is None:
            return
        self.mode = max((m for m, _ in self._pauses.values()), default=OFF)
        if self.mode == OFF:
            for listener in self.on_paused:
                listener(False)
        held, self._held = self._held, []
        if held:
            log.info("Client pause over (%s): running %d held commands", purpose, len(held))
        for ctx, argv, execute, future in held:
            if future.done():
                continue
            try:
                reply = execute(ctx, argv)
            except Exception as exc:  # a bug must not leave the client hanging
                log.exception("command held by a client pause failed")
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
