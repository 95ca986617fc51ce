"""MONITOR: every command the server runs, shown to the monitoring clients as one status
line each (redis's ``replicationFeedMonitors``).

A line is ``+<seconds>.<microseconds> [<db> <client>] "arg" "arg"...`` with the client
as its peer address (``lua`` for a script's commands) and the arguments quoted like
redis's ``sdscatrepr``. The contract the dispatcher keeps (:func:`feed_before`,
:func:`feed_after`):

- A command is shown after it ran (a blocking command when it blocked; a held one when
  it runs again), except EVAL/EVALSHA/FCALL and their ``_RO`` forms, shown *before*
  they run so that their scripts' commands follow them.
- Commands flagged ``admin`` or ``skip_monitor`` are never shown; neither are commands
  refused before they ran, nor the commands queued by MULTI until EXEC runs them
  (then each, followed by the EXEC).
- Passwords are shown as ``(redacted)`` (:func:`nodes.redaction.redact`, shared with
  SLOWLOG): AUTH's arguments, HELLO's AUTH pair, MIGRATE's AUTH / AUTH2 values.
- The time is the event loop's clock (wall-clock based, like the server's ms clock).
- A monitor's own command shows its line after its reply (:func:`after_own_reply`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodes.redaction import redact
from nodes.resp.encoder import encode_into
from nodes.resp.values import Blocked, Raw, Reply

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command

FED_FIRST = frozenset({"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"})
"""Shown before they run (redis feeds them from the command itself)."""
_ESCAPES = {
    ord("\\"): b"\\\\",
    ord('"'): b'\\"',
    ord("\n"): b"\\n",
    ord("\r"): b"\\r",
    ord("\t"): b"\\t",
    ord("\a"): b"\\a",
    ord("\b"): b"\\b",
}
_REPR = [_ESCAPES.get(c, bytes([c]) if 0x20 <= c < 0x7F else b"\\x%02x" % c) for c in range(256)]


def quote(arg: bytes) -> bytes:
    """redis's ``sdscatrepr``: double quotes, C escapes, ``\\xHH`` for the rest."""
    return b'"' + b"".join(_REPR[c] for c in arg) + b'"'


def _silent(cmd: Command) -> bool:
    flags = cmd.flags
    return "admin" in flags or "skip_monitor" in flags


def feed_before(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> None:
    """Before a command runs (the dispatcher calls it only while there are monitors)."""
    if cmd.name in FED_FIRST:
        _feed(ctx, cmd, argv)


def feed_after(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> None:
    """After a command ran (the dispatcher calls it only while there are monitors)."""
    if not _silent(cmd):
        _feed(ctx, cmd, argv)


def _feed(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> None:
    server = ctx.server
    monitors = server.monitors
    now = server.loop.time() + server.epoch_offset
    seconds = int(now)
    micros = int((now - seconds) * 1_000_000)
    client = ctx.client
    source = b"lua" if client.script else client.addr.encode()
    db = server.databases.index(ctx.keyspace)
    line = b"+%d.%06d [%d %s] %s\r\n" % (
        seconds,
        micros,
        db,
        source,
        b" ".join(quote(arg) for arg in redact(cmd.name, argv)),
    )
    for cid, conn in list(monitors.items()):
        if conn.closed:
            del monitors[cid]
            continue
        conn.out.append(line)
        conn.schedule_output()


def own_mark(ctx: CommandContext) -> int:
    """Before a monitor's own request: where its output stands (-1: not a monitor)."""
    conn = ctx.server.monitors.get(ctx.client.id)
    return -1 if conn is None else len(conn.out)


def after_own_reply(ctx: CommandContext, mark: int, reply: Reply | Blocked) -> Reply | Blocked:
    """After a monitor's own request: the lines it was fed meanwhile move behind the
    request's reply (redis writes the reply first, then feeds the monitors)."""
    conn = ctx.server.connections.get(ctx.client.id)
    if conn is None or len(conn.out) <= mark or isinstance(reply, Blocked):
        return reply
    lines = conn.out[mark:]
    del conn.out[mark:]
    out: list[bytes] = []
    encode_into(out, reply, ctx.client.resp == 3)
    return Raw(b"".join(out + lines))
