"""``rename-command`` from the config file: a command answers to a new name, or to none.

Applied once at start-up, after the command table is loaded and before clients connect
(redis edits its command table the same way); COMMAND INFO still reports the original
name, as redis does.
"""

from __future__ import annotations

from collections.abc import Sequence

from nodes.commands.registry import COMMANDS
from nodes.config import Rename
from nodes.errors import ConfigError


def apply_renames(renames: Sequence[Rename]) -> None:
    """Rename or remove commands; :class:`ConfigError` with redis's reason if not possible."""
    for rename in renames:
        old = rename.old.lower().encode(errors="surrogateescape")
        cmd = COMMANDS.get(old)
        if cmd is None or cmd.parent is not None:
            raise ConfigError(f"{rename.where}: No such command in rename-command")
        del COMMANDS[old]
        if rename.new:
            new = rename.new.lower().encode(errors="surrogateescape")
            if new in COMMANDS:
                raise ConfigError(f"{rename.where}: Target command name already exists")
            COMMANDS[new] = cmd
