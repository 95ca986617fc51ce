"""Command execution: lookup, arity, auth, MULTI queueing, cluster routing, the handler
call, the ONE place where :class:`NodeError` becomes an error reply, and propagation."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nodes.acl.enforce import acl_refusal, exec_refusal
from nodes.client import Client
from nodes.command_stats import CALLS, FAILED, SECONDS
from nodes.commands.context import CommandContext
from nodes.commands.registry import COMMANDS, Command
from nodes.errors import ArityError, CrossSlotError, NodeError
from nodes.keyslot import keyslot
from nodes.monitor import after_own_reply, feed_after, feed_before, own_mark
from nodes.pubsub import ALLOWED_WHEN_SUBSCRIBED
from nodes.resp.values import QUEUED, Blocked, Error, Raw, Reply

if TYPE_CHECKING:
    from nodes.server import Server

log = logging.getLogger("splitbrain.dispatch")

_UNBOUND = b"CLUSTERDOWN Hash slot not served"
_NO_MULTI = Error(b"ERR Command not allowed inside a transaction")
_NOAUTH = Error(b"NOAUTH Authentication required.")
_REPLICA_KEYSPACE = Error(b"ERR Replica can't interact with the keyspace")
_NO_REPLY = Raw(b"")


def error_reply(error: NodeError) -> Error:
    """The reply for a raised error (CR/LF in the text become spaces, as in redis)."""
    text = error.text
    if b"\r" in text or b"\n" in text:
        text = text.replace(b"\r", b" ").replace(b"\n", b" ")
    return Error(text)


def _c_str(arg: bytes) -> bytes:
    """What C's ``%s`` prints of an argument: up to its first NUL byte."""
    nul = arg.find(b"\0")
    return arg if nul < 0 else arg[:nul]


def unknown_command(argv: list[bytes]) -> Error:
    args = b""
    for arg in argv[1:]:
        if len(args) >= 128:
            break
        args += b"'" + _c_str(arg)[: 128 - len(args)] + b"' "
    name = _c_str(argv[0])[:128]
    text = b"ERR unknown command '" + name + b"', with args beginning with: " + args
    return error_reply(NodeError(text))


def resolve(argv: list[bytes]) -> Command | Error:
    """The command (or subcommand) ``argv`` names, arity checked, or the error reply."""
    cmd = COMMANDS.get(argv[0].lower())
    if cmd is None:
        return unknown_command(argv)
    if cmd.subcommands and len(argv) >= 2:
        sub = cmd.subcommands.get(argv[1].lower())
        if sub is None:
            text = (
                b"ERR unknown subcommand '"
                + _c_str(argv[1])[:128]
                + b"'. Try "
                + _c_str(argv[0]).upper()
                + b" HELP."
            )
            return error_reply(NodeError(text))
        cmd = sub
    arity = cmd.arity
    if (arity > 0 and len(argv) != arity) or len(argv) < -arity:
        return error_reply(ArityError(cmd.fullname))
    return cmd


_LOADING = Error(b"LOADING Redis is loading the dataset in memory")

_FAST: dict[bytes, Command] = {}
"""Exact command-name bytes as clients send them -> plain (non-container) command."""


