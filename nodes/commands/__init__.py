"""Commands: the registry (:mod:`nodes.commands.registry`), one module per command family,
and the dispatcher (:mod:`nodes.commands.dispatch`).

:func:`load_all` imports every family module so its ``@command`` registrations run.
"""

from __future__ import annotations

import importlib

from nodes.commands.context import CommandContext
from nodes.commands.registry import COMMANDS, Command, KeySpec, command, set_multi_exempt

FAMILIES: tuple[str, ...] = (
    "connection",
    "client_control",
    "databases",
    "admin",
    "debug",
    "keys",
    "strings",
    "transactions",
    "config",
    "introspection",
    "lists",
    "sets",
    "hashes",
    "zsets",
    "cluster",
    "migrate",
    "replication",
    "renames",
    "objects",
    "memory_report",
    "lolwut",
    "sort",
    "hashes_more",
    "lists_more",
    "sets_more",
    "zsets_algebra",
    "zsets_more",
    "bitmaps",
    "strings_more",
    "hyperloglog",
    "geo",
    "scripting",
    "functions",
    "streams",
    "streams_read",
    "streams_groups",
    "streams_claim",
    "streams_info",
    "acl",
    "observability",
    "modules",
    "blocking",
    "pubsub",
    "monitor",
    "client_tracking",
    "client_misc",
)

_loaded = False


def load_all() -> None:
    """Register every available command family (idempotent)."""
    global _loaded
    if _loaded:
        return
    for family in FAMILIES:
        importlib.import_module(f"nodes.commands.{family}")
    set_multi_exempt(
        *(
            n
            for n in ("exec", "discard", "multi", "watch", "quit", "reset")
            if n.encode() in COMMANDS
        )
    )
    _loaded = True


__all__ = ["COMMANDS", "Command", "CommandContext", "KeySpec", "command", "load_all"]
