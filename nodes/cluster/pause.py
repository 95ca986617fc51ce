"""Write pause for a manual failover (master side), like redis's ``CLIENT_PAUSE_WRITE``.

While a replica runs ``CLUSTER FAILOVER`` (default mode), the master must accept no more
writes, so that the offset it announced is the last one. A write command that arrives
meanwhile is held: the client gets a :class:`Blocked` reply, and when the pause ends the
command is executed again from the top (so after a successful failover it gets ``-MOVED``
to the new master, and after a timeout it simply runs).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from nodes.client_pause import copy_outcome
from nodes.resp.values import Blocked, Error

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.resp.values import Reply

log = logging.getLogger("splitbrain.cluster")

Execute = Callable[["CommandContext", list[bytes]], "Reply | Blocked"]


class WritePause:
    def __init__(self, loop: asyncio.AbstractEventLoop, execute: Execute) -> None:
        self.loop = loop
        self.execute = execute
        self.active = False
        self.held: list[tuple[CommandContext, list[bytes], asyncio.Future[Reply]]] = []

    def set(self, paused: bool) -> None:
        if paused:
            self.active = True
            return
        self.active = False
        held, self.held = self.held, []
        if held:
            log.info("Write pause over: running %d held commands", len(held))
        for ctx, argv, future in held:
            if future.done():
                continue
            try:
                reply = self.execute(ctx, argv)
            except Exception as exc:  # a bug must not leave the client hanging
                log.exception("held command failed")
                reply = Error(f"ERR internal error: {exc!r}".encode())
            if isinstance(reply, Blocked):
                reply.future.add_done_callback(functools.partial(copy_outcome, target=future))
            else:
                future.set_result(reply)

    def hold(self, ctx: CommandContext, argv: list[bytes]) -> Blocked:
        future: asyncio.Future[Reply] = self.loop.create_future()
        self.held.append((ctx, list(argv), future))
        return Blocked(future)
