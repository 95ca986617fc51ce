"""Commands: the registry (:mod:`nodes.commands.registry`), one module per command family,
and the dispatcher (:mod:`nodes.commands.dispatch`).

:func:`load_all` imports every family module so its ``@command`` registrations run.
Families written by other components (lists, sets, hashes, zsets, cluster) are optional
until they exist.
"""

from __future__ import annotations

import importlib

from nodes.commands.context import CommandContext
from nodes.commands.registry import COMMANDS, Command, KeySpec, command, set_multi_exempt

FAMILIES: tuple[str, ...] = (
    "connection",
    "admin",
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
)
OPTIONAL: frozenset[str] = frozenset({"lists", "sets", "hashes", "zsets", "cluster", "replication"})

_loaded = False


def load_all() -> None:
    """Register every available command family (idempotent)."""
    global _loaded
    if _loaded:
        return
    for family in FAMILIES:
        name = f"nodes.commands.{family}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if family not in OPTIONAL or exc.name != name:
                raise
    set_multi_exempt(
        *(
            n
            for n in ("exec", "discard", "multi", "watch", "quit", "reset")
            if n.encode() in COMMANDS
        )
    )
    _loaded = True


__all__ = ["COMMANDS", "Command", "CommandContext", "KeySpec", "command", "load_all"]
