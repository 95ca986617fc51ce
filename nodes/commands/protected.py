"""redis's protected commands (``CMD_PROTECTED``): DEBUG and MODULE LOAD/LOADEX/UNLOAD
run only where ``enable-debug-command`` / ``enable-module-command`` allow (``yes``, or
``local`` for a loopback or unix-socket connection); elsewhere redis's refusal."""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.errors import CommandError


def refuse_unless_allowed(ctx: CommandContext, command: str, option: str) -> None:
    """Raise redis's error when ``option`` does not allow this connection ``command``."""
    allowed = ctx.server.config.get_str(option)
    addr = ctx.client.addr
    local = addr.startswith(("127.", "[::1]", "?"))  # "?": a unix socket, no peer address
    if allowed == "yes" or (allowed == "local" and local):
        return
    raise CommandError(
        f'{command} command not allowed. If the {option} option is set to "local", '
        "you can run it from a local connection, otherwise you need to set this option "
        "in the configuration file, and then restart the server."
    )
