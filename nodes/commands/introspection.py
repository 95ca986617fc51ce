"""COMMAND, COMMAND COUNT/INFO/LIST/GETKEYS/DOCS: the command table as redis 7.0 shows it."""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.dispatch import resolve
from nodes.commands.registry import COMMANDS, Command, command
from nodes.errors import CommandError
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
        [spec.reply() for spec in cmd.key_specs],
        [describe(sub) for sub in cmd.subcommands.values()],
    ]


@command(
    "command",
    -1,
    "loading stale",
    acl="@slow @connection",
    container=False,
    tips="nondeterministic_output_order",
)
def command_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) == 1:
        return [describe(cmd) for cmd in COMMANDS.values()]
    sub = argv[1].lower()
    rest = argv[2:]
    if sub == b"count" and not rest:
        return len(COMMANDS)
    if sub == b"info":
        if not rest:
            return [describe(cmd) for cmd in COMMANDS.values()]
        return [_info_one(name) for name in rest]
    if sub == b"list":
        return [cmd.name.encode() for cmd in COMMANDS.values()]
    if sub == b"docs":
        return {}
    if sub in (b"getkeys", b"getkeysandflags") and rest:
        return _getkeys(rest, sub == b"getkeysandflags")
    if sub == b"help" and not rest:
        return [Simple(b"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")]
    raise CommandError(
        f"unknown subcommand or wrong number of arguments for '{argv[1].decode(errors='replace')}'"
        ". Try COMMAND HELP."
    )


def _info_one(name: bytes) -> Reply:
    lowered = name.lower()
    if b"|" in lowered:
        parent, _, child = lowered.partition(b"|")
        container = COMMANDS.get(parent)
        found = container.subcommands.get(child) if container else None
    else:
        found = COMMANDS.get(lowered)
    return describe(found) if found is not None else None


def _getkeys(argv: list[bytes], with_flags: bool) -> Reply:
    cmd = resolve(argv)
    if isinstance(cmd, Error):
        if cmd.text.startswith(b"ERR wrong number"):
            raise CommandError("Invalid number of arguments specified for command")
        raise CommandError("Invalid command specified")
    indexes = cmd.key_indexes(argv)
    if not indexes:
        raise CommandError("The command has no key arguments")
    if with_flags:
        flags = cmd.key_specs[0].flags if cmd.key_specs else ()
        return [[argv[i], SetReply([Simple(f.encode()) for f in flags])] for i in indexes]
    return [argv[i] for i in indexes]
