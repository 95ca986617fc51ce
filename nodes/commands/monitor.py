"""MONITOR: the connection becomes a monitor (:mod:`nodes.monitor` feeds it) until it
closes or sends RESET. Inside a transaction it is refused (``DENY BLOCKING``); a second
MONITOR on the same connection is ignored without a reply, as redis."""

from __future__ import annotations

from nodes.client import MONITOR_FLAGS
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import NodeError
from nodes.resp.values import OK, Raw, Reply

_NO_REPLY = Raw(b"")


@command("monitor", 1, "admin noscript loading stale", acl="@admin @slow @dangerous")
def monitor(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.in_exec:
        raise NodeError(b"ERR MONITOR isn't allowed for DENY BLOCKING client")
    client = ctx.client
    conn = ctx.server.connections.get(client.id)
    if "O" in client.flags or "S" in client.flags or conn is None:
        return _NO_REPLY
    client.flags = MONITOR_FLAGS
    ctx.server.monitors[client.id] = conn
    return OK
