"""CLIENT KILL: close connections chosen by address or by filters (redis 7.0's forms).

``CLIENT KILL addr:port`` (the old form) kills the client with that peer address,
the caller included, and answers ``+OK`` or ``-ERR No such client``. The new form takes
filter pairs, all of which must match: ``ID n`` (1 .. LONG_MAX), ``TYPE
normal|master|slave|replica|pubsub``, ``ADDR ip:port``, ``LADDR ip:port``, ``USER name``
(only ``default`` exists) and ``SKIPME yes|no`` (yes by default); it answers the number
of clients killed. Other clients are dropped at once without their pending replies; the
caller, when it matches, is closed after this reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodes.client import Client, parse_client_type
from nodes.commands.context import CommandContext
from nodes.commands.mpop_args import parse_count_range
from nodes.commands.registry import command
from nodes.errors import CommandError, NodeError, SyntaxErr
from nodes.resp.values import OK, Reply


@dataclass(slots=True)
class KillFilter:
    """What a client must match to be killed (``None``: any)."""

    addr: str | None = None
    laddr: str | None = None
    kind: bytes | None = None
    client_id: int = 0
    skipme: bool = True

    def matches(self, client: Client, caller: Client) -> bool:
        if self.addr is not None and client.addr != self.addr:
            return False
        if self.laddr is not None and client.laddr != self.laddr:
            return False
        if self.kind is not None and client.client_type() != self.kind:
            return False
        if self.client_id and client.id != self.client_id:
            return False
        return not (client is caller and self.skipme)


def _parse_filters(argv: list[bytes]) -> KillFilter:
    """The new form's ``<option> <value>`` pairs, checked in order as redis does."""
    found = KillFilter()
    i = 2
    while i < len(argv):
        option = argv[i].lower()
        if i + 1 >= len(argv):
            raise SyntaxErr()
        value = argv[i + 1]
        if option == b"id":
            found.client_id = parse_count_range(value, "client-id should be greater than 0")
        elif option == b"type":
            found.kind = parse_client_type(value)
        elif option == b"addr":
            found.addr = value.decode(errors="surrogateescape")
        elif option == b"laddr":
            found.laddr = value.decode(errors="surrogateescape")
        elif option == b"user":
            if value != b"default":
                raise CommandError(b"No such user '" + value + b"'")
        elif option == b"skipme":
            word = value.lower()
            if word not in (b"yes", b"no"):
                raise SyntaxErr()
            found.skipme = word == b"yes"
        else:
            raise SyntaxErr()
        i += 2
    return found


@command(
    "kill",
    -3,
    "admin noscript loading stale",
    acl="@admin @slow @dangerous @connection",
    parent="client",
)
def client_kill(ctx: CommandContext, argv: list[bytes]) -> Reply:
    old_form = len(argv) == 3
    if old_form:
        wanted = KillFilter(addr=argv[2].decode(errors="surrogateescape"), skipme=False)
    else:
        wanted = _parse_filters(argv)
    server = ctx.server
    caller = ctx.client
    killed = 0
    for client in list(server.clients.values()):
        if not wanted.matches(client, caller):
            continue
        killed += 1
        if client is caller:
            caller.close_after_reply = True
            continue
        conn = server.connections.get(client.id)
        if conn is not None:
            conn.kill()
    if not old_form:
        return killed
    if not killed:
        raise NodeError(b"ERR No such client")
    return OK
