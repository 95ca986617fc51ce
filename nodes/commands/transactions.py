"""Transactions: MULTI EXEC DISCARD WATCH UNWATCH."""

from __future__ import annotations

from nodes.client import Client
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import exec_queued
from nodes.commands.registry import command
from nodes.errors import CommandError, NodeError
from nodes.resp.values import NULL_ARRAY, OK, Reply


def unwatch_all(ctx: CommandContext, client: Client) -> None:
    """Forget ``client``'s WATCHed keys (in every database: it may have SELECTed another
    one since)."""
    ctx.server.databases.unwatch_all(client, client.watched)
    client.watched.clear()
    client.dirty_cas = False


@command("multi", 1, "noscript loading stale fast allow_busy", acl="@fast @transaction")
def multi(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.client.multi is not None:
        raise CommandError("MULTI calls can not be nested")
    ctx.client.multi = []
    ctx.client.multi_error = False
    return OK


@command("exec", 1, "noscript loading stale skip_slowlog", acl="@slow @transaction")
def exec_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    client = ctx.client
    if client.multi is None:
        raise CommandError("EXEC without MULTI")
    if client.multi_error:
        client.multi = None
        client.multi_error = False
        unwatch_all(ctx, client)
        raise NodeError("EXECABORT Transaction discarded because of previous errors.")
    if client.dirty_cas:
        client.multi = None
        unwatch_all(ctx, client)
        return NULL_ARRAY
    unwatch_all(ctx, client)
    return exec_queued(ctx, client)


@command("discard", 1, "noscript loading stale fast allow_busy", acl="@fast @transaction")
def discard(ctx: CommandContext, argv: list[bytes]) -> Reply:
    client = ctx.client
    if client.multi is None:
        raise CommandError("DISCARD without MULTI")
    client.multi = None
    client.multi_error = False
    unwatch_all(ctx, client)
    return OK


@command(
    "watch",
    -2,
    "noscript loading stale fast allow_busy",
    keys=(1, -1, 1),
    acl="@fast @transaction",
    key_flags="RO",
)
def watch(ctx: CommandContext, argv: list[bytes]) -> Reply:
    client = ctx.client
    if client.multi is not None:
        raise CommandError("WATCH inside MULTI is not allowed")
    for key in argv[1:]:
        if key not in client.watched:
            client.watched.append(key)
            ctx.keyspace.watch(key, client)
    return OK


@command("unwatch", 1, "noscript loading stale fast allow_busy", acl="@fast @transaction")
def unwatch(ctx: CommandContext, argv: list[bytes]) -> Reply:
    unwatch_all(ctx, ctx.client)
    return OK
