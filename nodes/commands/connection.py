"""Connection commands: PING ECHO QUIT HELLO AUTH RESET CLIENT (SELECT is in
``databases``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodes.acl.enforce import record
from nodes.blocking import UNBLOCKED_CLIENT
from nodes.client import (
    MASTER_FLAGS,
    MONITOR_FLAGS,
    NORMAL_FLAGS,
    REPLICA_FLAGS,
    Client,
    client_kind,
    parse_client_type,
)
from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, NodeError, SyntaxErr
from nodes.info import VERSION
from nodes.resp.values import OK, PONG, Reply, Simple, Verbatim

if TYPE_CHECKING:
    from nodes.tracking import TrackingMode

_WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."


@command(
    "ping",
    -1,
    "fast",
    acl="@fast @connection",
    tips="request_policy:all_shards response_policy:all_succeeded",
)
def ping(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 2:
        raise CommandError("wrong number of arguments for 'ping' command")
    if ctx.client.pubsub is not None and ctx.client.resp == 2:
        return [b"pong", argv[1] if len(argv) == 2 else b""]
    return argv[1] if len(argv) == 2 else PONG


@command("echo", 2, "loading stale fast", acl="@fast @connection")
def echo(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return argv[1]


@command("quit", -1, "noscript loading stale fast no_auth allow_busy", acl="@fast @connection")
def quit_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ctx.client.close_after_reply = True
    return OK


def _check_password(ctx: CommandContext, user: bytes, password: bytes, verb: bytes) -> None:
    """Log the client in as ``user`` (AUTH, HELLO AUTH), or WRONGPASS and an ACL LOG
    entry naming ``verb`` (the command as sent)."""
    found = ctx.server.acl.authenticate(user, password)
    if found is None:
        context = b"multi" if ctx.client.multi is not None or ctx.in_exec else b"toplevel"
        record(ctx, b"auth", context, verb, user)
        raise NodeError(_WRONGPASS)
    ctx.client.authenticated = True
    ctx.client.user = found
    conn = ctx.server.connections.get(ctx.client.id)
    if conn is not None:
        conn.parser.auth_required = False


@command("auth", -2, "noscript loading stale fast no_auth allow_busy", acl="@fast @connection")
def auth(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 3:
        raise SyntaxErr()
    if len(argv) == 2 and ctx.server.acl.default.nopass:
        raise CommandError(
            "AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?"
        )
    user, password = (b"default", argv[1]) if len(argv) == 2 else (argv[1], argv[2])
    _check_password(ctx, user, password, argv[0])
    return OK


@command("hello", -1, "noscript loading stale fast no_auth allow_busy", acl="@fast @connection")
def hello(ctx: CommandContext, argv: list[bytes]) -> Reply:
    client = ctx.client
    version = client.resp
    if len(argv) >= 2:
        try:
            version = parse_int(argv[1])
        except NodeError:
            raise CommandError("Protocol version is not an integer or out of range") from None
        if version < 2 or version > 3:
            raise NodeError("NOPROTO unsupported protocol version")
    i = 2
    new_name: bytes | None = None
    while i < len(argv):
        opt = argv[i].lower()
        more = len(argv) - i - 1
        if opt == b"auth" and more >= 2:
            _check_password(ctx, argv[i + 1], argv[i + 2], argv[0])
            i += 3
        elif opt == b"setname" and more >= 1:
            new_name = _valid_name(argv[i + 1])
            i += 2
        else:
            raise CommandError(b"Syntax error in HELLO option '" + argv[i] + b"'")
    if not client.authenticated:
        raise NodeError(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client "
            "and select the RESP protocol version at the same time"
        )
    if new_name is not None:
        client.name = new_name
    client.resp = version
    return {
        b"server": b"redis",
        b"version": VERSION.encode(),
        b"proto": version,
        b"id": client.id,
        b"mode": b"cluster" if ctx.server.cluster_enabled else b"standalone",
        b"role": b"master",
        b"modules": [],
    }


@command("reset", 1, "noscript loading stale fast no_auth allow_busy", acl="@fast @connection")
def reset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    client = ctx.client
    client.multi = None
    client.multi_error = False
    ctx.server.databases.unwatch_all(client, client.watched)
    client.watched.clear()
    client.dirty_cas = False
    ctx.server.pubsub.forget(client)
    if ctx.server.monitors.pop(client.id, None) is not None:
        client.flags = NORMAL_FLAGS  # no longer a MONITOR
    if ctx.server.tracking is not None:
        ctx.server.tracking.disable(client.id)
    client.resp = 2
    client.db = 0
    ctx.keyspace = ctx.server.keyspace
    client.name = b""
    client.user = ctx.server.acl.default
    client.authenticated = ctx.server.acl.open_without_auth()
    conn = ctx.server.connections.get(client.id)
    if conn is not None:
        conn.parser.auth_required = not client.authenticated
    return Simple(b"RESET")


def _valid_name(name: bytes) -> bytes:
    if any(c < 33 or c > 126 for c in name):
        raise CommandError("Client names cannot contain spaces, newlines or special characters.")
    return name


@command("client", -2, "", acl="@slow", container=True)
def client(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


@command("id", 2, "noscript loading stale", acl="@slow @connection", parent="client")
def client_id(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return ctx.client.id


@command("getname", 2, "noscript loading stale", acl="@slow @connection", parent="client")
def client_getname(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return ctx.client.name or None


@command("setname", 3, "noscript loading stale", acl="@slow @connection", parent="client")
def client_setname(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ctx.client.name = _valid_name(argv[2])
    return OK


@command("setinfo", 4, "noscript loading stale", acl="@slow @connection", parent="client")
def client_setinfo(ctx: CommandContext, argv: list[bytes]) -> Reply:
    attr = argv[2].lower()
    if attr == b"lib-name":
        ctx.client.lib_name = _valid_name(argv[3])
    elif attr == b"lib-ver":
        ctx.client.lib_ver = _valid_name(argv[3])
    else:
        raise CommandError(b"Unrecognized option '" + argv[2] + b"'")
    return OK


def _flag_letters(ctx: CommandContext, c: Client, mode: TrackingMode | None) -> str:
    """CLIENT LIST's ``flags=``, letters in redis 7.0's order (``N`` for none)."""
    letters = c.flags if c.flags in (MONITOR_FLAGS, REPLICA_FLAGS, MASTER_FLAGS) else ""
    if c.pubsub is not None:
        letters += "P"
    if c.multi is not None:
        letters += "x"
    conn = ctx.server.connections.get(c.id)
    if conn is not None and conn.blocked is not None:  # on keys, WAIT, a pause...
        letters += "b"
    if mode is not None:
        letters += "t" + ("R" if mode.broken_redirect else "") + ("B" if mode.bcast else "")
    if c.dirty_cas:
        letters += "d"
    if c.close_after_reply:
        letters += "c"
    return letters or "N"


def _client_line(ctx: CommandContext, cid: int) -> bytes:
    c = ctx.server.clients[cid]
    now = ctx.now_ms()
    multi = -1 if c.multi is None else len(c.multi)
    subs = c.pubsub
    sub, psub, ssub = (
        (len(subs.channels), len(subs.patterns), len(subs.shard)) if subs else (0, 0, 0)
    )
    tracking = ctx.server.tracking
    mode = tracking.modes.get(c.id) if tracking is not None else None
    flags = _flag_letters(ctx, c, mode)
    redir = -1 if mode is None else mode.redirect
    return (
        f"id={c.id} addr={c.addr} laddr={c.laddr} fd={c.fd} name={c.name.decode(errors='replace')} "
        f"age={(now - c.created_ms) // 1000} idle={(now - c.last_interaction_ms) // 1000} "
        f"flags={flags} db={c.db} sub={sub} psub={psub} ssub={ssub} "
        f"multi={multi} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 "
        f"omem=0 tot-mem=0 events=r cmd={c.last_command.decode(errors='replace')} "
        f"user={c.user.name.decode(errors='replace')} redir={redir} resp={c.resp}\n"
    ).encode()


client_info_line = _client_line
"""One client's CLIENT LIST line (ACL LOG's ``client-info``)."""


@command(
    "list",
    -2,
    "admin noscript loading stale",
    acl="@admin @slow @dangerous @connection",
    tips="nondeterministic_output",
    parent="client",
)
def client_list(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ids = sorted(ctx.server.clients)
    if len(argv) > 2:
        if argv[2].lower() == b"id" and len(argv) > 3:
            wanted = set()
            for arg in argv[3:]:
                value = parse_int(arg) if arg.isdigit() else -1
                if value <= 0:
                    raise CommandError("Invalid client ID")
                wanted.add(value)
            ids = [i for i in ids if i in wanted]
        elif argv[2].lower() == b"type" and len(argv) == 4:
            kind = parse_client_type(argv[3])
            clients = ctx.server.clients
            ids = [i for i in ids if client_kind(clients[i]) == kind]
        else:
            raise SyntaxErr()
    return Verbatim(b"".join(_client_line(ctx, i) for i in ids))


@command(
    "info",
    2,
    "noscript loading stale",
    acl="@slow @connection",
    tips="nondeterministic_output",
    parent="client",
)
def client_info(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return Verbatim(_client_line(ctx, ctx.client.id))


@command(
    "unblock",
    -3,
    "admin noscript loading stale",
    acl="@admin @slow @dangerous @connection",
    parent="client",
)
def client_unblock(ctx: CommandContext, argv: list[bytes]) -> Reply:
    """CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when a client blocked on keys was released."""
    if len(argv) > 4:
        raise CommandError(
            b"unknown subcommand or wrong number of arguments for '"
            + argv[1][:128]
            + b"'. Try CLIENT HELP."
        )
    error = False
    if len(argv) == 4:
        mode = argv[3].lower()
        if mode == b"error":
            error = True
        elif mode != b"timeout":
            raise CommandError("CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    target = parse_int(argv[2])
    blocking = ctx.server.blocking
    return int(blocking.unblock(target, UNBLOCKED_CLIENT if error else None))
