"""MODULE: redis's module commands on a server that has no native module loader.

splitbrain-server cannot load redis modules (shared objects written against redis's C
API), so it answers as redis-server 7.0 does when it has none loaded and a load fails:
MODULE LIST is empty, LOAD / LOADEX log why and answer redis's load error, UNLOAD finds
no such module. LOAD, LOADEX and UNLOAD are protected by ``enable-module-command``
(default ``no``), as in redis.
"""

from __future__ import annotations

import logging

from nodes.commands.context import CommandContext
from nodes.commands.protected import refuse_unless_allowed
from nodes.commands.registry import command
from nodes.commands.streams_groups import help_reply
from nodes.errors import CommandError
from nodes.resp.values import Reply

log = logging.getLogger("splitbrain.server")

_ACL = "@admin @slow @dangerous"
_LOAD_FLAGS = "admin noscript no_async_loading"
_LOAD_FAILED = "Error loading the extension. Please check the server logs."


@command("module", -2, "", acl="@slow", container=True)
def module(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise CommandError("wrong number of arguments for 'module' command")


# declared in the order redis lists the subcommands (COMMAND INFO, COMMAND LIST)
@command("help", 2, "loading stale", acl="@slow", parent="module")
def module_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return help_reply(
        argv,
        [
            "LIST",
            "    Return a list of loaded modules.",
            "LOAD <path> [<arg> ...]",
            "    Load a module library from <path>, passing to it any optional arguments.",
            "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
            "    Load a module library from <path>, while passing it module configurations"
            " and optional arguments.",
            "UNLOAD <name>",
            "    Unload a module.",
        ],
    )


def _load_failed(path: bytes) -> CommandError:
    log.warning(
        "Module %s failed to load: splitbrain-server cannot load native redis modules",
        path.decode(errors="replace"),
    )
    return CommandError(_LOAD_FAILED)


@command("loadex", -3, _LOAD_FLAGS, acl=_ACL, parent="module")
def module_loadex(ctx: CommandContext, argv: list[bytes]) -> Reply:
    """redis's ``parseLoadexArguments``: CONFIG name value pairs, then ARGS and the rest;
    anything else fails the load (redis logs the bad argument, answers the load error)."""
    refuse_unless_allowed(ctx, "MODULE", "enable-module-command")
    i = 3
    while i < len(argv):
        word = argv[i].lower()
        if word == b"args":
            break
        if word != b"config":
            log.info(
                "Syntax Error from arguments to loadex around %s.", argv[i].decode(errors="replace")
            )
            raise CommandError(_LOAD_FAILED)
        if i + 2 >= len(argv):
            log.info("CONFIG specified without name value pair")
            raise CommandError(_LOAD_FAILED)
        i += 3
    raise _load_failed(argv[2])


@command(
    "list", 2, "admin noscript", acl=_ACL, tips="nondeterministic_output_order", parent="module"
)
def module_list(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return []


@command("load", -3, _LOAD_FLAGS, acl=_ACL, parent="module")
def module_load(ctx: CommandContext, argv: list[bytes]) -> Reply:
    refuse_unless_allowed(ctx, "MODULE", "enable-module-command")
    raise _load_failed(argv[2])


@command("unload", 3, _LOAD_FLAGS, acl=_ACL, parent="module")
def module_unload(ctx: CommandContext, argv: list[bytes]) -> Reply:
    refuse_unless_allowed(ctx, "MODULE", "enable-module-command")
    raise CommandError("Error unloading module: no such module with that name")