def execute(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    """Run one client request, then the server's ``after_command`` hook (redis's
    ``resetClient``)."""
    tracking = ctx.server.tracking
    if tracking is not None:
        tracking.current = ctx.client
    mark = own_mark(ctx) if "O" in ctx.client.flags else -1
    reply = _process(ctx, argv)
    if mark >= 0:
        reply = after_own_reply(ctx, mark, reply)
    blocking = ctx.server.blocking
    if blocking.spaces and blocking.has_ready():
        blocking.serve_ready()
    hook = ctx.server.after_command
    if hook is not None:
        hook(ctx, argv)
    client = ctx.client
    if client.reply_mode != "on":  # CLIENT REPLY OFF / SKIP
        if client.reply_mode in ("off", "skip") and not isinstance(reply, Blocked):
            reply = _NO_REPLY
        if client.reply_mode == "skip":
            client.reply_mode = "on"
        elif client.reply_mode == "skip-next":
            client.reply_mode = "skip"
    if tracking is not None:
        if argv[0].lower() != b"client":  # CLIENT CACHING lasts until the next command
            tracking.command_done(ctx.client, ctx.client.multi is not None)
        reply = tracking.finish(ctx.client, reply)
    return reply


def _process(ctx: CommandContext, argv: list[bytes]) -> Reply | Blocked:
    """One client request (the full redis ``processCommand`` path)."""
    server = ctx.server
    client = ctx.client
    server.stats.commands += 1
    cmd = _FAST.get(argv[0])
    if cmd is not None:
        arity = cmd.arity
        if (arity > 0 and len(argv) != arity) or len(argv) < -arity:
            return _refused(server, client, error_reply(ArityError(cmd.fullname)), cmd)
    else:
        found = resolve(argv)
        if type(found) is Error:
            return _refused_unresolved(server, client, found, argv)
        assert isinstance(found, Command)
        cmd = found
        if cmd.parent is None and not cmd.subcommands and len(_FAST) < 1024:
            _FAST[argv[0]] = cmd
    client.last_command = cmd.fullname_bytes
    if not client.authenticated and not cmd.no_auth and not server.acl.open_without_auth():
        return _refused(server, client, _NOAUTH, cmd)
    if client.user.restricted:
        denied = acl_refusal(ctx, cmd, argv)
        if denied is not None:
            return _refused(server, client, denied, cmd)
    if server.cluster_enabled and (cmd.has_keys or cmd.name == "exec"):
        refused = route(ctx, cmd, argv)
        if refused is not None:
            if isinstance(refused, Blocked):
                return refused  # held by the router, run again later (an EXEC keeps its queue)
            if cmd.name == "exec":
                client.multi = None
                client.multi_error = False
            return _refused(server, client, refused, None, cmd)
    gate = server.write_gate
    if gate is not None and (cmd.is_write or cmd.name == "exec"):
        refused = gate(ctx, cmd)
        if refused is not None:
            if cmd.name == "exec":
                client.multi = None
                client.multi_error = False
            return _refused(server, client, refused, None, cmd)
    if client.pubsub is not None and client.resp == 2 and cmd.name not in ALLOWED_WHEN_SUBSCRIBED:
        return _refused(server, client, _subscribed_refusal(cmd), cmd)
    if "O" in client.flags and (cmd.is_write or "readonly" in cmd.flags or cmd.may_replicate):
        return _refused(server, client, _REPLICA_KEYSPACE, cmd)  # a MONITOR client
    stale = server.stale_gate
    if stale is not None and _denied_when_stale(cmd, client):
        refused = stale(ctx, cmd)
        if refused is not None:
            return _refused(server, client, refused, cmd)
    if server.loading and "loading" not in cmd.flags:
        return _refused(server, client, _LOADING, cmd)
    pause = server.client_pause
    if pause.mode and pause.holds(ctx, cmd, argv):
        return pause.hold(ctx, argv, execute)
    if client.multi is not None and cmd.in_multi_ok:
        if cmd.no_multi:
            return _refused(server, client, _NO_MULTI, cmd)
        client.multi.append((cmd, argv))
        return QUEUED
    keyspace = ctx.keyspace
    dirty = keyspace.dirty
    if server.monitors:
        feed_before(ctx, cmd, argv)
    timing = server.timing
    clock = timing.clock
    start = clock()
    try:
        reply = cmd.handler(ctx, argv)  # type: ignore[misc]
    except NodeError as exc:
        reply = error_reply(exc)
    except Exception as exc:
        reply = _internal_error(server, cmd, exc)
    if type(reply) is not Blocked:
        elapsed = clock() - start
        entry = server.command_stats.table.get(cmd.fullname_bytes) or server.command_stats.entry(
            cmd
        )
        entry[CALLS] += 1  # CommandStats.ran, inlined
        entry[SECONDS] += elapsed
        if type(reply) is Error:
            entry[FAILED] += 1
            server.error_stats.count(reply.text)
        if timing.tracking:  # CommandTiming.record, inlined
            counts = (timing.histograms.get(cmd.fullname_bytes) or timing.histogram(cmd)).counts
            us = int(elapsed * 1_000_000)
            counts[us] = counts.get(us, 0) + 1
        if elapsed >= timing.alert_s:
            timing.slow(ctx, cmd, argv, elapsed)
    if server.monitors:
        feed_after(ctx, cmd, argv)
    if server.tracking is not None:
        server.tracking.remember(ctx, cmd, argv)
    if keyspace.dirty != dirty and cmd.is_write:
        propagated = ctx.propagated
        db = server.databases.index(keyspace)
        server.propagate(db, [argv] if propagated is None else propagated)
    if ctx.propagated is not None:
        ctx.propagated = None
    if server.pending_propagation:
        server.flush_propagation()
        client.woff = server.master_repl_offset
    return reply


def _subscribed_refusal(cmd: Command) -> Error:
    return Error(
        b"ERR Can't execute '"
        + cmd.fullname_bytes
        + b"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
        b"in this context"
    )


def _internal_error(server: Server, cmd: Command, exc: Exception) -> Error:
    """A bug in a handler: logged with its traceback, answered as an error; the server and
    the connection carry on."""
    log.exception("command %s failed", cmd.fullname)
    return error_reply(NodeError(f"ERR internal error in '{cmd.fullname}': {exc!r}"))


def _refused(
    server: Server,
    client: Client,
    reply: Reply,
    cmd: Command | None,
    rejected: Command | None = None,
) -> Reply:
    """A command rejected before running: flags an open transaction; a rejected EXEC
    (even outside MULTI, as redis does) answers ``EXECABORT ... because of: ...``. The
    error is counted, and a rejected call of ``rejected`` (the command redis had looked
    up when it refused; ``cmd`` when not given)."""
    if cmd is not None and cmd.name == "exec" and isinstance(reply, Error):
        client.multi = None
        client.multi_error = False
        reason = reply.text[4:] if reply.text.startswith(b"ERR ") else reply.text
        reply = Error(b"EXECABORT Transaction discarded because of: " + reason)
    elif client.multi is not None:
        client.multi_error = True
    if isinstance(reply, Error):
        server.error_stats.count(reply.text)
    rejected = rejected or cmd
    if rejected is not None:
        server.command_stats.rejected(rejected)
    return reply


def _refused_unresolved(server: Server, client: Client, reply: Error, argv: list[bytes]) -> Reply:
    """What :func:`resolve` refused: an unknown command or subcommand (no rejected call
    counted: redis had looked nothing up), or a wrong arity (a rejected call of the
    command or subcommand)."""
    looked_up = COMMANDS.get(argv[0].lower())
    if looked_up is not None and looked_up.subcommands and len(argv) >= 2:
        looked_up = looked_up.subcommands.get(argv[1].lower())
    if looked_up is not None:
        return _refused(server, client, reply, looked_up)
    if client.multi is not None:
        client.multi_error = True
    server.error_stats.count(reply.text)
    return reply


def route(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> Reply | Blocked | None:
    """Cluster mode: -CROSSSLOT for keys in several slots, then the server's routing hook."""
    if cmd.name == "exec":
        keys = [k for c, a in ctx.client.multi or () for k in c.keys(a)]
    else:
        keys = cmd.keys(argv)
    if not keys:
        return None
    slot = keyslot(keys[0])
    hook = ctx.server.router
    for key in keys[1:]:
        if keyslot(key) != slot:
            # redis checks the first key's slot is served before it notices CROSSSLOT.
            if hook is not None:
                first = hook(ctx, cmd, argv, keys[:1], slot)
                if isinstance(first, Error) and first.text.startswith(_UNBOUND):
                    return first
            return error_reply(CrossSlotError())
    if hook is None:
        return None
    return hook(ctx, cmd, argv, keys, slot)


def call(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> Reply | Blocked:
    """Run the handler; convert a raised :class:`NodeError`; queue propagation of a write."""
    keyspace = ctx.keyspace
    dirty = keyspace.dirty
    handler = cmd.handler
    assert handler is not None
    server = ctx.server
    monitors = server.monitors
    if monitors:
        feed_before(ctx, cmd, argv)
    clock = server.timing.clock
    start = clock()
    try:
        reply = handler(ctx, argv)
    except NodeError as exc:
        reply = error_reply(exc)
    except Exception as exc:
        reply = _internal_error(ctx.server, cmd, exc)
    if type(reply) is not Blocked:
        elapsed = clock() - start
        failed = type(reply) is Error
        if failed:
            server.error_stats.count(reply.text)  # type: ignore[union-attr]
        server.command_stats.ran(cmd, elapsed, failed)
        server.timing.record(ctx, cmd, argv, elapsed)
    if monitors:
        feed_after(ctx, cmd, argv)
    tracking = server.tracking
    if tracking is not None:
        tracking.remember(ctx, cmd, argv)
    if cmd.is_write and keyspace.dirty != dirty:
        propagated = ctx.propagated
        db = ctx.server.databases.index(keyspace)
        ctx.server.propagate(db, [argv] if propagated is None else propagated)
    if ctx.propagated is not None:
        ctx.propagated = None
    return reply


def _denied_when_stale(cmd: Command, client: Client) -> bool:
    """redis's ``is_denystale_command``: no ``stale`` flag, or an EXEC with a queued
    command that has none."""
    if cmd.name == "exec":
        return any("stale" not in c.flags for c, _ in client.multi or [])
    return "stale" not in cmd.flags


def exec_queued(ctx: CommandContext, client: Client) -> list[Reply]:
    """Run a transaction's queued commands in order (EXEC); errors become array items."""
    queued = client.multi or []
    client.multi = None
    ctx.in_exec = True
    replies: list[Reply] = []
    try:
        for cmd, argv in queued:
            if client.user.restricted:
                refused = exec_refusal(ctx, cmd, argv)
                if refused is not None:
                    replies.append(refused)
                    continue
            reply = call(ctx, cmd, argv)
            assert not isinstance(reply, Blocked), "a handler blocked inside EXEC"
            replies.append(reply)
    finally:
        ctx.in_exec = False
    return replies
