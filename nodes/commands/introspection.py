"""COMMAND, COMMAND COUNT/INFO/LIST/GETKEYS/GETKEYSANDFLAGS/DOCS/HELP: the command table as
redis 7.0 shows it."""

from __future__ import annotations

from nodes.commands.command_docs import docs_of, docs_reply
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import resolve
from nodes.commands.keyspec_search import key_flags
from nodes.commands.registry import COMMANDS, Command, command
from nodes.errors import CommandError
from nodes.pattern import matches
from nodes.resp.values import Error, Reply, SetReply, Simple


def describe(cmd: Command) -> Reply:
    """The ``[name, arity, flags, first, last, step, acl, tips, key specs, subcommands]``
    entry of COMMAND INFO."""
    return [
        cmd.fullname.encode(),
        cmd.arity,
        SetReply([Simple(f.encode()) for f in cmd.flags]),
        cmd.first_key,
        cmd.last_key,
        cmd.step,
        SetReply([Simple(c.encode()) for c in cmd.acl_categories]),
        SetReply([t.encode() for t in cmd.tips]),
        SetReply([spec.reply() for spec in cmd.key_specs]),
        # redis 7.0 writes an empty subcommand list as a set, a non-empty one as an array
        [describe(sub) for sub in cmd.subcommands.values()] if cmd.subcommands else SetReply([]),
    ]


@command(
    "command",
    -1,
    "loading stale",
    acl="@slow @connection",
    container=True,
    tips="nondeterministic_output_order",
)
def command_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return [describe(cmd) for cmd in COMMANDS.values()]


_SUB = "loading stale"
_ACL = "@slow @connection"


@command("count", 2, _SUB, acl=_ACL, parent="command")
def command_count(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return len(COMMANDS)


@command("info", -2, _SUB, acl=_ACL, parent="command", tips="nondeterministic_output_order")
def command_info(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) == 2:
        return [describe(cmd) for cmd in COMMANDS.values()]
    return [_info_one(name) for name in argv[2:]]


@command("list", -2, _SUB, acl=_ACL, parent="command", tips="nondeterministic_output_order")
def command_list(ctx: CommandContext, argv: list[bytes]) -> Reply:
    """Every command and subcommand by its full name (``client|list``), as redis lists
    them; FILTERBY PATTERN (on the full name), ACLCAT (no ``@``) or MODULE (none here)."""
    every = [c for top in COMMANDS.values() for c in (top, *top.subcommands.values())]
    if len(argv) == 2:
        return [c.fullname_bytes for c in every]
    if len(argv) != 5 or argv[2].lower() != b"filterby":
        raise CommandError("syntax error")
    kind, arg = argv[3].lower(), argv[4]
    if kind == b"pattern":
        return [c.fullname_bytes for c in every if matches(arg, c.fullname_bytes)]
    if kind == b"aclcat":
        category = "@" + arg.decode(errors="replace").lower()
        return [c.fullname_bytes for c in every if category in c.acl_categories]
    if kind == b"module":
        return []
    raise CommandError("syntax error")


@command("docs", -2, _SUB, acl=_ACL, parent="command", tips="nondeterministic_output_order")
def command_docs(ctx: CommandContext, argv: list[bytes]) -> Reply:
    """redis's entries (:mod:`nodes.commands.command_docs`): every command with no
    name, else the named ones (``container|sub`` for a subcommand); unknown names and
    commands redis does not have are skipped."""
    if len(argv) == 2:
        found = list(COMMANDS.values())
    else:
        found = [c for c in (_lookup(name) for name in argv[2:]) if c is not None]
    return {c.fullname_bytes: docs_reply(c) for c in found if docs_of(c) is not None}


@command("getkeys", -4, _SUB, acl=_ACL, parent="command")
def command_getkeys(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _getkeys(argv[2:], with_flags=False)


@command("getkeysandflags", -4, _SUB, acl=_ACL, parent="command")
def command_getkeysandflags(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _getkeys(argv[2:], with_flags=True)


@command("help", 2, _SUB, acl=_ACL, parent="command")
def command_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    lines = [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    ]
    return [Simple(line.encode()) for line in lines]


def _lookup(name: bytes) -> Command | None:
    """A command by name, ``container|sub`` for a subcommand."""
    lowered = name.lower()
    if b"|" in lowered:
        parent, _, child = lowered.partition(b"|")
        container = COMMANDS.get(parent)
        return container.subcommands.get(child) if container else None
    return COMMANDS.get(lowered)


def _info_one(name: bytes) -> Reply:
    found = _lookup(name)
    return describe(found) if found is not None else None


def _getkeys(argv: list[bytes], with_flags: bool) -> Reply:
    cmd = COMMANDS.get(argv[0].lower())
    if cmd is None:
        raise CommandError("Invalid command specified")
    if cmd.subcommands and len(argv) >= 2:
        cmd = cmd.subcommands.get(argv[1].lower(), cmd)
    channels_only = bool(cmd.key_specs) and all("not_key" in k.flags for k in cmd.key_specs)
    if not cmd.has_keys or channels_only:  # shard channels are routed, not keys
        raise CommandError("The command has no key arguments")
    resolved = resolve(argv)
    if isinstance(resolved, Error):
        raise CommandError("Invalid number of arguments specified for command")
    indexes = resolved.key_indexes(argv)
    if not indexes:
        if "no_mandatory_keys" in resolved.flags:
            return []
        raise CommandError("Invalid arguments specified for command")
    if with_flags:
        flags = key_flags(resolved.name, resolved.key_specs, argv, indexes)
        return [
            [argv[i], SetReply([Simple(f.encode()) for f in found])]
            for i, found in zip(indexes, flags, strict=True)
        ]
    return [argv[i] for i in indexes]
