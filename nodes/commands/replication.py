"""Replication commands: REPLICAOF/SLAVEOF, FAILOVER, REPLCONF, PSYNC, SYNC, WAIT, ROLE.

They delegate to ``server.replication`` (:mod:`nodes.replication`); a server without
the component answers as a master without replicas.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, NodeError, SyntaxErr
from nodes.replication import Replication
from nodes.replication.failover import NO_FAILOVER
from nodes.replication.report import role_reply
from nodes.resp.values import OK, Blocked, Reply, Simple


def _repl(ctx: CommandContext) -> Replication:
    repl = ctx.server.replication
    if repl is None:
        raise CommandError("replication is not available on this server")
    return repl


def _replicaof(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.server.cluster_enabled:
        raise CommandError("REPLICAOF not allowed in cluster mode.")
    repl = _repl(ctx)
    if repl.failover.state != NO_FAILOVER:
        raise CommandError("REPLICAOF not allowed while failing over.")
    if argv[1].lower() == b"no" and argv[2].lower() == b"one":
        repl.become_master()
        return OK
    if ctx.client.id in repl.primary.links:
        raise CommandError("Command is not valid when client is a replica.")
    try:
        port = int(argv[2])
    except ValueError:
        raise CommandError("Invalid master port") from None
    if not 0 <= port <= 65535:
        raise CommandError("Invalid master port")
    host = argv[1].decode(errors="replace")
    master = repl.master
    if master is not None and master.host == host and master.port == port:
        return Simple(b"OK Already connected to specified master")
    repl.follow(host, port)
    return OK


_ADMIN = "admin noscript stale no_async_loading"


@command("replicaof", 3, _ADMIN, acl="@admin @slow @dangerous")
def replicaof(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _replicaof(ctx, argv)


@command("slaveof", 3, _ADMIN, acl="@admin @slow @dangerous")
def slaveof(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _replicaof(ctx, argv)


@command("failover", -1, "admin noscript stale", acl="@admin @slow @dangerous")
def failover(ctx: CommandContext, argv: list[bytes]) -> Reply:
    """FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (:mod:`nodes.replication.failover`)."""
    if ctx.server.cluster_enabled:
        raise CommandError(
            "FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead."
        )
    _repl(ctx).failover.command(argv)
    return OK


@command("replconf", -1, "admin noscript loading stale allow_busy", acl="@admin @slow @dangerous")
def replconf(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) % 2 == 0:
        raise SyntaxErr()
    return _repl(ctx).primary.replconf(ctx, argv)


@command("psync", -3, "admin noscript no_async_loading no_multi", acl="@admin @slow @dangerous")
def psync(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.client.multi is not None or ctx.in_exec:
        raise CommandError("Command not allowed inside a transaction")
    return _repl(ctx).primary.psync(ctx, argv)


@command("sync", 1, "admin noscript no_async_loading no_multi", acl="@admin @slow @dangerous")
def sync(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.client.multi is not None or ctx.in_exec:
        raise CommandError("Command not allowed inside a transaction")
    return _repl(ctx).primary.psync(ctx, argv)


@command(
    "wait",
    3,
    "noscript",
    acl="@slow @connection",
    tips="request_policy:all_shards response_policy:agg_min",
)
def wait(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    """WAIT numreplicas timeout: replicas whose acked offset reached this client's last
    write; blocks only this client; never rolls anything back."""
    repl = _repl(ctx)
    if repl.is_replica:
        raise NodeError(
            b"ERR WAIT cannot be used with replica instances. Please also note that since "
            b"Redis 4.0 if a replica is configured to be writable (which is not the "
            b"default) writes to replicas are just local and are not propagated."
        )
    wanted = parse_int(argv[1])
    try:
        timeout = int(argv[2])
    except ValueError:
        raise CommandError("timeout is not an integer or out of range") from None
    if timeout < 0:
        raise CommandError("timeout is negative")
    return repl.primary.wait(ctx, wanted, timeout)


@command("role", 1, "noscript loading stale fast", acl="@admin @fast @dangerous")
def role(ctx: CommandContext, argv: list[bytes]) -> Reply:
    repl = ctx.server.replication
    if repl is None:
        return [b"master", 0, []]
    return role_reply(repl)
