"""The dispatcher's side of ACL: refuse a command a restricted user may not run, with
redis's ``-NOPERM`` text, and record it in ACL LOG (redis's processCommand check)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodes.acl.check import Denied, check
from nodes.acl.log import LogEntry
from nodes.resp.values import Error

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command

_NOPERM_KEY = Error(
    b"NOPERM this user has no permissions to access one of the keys used as arguments"
)
_NOPERM_CHANNEL = Error(
    b"NOPERM this user has no permissions to access one of the channels used as arguments"
)


def acl_refusal(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> Error | None:
    """The error refusing ``cmd`` for the client's user (logged), or None."""
    client = ctx.client
    denial = check(client.user, cmd, argv)
    if denial is None:
        return None
    if denial.reason is Denied.COMMAND:
        obj = cmd.fullname_bytes
        reply = Error(b"NOPERM this user has no permissions to run the '" + obj + b"' command")
    else:
        obj = argv[denial.position]
        reply = _NOPERM_KEY if denial.reason is Denied.KEY else _NOPERM_CHANNEL
    context = b"multi" if client.multi is not None else b"toplevel"
    record(ctx, denial.reason.value.encode(), context, obj, client.user.name)
    return reply


_SCRIPT_REASONS = {
    Denied.COMMAND: b"can't run this command or subcommand",
    Denied.KEY: b"can't access at least one of the keys mentioned in the command arguments",
    Denied.CHANNEL: b"can't publish to the channel mentioned in the command",
}


def script_refusal(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> bytes | None:
    """A script's ``redis.call`` refused for the calling client's user (logged with the
    ``lua`` context), or None: redis's scriptVerifyACL."""
    client = ctx.client
    denial = check(client.user, cmd, argv)
    if denial is None:
        return None
    obj = cmd.fullname_bytes if denial.reason is Denied.COMMAND else argv[denial.position]
    record(ctx, denial.reason.value.encode(), b"lua", obj, client.user.name)
    return b"The user executing the script " + _SCRIPT_REASONS[denial.reason]


_EXEC_REASONS = {
    Denied.COMMAND: b"no permission to execute the command or subcommand",
    Denied.KEY: b"no permission to touch the specified keys",
    Denied.CHANNEL: b"no permission to access one of the channels used as arguments",
}


def exec_refusal(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> Error | None:
    """A queued command EXEC no longer may run (the user's rules changed since it was
    queued), logged with the ``multi`` context; or None."""
    client = ctx.client
    denial = check(client.user, cmd, argv)
    if denial is None:
        return None
    obj = cmd.fullname_bytes if denial.reason is Denied.COMMAND else argv[denial.position]
    record(ctx, denial.reason.value.encode(), b"multi", obj, client.user.name)
    return Error(
        b"NOPERM ACLs rules changed between the moment the transaction was accumulated and "
        b"the EXEC call. This command is no longer allowed for the following reason: "
        + _EXEC_REASONS[denial.reason]
    )


def record(ctx: CommandContext, reason: bytes, context: bytes, obj: bytes, user: bytes) -> None:
    """Add an ACL LOG entry for the client of ``ctx``."""
    from nodes.commands.connection import client_info_line  # noqa: PLC0415 (import cycle)

    ctx.server.acl.log.add(
        LogEntry(
            reason=reason,
            context=context,
            object=obj,
            username=user,
            created_ms=ctx.now_ms(),
            client_info=client_info_line(ctx, ctx.client.id).rstrip(b"\n"),
        )
    )
