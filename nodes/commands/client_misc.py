"""CLIENT HELP, CLIENT NO-EVICT and CLIENT REPLY.

CLIENT REPLY (redis's ``CLIENT_REPLY_OFF`` / ``SKIP`` flags, kept in
``Client.reply_mode``): ``OFF`` silences every later reply, ``SKIP`` the reply of the
next command only (and means nothing while OFF), ``ON`` speaks again and answers
``+OK``; OFF and SKIP themselves are not answered. The dispatcher drops the silenced
replies (:func:`nodes.commands.dispatch.execute`); pushes (pub/sub messages,
invalidations) still go out. CLIENT NO-EVICT is accepted (there is no client
eviction here).
"""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import SyntaxErr
from nodes.resp.values import OK, Raw, Reply, Simple

NO_REPLY = Raw(b"")

_HELP = (
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
)


@command("help", 2, "loading stale", acl="@slow @connection", parent="client")
def client_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    head = argv[0].upper() + b" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    return [Simple(head), *(Simple(line.encode()) for line in _HELP)]


@command(
    "no-evict",
    3,
    "admin noscript loading stale",
    acl="@admin @slow @dangerous @connection",
    parent="client",
)
def client_no_evict(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if argv[2].lower() not in (b"on", b"off"):
        raise SyntaxErr()
    return OK


@command("reply", 3, "noscript loading stale", acl="@slow @connection", parent="client")
def client_reply(ctx: CommandContext, argv: list[bytes]) -> Reply:
    word = argv[2].lower()
    client = ctx.client
    if word == b"on":
        client.reply_mode = "on"
        return OK
    if word == b"off":
        client.reply_mode = "off"
    elif word == b"skip":
        if client.reply_mode != "off":
            client.reply_mode = "skip-next"
    else:
        raise SyntaxErr()
    return NO_REPLY
