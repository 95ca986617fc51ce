"""Routing for open slots (Redis's ``getNodeByQuery`` for migrating / importing slots).

The cluster router calls these two functions once it knows the slot is open:

- on the **source** (I own the slot and it is migrating): a command whose keys are all
  missing here is sent to the target with ``-ASK slot ip:port``; one with some keys
  here and some gone gets ``-TRYAGAIN`` (as Debian's redis-server 7.0 answers);
- on the **target** (the slot is importing and the client sent ASKING, or the command
  is RESTORE-ASKING): a command with several distinct keys, some missing, gets
  ``-TRYAGAIN``; otherwise it runs.

MIGRATE itself is always served by an open slot's node, so that a reshard can finish.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodes.resp.values import Error

if TYPE_CHECKING:
    from nodes.commands.registry import Command
    from nodes.keyspace import Keyspace

TRYAGAIN = Error(b"TRYAGAIN Multiple keys request during rehashing of slot")


def _missing(keyspace: Keyspace, keys: list[bytes]) -> int:
    return sum(1 for key in keys if key not in keyspace)


def on_migrating(
    keyspace: Keyspace, cmd: Command, keys: list[bytes], slot: int, target: str
) -> Error | None:
    """The source's answer for a migrating ``slot`` (``target`` is ``ip:port``):
    ``-ASK`` when every key is gone, ``-TRYAGAIN`` when only some are, ``None`` to
    execute here."""
    if cmd.name == "migrate":
        return None
    missing = _missing(keyspace, keys)
    if not missing:
        return None
    if missing < len(keys):
        return TRYAGAIN
    return Error(f"ASK {slot} {target}".encode())


def on_importing(keyspace: Keyspace, cmd: Command, keys: list[bytes]) -> Error | None:
    """The target's answer for an importing slot after ASKING: ``-TRYAGAIN`` for a
    multi-key command with some keys not here yet, ``None`` to execute."""
    if cmd.name == "migrate":
        return None
    if len(set(keys)) > 1 and _missing(keyspace, keys):
        return TRYAGAIN
    return None
