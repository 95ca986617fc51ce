"""CLIENT KILL, CLIENT PAUSE and CLIENT UNPAUSE, as redis 7.0 answers them.

CLIENT KILL sees every connection CLIENT LIST shows plus the link to our master (type
``master``, its address the master's): killing that link makes this replica reconnect,
which is how redis's own tests break a replication link. The old form ``CLIENT KILL
addr:port`` may kill the caller and answers ``+OK`` / ``-ERR No such client``; the filter
form (ID, TYPE, ADDR, LADDR, USER, SKIPME) answers how many it killed. The caller itself
is closed after its reply.

CLIENT PAUSE / UNPAUSE drive :class:`nodes.client_pause.ClientPause`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from nodes.acl.user import User
from nodes.acl.users import AccessControl
from nodes.client import Client, client_kind, parse_client_type
from nodes.client_pause import ALL, WRITE
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, SubcommandSyntaxError, SyntaxErr
from nodes.resp.values import OK, Reply


@dataclass(slots=True)
class _Filter:
    addr: bytes | None = None
    laddr: bytes | None = None
    kind: str | None = None
    client_id: int = 0
    skip_me: bool = True
    user: User | None = None

    def matches(self, client: Client, me: Client) -> bool:
        return (
            (self.addr is None or client.addr.encode() == self.addr)
            and (self.laddr is None or client.laddr.encode() == self.laddr)
            and (self.kind is None or client_kind(client) == self.kind)
            and self.client_id in (0, client.id)
            and (self.user is None or client.user is self.user)
            and not (self.skip_me and client is me)
        )


_POSITIVE = re.compile(rb"[1-9]\d*")


def _parse(argv: list[bytes], users: AccessControl) -> _Filter:
    if len(argv) == 3:
        return _Filter(addr=argv[2], skip_me=False)
    if len(argv) % 2:
        raise SyntaxErr()
    chosen = _Filter()
    for name, value in zip(argv[2::2], argv[3::2], strict=True):
        option = name.lower()
        if option == b"id":
            if not _POSITIVE.fullmatch(value) or int(value) >= 2**63:
                raise CommandError("client-id should be greater than 0")
            chosen.client_id = int(value)
        elif option == b"type":
            chosen.kind = parse_client_type(value)
        elif option == b"addr":
            chosen.addr = value
        elif option == b"laddr":
            chosen.laddr = value
        elif option == b"user":
            user = users.get(value)
            if user is None:
                raise CommandError(b"No such user '" + value + b"'")
            chosen.user = user
        elif option == b"skipme":
            if value.lower() not in (b"yes", b"no"):
                raise SyntaxErr()
            chosen.skip_me = value.lower() == b"yes"
        else:
            raise SyntaxErr()
    return chosen


def _everyone(ctx: CommandContext) -> Iterator[Client]:
    yield from list(ctx.server.clients.values())
    repl = ctx.server.replication
    if repl is not None and repl.master is not None and repl.master.connected:
        yield repl.master.client


@command("kill", -3, "admin noscript loading stale", acl="@admin @slow @dangerous @connection",
         parent="client")  # fmt: skip
def client_kill(ctx: CommandContext, argv: list[bytes]) -> Reply:
    chosen = _parse(argv, ctx.server.acl)
    me = ctx.client
    killed = 0
    for client in _everyone(ctx):
        if not chosen.matches(client, me):
            continue
        killed += 1
        if client is me:
            me.close_after_reply = True
        elif client_kind(client) == "master":
            repl = ctx.server.replication
            assert repl is not None and repl.master is not None
            repl.master.drop_connection()
        else:
            connection = ctx.server.connections.get(client.id)
            if connection is not None:
                connection.kill()  # gone from CLIENT LIST at once, as redis frees it
    if len(argv) == 3:
        if not killed:
            raise CommandError("No such client")
        return OK
    return killed


@command("pause", -3, "admin noscript loading stale", acl="@admin @slow @dangerous @connection",
         parent="client")  # fmt: skip
def client_pause(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 4:
        raise SubcommandSyntaxError(argv)
    mode = ALL
    if len(argv) == 4:
        word = argv[3].lower()
        if word not in (b"write", b"all"):
            raise CommandError("CLIENT PAUSE mode must be WRITE or ALL")
        mode = WRITE if word == b"write" else ALL
    timeout = _timeout_ms(argv[2])
    now = ctx.now_ms()
    ctx.server.client_pause.pause(mode, now + timeout if timeout > 0 else 0, now)
    return OK


@command("unpause", 2, "admin noscript loading stale", acl="@admin @slow @dangerous @connection",
         parent="client")  # fmt: skip
def client_unpause(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ctx.server.client_pause.unpause()
    return OK


def _timeout_ms(arg: bytes) -> int:
    """redis's getTimeoutFromObjectOrReply in milliseconds."""
    try:
        value = int(arg)
    except ValueError:
        value = None
    if value is None or not -(2**63) <= value < 2**63 or arg.strip() != arg:
        raise CommandError("timeout is not an integer or out of range")
    if value < 0:
        raise CommandError("timeout is negative")
    return value
