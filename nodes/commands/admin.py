"""Server commands: INFO DBSIZE FLUSHALL FLUSHDB SHUTDOWN DEBUG TIME LASTSAVE SAVE
BGSAVE BGREWRITEAOF WAIT. SAVE / BGSAVE / LASTSAVE / DEBUG RELOAD and the save at
SHUTDOWN are :mod:`nodes.rdb.saver`'s."""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, NodeError, SyntaxErr
from nodes.info import render
from nodes.resp.values import NO_REPLY, OK, Reply, Simple, Verbatim


@command(
    "info",
    -1,
    "loading stale",
    acl="@slow @dangerous",
    tips="nondeterministic_output request_policy:all_shards response_policy:special",
)
def info(ctx: CommandContext, argv: list[bytes]) -> Reply:
    sections = [a.decode(errors="replace") for a in argv[1:]]
    return Verbatim(render(ctx.server, sections))


@command(
    "dbsize",
    1,
    "readonly fast",
    acl="@keyspace @read @fast",
    tips="request_policy:all_shards response_policy:agg_sum",
)
def dbsize(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return len(ctx.keyspace)


def _flush(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() not in (b"sync", b"async")):
        raise SyntaxErr()
    if argv[0].lower() == b"flushall":
        ctx.server.databases.flush_all()
        ctx.keyspace.dirty += 1
    else:
        ctx.keyspace.flush()
    ctx.propagate_as([argv[0].upper()])
    return OK


@command(
    "flushall",
    -1,
    "write",
    acl="@keyspace @write @slow @dangerous",
    tips="request_policy:all_shards response_policy:all_succeeded",
)
def flushall(ctx: CommandContext, argv: list[bytes]) -> Reply:
    reply = _flush(ctx, argv)
    ctx.server.rdb.after_flushall()
    return reply


@command(
    "flushdb",
    -1,
    "write",
    acl="@keyspace @write @slow @dangerous",
    tips="request_policy:all_shards response_policy:all_succeeded",
)
def flushdb(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _flush(ctx, argv)


@command(
    "shutdown",
    -1,
    "admin noscript loading stale no_multi allow_busy",
    acl="@admin @slow @dangerous",
)
def shutdown(ctx: CommandContext, argv: list[bytes]) -> Reply:
    opts = [arg.lower() for arg in argv[1:]]
    if any(o not in (b"nosave", b"save", b"now", b"force", b"abort") for o in opts):
        raise SyntaxErr()
    if b"nosave" in opts and b"save" in opts:
        raise SyntaxErr()
    if b"abort" in opts and len(opts) > 1:
        raise SyntaxErr()
    if b"abort" in opts:
        raise CommandError("No shutdown in progress.")
    save = True if b"save" in opts else False if b"nosave" in opts else None
    flags = frozenset(o.decode() for o in opts)
    if not ctx.server.request_shutdown(save, flags):
        if b"force" not in opts:
            raise CommandError("Errors trying to SHUTDOWN. Check logs.")
        ctx.server.request_shutdown(False, flags)  # FORCE: exit though the save failed
    ctx.client.close_after_reply = True
    return NO_REPLY


@command("time", 1, "loading stale fast", acl="@fast", tips="nondeterministic_output")
def time_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    now_us = int((ctx.server.loop.time() + ctx.server.epoch_offset) * 1_000_000)
    return [str(now_us // 1_000_000).encode(), str(now_us % 1_000_000).encode()]


@command(
    "lastsave",
    1,
    "loading stale fast",
    acl="@admin @fast @dangerous",
    tips="nondeterministic_output",
)
def lastsave(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return ctx.server.rdb.lastsave_s


@command("save", 1, "admin noscript no_async_loading no_multi", acl="@admin @slow @dangerous")
def save(ctx: CommandContext, argv: list[bytes]) -> Reply:
    rdb = ctx.server.rdb
    if rdb.bgsave_in_progress:
        raise CommandError("Background save already in progress")
    if not rdb.save(counted=True):
        raise NodeError(b"ERR")
    return OK


@command("bgsave", -1, "admin noscript no_async_loading", acl="@admin @slow @dangerous")
def bgsave(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() != b"schedule"):
        raise SyntaxErr()
    rdb = ctx.server.rdb
    if rdb.bgsave_in_progress:
        raise CommandError("Background save already in progress")
    rdb.bgsave()
    return Simple(b"Background saving started")


@command("bgrewriteaof", 1, "admin noscript no_async_loading", acl="@admin @slow @dangerous")
def bgrewriteaof(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.server.aof is not None:
        ctx.server.aof.rewrite()
    return Simple(b"Background append only file rewriting started")
