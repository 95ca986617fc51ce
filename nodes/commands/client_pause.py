"""CLIENT PAUSE / UNPAUSE: hold clients' commands for a while (redis's ``pauseClients``
with the ``PAUSE_BY_CLIENT_COMMAND`` purpose).

The contract:

- ``CLIENT PAUSE ms [WRITE|ALL]`` (ALL by default). ``ALL`` holds every command of a
  normal client; ``WRITE`` holds the commands that may change the dataset or the
  replication stream: write commands, the hidden ``may_replicate`` ones
  (:data:`MAY_REPLICATE`), an EVAL/FCALL whose script or function declares flags
  without ``no-writes`` (a script without a shebang counts by the command's flags),
  and an EXEC whose queue holds any of these.
- The check runs where redis's ``processCommand`` has it (``server.client_pause``, read
  by the dispatcher): after every refusal (arity, auth, routing, write gate, subscribed
  mode), before a command is queued in MULTI or run. So a bad command still gets its
  error at once, and a transaction that pauses the server runs to its end.
- A held client stops reading; when the pause ends (its time is up, or CLIENT
  UNPAUSE) the held commands run again from the top in the order they arrived (they
  may be refused then, or held again by a new pause).
- Replicas' and monitors' connections and our link to the master are never paused.
- While paused, keys are not expired, neither actively nor on access: reads see an
  expired key as missing, as redis does, and it is deleted after the pause.
- Pausing again keeps the stricter mode and the later end.
"""

from __future__ import annotations

import asyncio
import enum
from typing import TYPE_CHECKING

from nodes.cluster.pause import WritePause
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import execute
from nodes.commands.registry import MAY_REPLICATE, Command, command
from nodes.errors import CommandError, NodeError
from nodes.resp.parser import string2ll
from nodes.resp.values import OK, Blocked, Reply
from nodes.scripting.engine import engine_for
from nodes.scripting.shebang import parse_shebang

if TYPE_CHECKING:
    from nodes.server import Server

_SCRIPTED = frozenset({"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"})


class PauseMode(enum.IntEnum):
    OFF = 0
    WRITE = 1
    ALL = 2


class ClientPause:
    """The server's client pause (``server.client_pause``, made by the first PAUSE)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.mode = PauseMode.OFF
        self.end_ms = 0
        self._held = WritePause(server.loop, execute)
        self._timer: asyncio.TimerHandle | None = None

    def pause(self, mode: PauseMode, end_ms: int) -> None:
        """Pause until ``end_ms`` (the server clock's ms; a past one ends it at once)."""
        server = self.server
        if self.mode is PauseMode.OFF:
            server.databases.set_expire_enabled(False)
            self.end_ms = end_ms
        else:
            self.end_ms = max(self.end_ms, end_ms)
        self.mode = max(self.mode, mode)
        self._held.active = True
        if self._timer is not None:
            self._timer.cancel()
        delay = max(0, self.end_ms - server.clock_ms()) / 1000
        self._timer = server.loop.call_later(delay, self.unpause)

    def unpause(self) -> None:
        """End the pause; the held commands run again, first held first."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.mode is PauseMode.OFF:
            return
        self.mode = PauseMode.OFF
        server = self.server
        repl = server.replication
        server.databases.set_expire_enabled(repl is None or repl.master is None)
        self._held.set(False)

    def holds(self, ctx: CommandContext, cmd: Command, argv: list[bytes]) -> bool:
        """Whether this command of this client waits for the end of the pause."""
        if self.mode is PauseMode.OFF:
            return False
        flags = ctx.client.flags
        if "S" in flags or "M" in flags or "O" in flags:
            return False
        if self.mode is PauseMode.ALL:
            return True
        if cmd.name == "exec":
            return any(may_write(ctx, c, a) for c, a in ctx.client.multi or ())
        return may_write(ctx, cmd, argv)

    def hold(self, ctx: CommandContext, argv: list[bytes]) -> Blocked:
        return self._held.hold(ctx, argv)


def pause_of(server: Server) -> ClientPause:
    pause = server.client_pause
    if pause is None:
        pause = server.client_pause = ClientPause(server)
    return pause


def may_write(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> bool:
    """redis's ``is_may_replicate_command`` for one command (scripts by their flags)."""
    if cmd.name in _SCRIPTED:
        declared = _declares_writes(ctx, cmd, argv)
        if declared is not None:
            return declared
    return cmd.is_write or cmd.name in MAY_REPLICATE


def _declares_writes(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> bool | None:
    """redis's ``evalGetCommandFlags`` / ``fcallGetCommandFlags``: whether the script or
    function would write by its declared flags; None when it declares none (or is not
    known, or its shebang is bad): the command's own flags decide then."""
    engine = engine_for(ctx.server)
    if cmd.name.startswith("fcall"):
        fn = engine.functions.functions.get(argv[1])
        flags = None if fn is None else fn.flags
    elif cmd.name.startswith("evalsha"):
        cached = engine.scripts.get(argv[1].lower()) if len(argv[1]) == 40 else None
        flags = None if cached is None else cached.flags
    else:
        try:
            flags = parse_shebang(argv[1])[0]
        except NodeError:
            return None
    if flags is None or flags.compat:
        return None
    return not flags.no_writes


# ---- commands ---------------------------------------------------------------------------
def _syntax(argv: list[bytes]) -> CommandError:
    return CommandError(
        b"unknown subcommand or wrong number of arguments for '"
        + argv[1][:128]
        + b"'. Try CLIENT HELP."
    )


@command(
    "pause",
    -3,
    "admin noscript loading stale",
    acl="@admin @slow @dangerous @connection",
    parent="client",
)
def client_pause(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 4:
        raise _syntax(argv)
    mode = PauseMode.ALL
    if len(argv) == 4:
        word = argv[3].lower()
        if word == b"write":
            mode = PauseMode.WRITE
        elif word != b"all":
            raise CommandError("CLIENT PAUSE mode must be WRITE or ALL")
    timeout = string2ll(argv[2])
    if timeout is None:
        raise CommandError("timeout is not an integer or out of range")
    if timeout < 0:
        raise CommandError("timeout is negative")
    now = ctx.now_ms()
    pause_of(ctx.server).pause(mode, now + timeout if timeout else 0)
    return OK


@command(
    "unpause",
    2,
    "admin noscript loading stale",
    acl="@admin @slow @dangerous @connection",
    parent="client",
)
def client_unpause(ctx: CommandContext, argv: list[bytes]) -> Reply:
    pause = ctx.server.client_pause
    if pause is not None:
        pause.unpause()
    return OK
