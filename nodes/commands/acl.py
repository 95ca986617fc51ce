"""ACL and its subcommands (SETUSER GETUSER DELUSER LIST USERS WHOAMI CAT LOG GENPASS
DRYRUN LOAD SAVE HELP), over ``server.acl`` (:mod:`nodes.acl.users`)."""

from __future__ import annotations

from nodes.acl.check import Denied, check
from nodes.acl.describe import describe, getuser_reply
from nodes.acl.revoke import channels_left, violates
from nodes.acl.rules import CATEGORIES, every_command, in_category
from nodes.acl.user import User
from nodes.client import client_kind
from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import COMMANDS, Command, command
from nodes.errors import CommandError, SubcommandSyntaxError
from nodes.resp.values import OK, Reply, Simple

_ADMIN = "admin noscript loading stale"
_ADMIN_ACL = "@admin @slow @dangerous"
_NO_ACLFILE = (
    "This Redis instance is not configured to use an ACL file. You may want to specify "
    "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have "
    "a Redis configuration file set) in order to store users in the Redis configuration."
)
_GENPASS_MAX_BITS = 4096


@command("acl", -2, "", acl="@slow", container=True)
def acl(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


def _has_spaces(name: bytes) -> bool:
    return any(c in b" \t\n\r\x0b\x0c\x00" for c in name)


@command("setuser", -3, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_setuser(ctx: CommandContext, argv: list[bytes]) -> Reply:
    name = argv[2]
    if _has_spaces(name):
        raise CommandError("Usernames can't contain spaces or null characters")
    existing = ctx.server.acl.get(name)
    before = existing.copy() if existing is not None else None
    error = ctx.server.acl.set_user(name, argv[3:])
    if error is not None:
        raise CommandError(error)
    if existing is not None and before is not None:
        allowed = channels_left(existing, before)
        if allowed is not None:
            _disconnect_revoked(ctx, existing, allowed)
    return OK


def _disconnect_revoked(ctx: CommandContext, user: User, allowed: list[bytes]) -> None:
    """Pub/sub clients of ``user`` subscribed beyond its new channel rules are closed
    at once (the caller itself after its reply)."""
    for conn in list(ctx.server.connections.values()):
        client = conn.client
        if client.user is not user or client_kind(client) != "pubsub":
            continue
        assert client.pubsub is not None
        if violates(client.pubsub, allowed):
            if client is ctx.client:
                client.close_after_reply = True
            else:
                conn.kill()


@command("deluser", -3, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_deluser(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if b"default" in argv[2:]:
        raise CommandError("The 'default' user cannot be removed")
    deleted = 0
    for name in argv[2:]:
        user = ctx.server.acl.delete(name)
        if user is not None:
            deleted += 1
            _disconnect(ctx, user)
    return deleted


def _disconnect(ctx: CommandContext, user: User) -> None:
    """Clients logged in as a deleted user are closed (the caller after its reply)."""
    for conn in list(ctx.server.connections.values()):
        if conn.client.user is user:
            if conn.client is ctx.client:
                conn.client.close_after_reply = True
            else:
                conn.kill()  # gone from CLIENT LIST at once, as redis frees it


@command("getuser", 3, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_getuser(ctx: CommandContext, argv: list[bytes]) -> Reply:
    user = ctx.server.acl.get(argv[2])
    return None if user is None else getuser_reply(user)


@command("list", 2, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_list(ctx: CommandContext, argv: list[bytes]) -> Reply:
    acl_ = ctx.server.acl
    return [b"user " + name + b" " + describe(acl_.users[name]) for name in acl_.names()]


@command("users", 2, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_users(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return list(ctx.server.acl.names())


@command("whoami", 2, "noscript loading stale", acl="@slow", parent="acl")
def acl_whoami(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return ctx.client.user.name


@command("cat", -2, "noscript loading stale", acl="@slow", parent="acl")
def acl_cat(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) == 2:
        return list(CATEGORIES)
    if len(argv) > 3:
        raise SubcommandSyntaxError(argv)
    category = argv[2].lower()
    if category not in CATEGORIES:
        raise CommandError(b"Unknown category '" + argv[2][:128] + b"'")
    return [c.fullname_bytes for c in every_command() if in_category(c, category)]


@command("genpass", -2, "noscript loading stale", acl="@slow", parent="acl")
def acl_genpass(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 3:
        raise SubcommandSyntaxError(argv)
    bits = parse_int(argv[2]) if len(argv) == 3 else 256
    if bits <= 0 or bits > _GENPASS_MAX_BITS:
        raise CommandError(
            "ACL GENPASS argument must be the number of bits for the output password, "
            f"a positive number up to {_GENPASS_MAX_BITS}"
        )
    chars = (bits + 3) // 4
    return b"%0*x" % (chars, ctx.server.rng.getrandbits(chars * 4))


@command("log", -2, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_log(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 3:
        raise SubcommandSyntaxError(argv)
    log = ctx.server.acl.log
    count = 10
    if len(argv) == 3:
        if argv[2].lower() == b"reset":
            log.reset()
            return OK
        count = max(parse_int(argv[2]), 0)
    now = ctx.now_ms()
    return [entry.reply(now) for entry in log.entries[:count]]


@command("dryrun", -4, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_dryrun(ctx: CommandContext, argv: list[bytes]) -> Reply:
    user = ctx.server.acl.get(argv[2])
    if user is None:
        raise CommandError(b"User '" + argv[2] + b"' not found")
    args = argv[3:]
    cmd = _lookup_command(args)
    if cmd is None:
        raise CommandError(b"Command '" + args[0] + b"' not found")
    if (cmd.arity > 0 and len(args) != cmd.arity) or len(args) < -cmd.arity:
        raise CommandError(f"wrong number of arguments for '{cmd.fullname}' command")
    denial = check(user, cmd, args)
    if denial is None:
        return OK
    if denial.reason is Denied.COMMAND:
        return b"This user has no permissions to run the '" + cmd.fullname_bytes + b"' command"
    what = b"key" if denial.reason is Denied.KEY else b"channel"
    return b"This user has no permissions to access the '" + args[denial.position] + b"' " + what


def _lookup_command(args: list[bytes]) -> Command | None:
    """redis's lookupCommand: a container's subcommand when one is given."""
    cmd = COMMANDS.get(args[0].lower())
    if cmd is None or not cmd.subcommands or len(args) < 2:
        return cmd
    return cmd.subcommands.get(args[1].lower())


@command("load", 2, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_load(ctx: CommandContext, argv: list[bytes]) -> Reply:
    acl_ = ctx.server.acl
    if not acl_.aclfile:
        raise CommandError(_NO_ACLFILE)
    error = acl_.load_file()
    if error is not None:
        raise CommandError(error)
    for user in acl_.removed:
        _disconnect(ctx, user)
    return OK


@command("save", 2, _ADMIN, acl=_ADMIN_ACL, parent="acl")
def acl_save(ctx: CommandContext, argv: list[bytes]) -> Reply:
    acl_ = ctx.server.acl
    if not acl_.aclfile:
        raise CommandError(_NO_ACLFILE)
    if not acl_.save_file():
        raise CommandError(
            "There was an error trying to save the ACLs. Please check the server logs for "
            "more information"
        )
    return OK


@command("help", 2, "loading stale", acl="@slow", parent="acl")
def acl_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    lines = [
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    ]
    return [Simple(line.encode()) for line in lines]
