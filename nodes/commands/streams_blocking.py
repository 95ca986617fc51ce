"""XREAD / XREADGROUP BLOCK on the blocking layer (:mod:`nodes.blocking`): the waiting
half of the seam described in :mod:`nodes.commands.streams_wakeup`."""

from __future__ import annotations

from nodes.blocking import Served
from nodes.commands.context import CommandContext
from nodes.commands.registry import COMMANDS
from nodes.commands.streams_delivery import serve_blocked
from nodes.commands.streams_wakeup import BlockedRead
from nodes.resp.values import NULL_ARRAY, Blocked, Reply
from nodes.types.stream import Stream


def block_for_streams(ctx: CommandContext, request: BlockedRead) -> Reply | Blocked:
    """Block the client until ``request`` can be served: each time one of its streams
    is signalled, :func:`serve_blocked` answers (reply, commands to propagate) or None to
    keep waiting; the timeout answers a null array. Inside MULTI or a script: that null
    array at once (redis's ``CLIENT_DENY_BLOCKING``)."""
    if ctx.in_exec:
        return NULL_ARRAY

    def serve(wctx: CommandContext, key: bytes) -> Served | None:
        got = serve_blocked(wctx, request, key)
        if got is None:
            return None
        reply, effects = got
        return Served(reply, effects)

    name = b"xreadgroup" if request.group is not None else b"xread"
    return ctx.server.blocking.block(
        ctx,
        cmd=COMMANDS[name],
        argv=[name],
        keys=list(request.keys),
        wants=Stream,
        serve=serve,
        timeout_ms=request.timeout_ms,
        timeout_reply=NULL_ARRAY,
    )
