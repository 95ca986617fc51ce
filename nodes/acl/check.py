"""The permission check (redis 7.0's ACLSelectorCheckCmd, one selector).

:func:`check` answers ``None`` (allowed) or a :class:`Denial` naming what was refused:
the command, a key (with its position in argv) or a channel. Key permissions come from
the command's key specs: ``access`` needs ``%R``, ``insert``/``delete``/``update`` need
``%W``; SET and BITFIELD, whose flags depend on their arguments, are resolved as redis's
own key functions do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from nodes.acl.user import READ, WRITE, User
from nodes.commands.registry import Command, KeySpec
from nodes.pattern import matches
from nodes.types.bitfield import reads_only


class Denied(Enum):
    COMMAND = "command"
    KEY = "key"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class Denial:
    """Why a command was refused; ``position`` indexes argv (keys and channels)."""

    reason: Denied
    position: int = 0


_CHANNEL_ARGS: dict[bytes, tuple[int, bool]] = {
    b"publish": (1, False),
    b"spublish": (1, False),
    b"subscribe": (-1, False),
    b"ssubscribe": (-1, False),
    b"psubscribe": (-1, True),
}
"""Commands naming channels: (argv index, or -1 for every argument from 1; pattern?)."""


_ORDER = {"command": 1, "key": 2, "channel": 4}
"""redis's ACL_DENIED_* values: with several selectors, the highest denial (then the
highest argument position) is the one reported."""


def check(user: User, cmd: Command, argv: Sequence[bytes]) -> Denial | None:
    """Whether ``user`` may run ``cmd`` with ``argv`` (arity already checked): its root
    selector or any of its ``(...)`` selectors allows it."""
    denial = _check_selector(user, cmd, argv)
    if denial is None or not user.selectors:
        return denial
    worst = denial
    for selector in user.selectors:
        found = _check_selector(selector, cmd, argv)
        if found is None:
            return None
        rank, worst_rank = _ORDER[found.reason.value], _ORDER[worst.reason.value]
        if rank > worst_rank or (rank == worst_rank and found.position > worst.position):
            worst = found
    return worst


def _check_selector(user: User, cmd: Command, argv: Sequence[bytes]) -> Denial | None:
    if not user.all_commands and not cmd.no_auth and cmd.fullname_bytes not in user.allowed:
        firsts = user.first_args.get(cmd.fullname_bytes)
        at = 2 if cmd.parent is not None else 1
        if not firsts or len(argv) <= at or all(f.lower() != argv[at].lower() for f in firsts):
            return Denial(Denied.COMMAND)
    if not user.all_keys and cmd.has_keys:
        for position, perms in key_permissions(cmd, argv):
            if not key_allowed(user, argv[position], perms):
                return Denial(Denied.KEY, position)
    if not user.all_channels:
        found = _CHANNEL_ARGS.get(cmd.fullname_bytes)
        if found is not None:
            index, is_pattern = found
            positions = range(1, len(argv)) if index < 0 else (index,)
            for position in positions:
                if not channel_allowed(user, argv[position], is_pattern):
                    return Denial(Denied.CHANNEL, position)
    return None


def key_allowed(user: User, key: bytes, perms: int) -> bool:
    if user.all_keys:
        return True
    return any(p.perms & perms == perms and matches(p.pattern, key) for p in user.key_patterns)


def channel_allowed(user: User, channel: bytes, is_pattern: bool) -> bool:
    """A channel matches an ACL channel pattern; a PSUBSCRIBE pattern must equal one."""
    if user.all_channels:
        return True
    if is_pattern:
        return channel in user.channels
    return any(matches(p, channel) for p in user.channels)


def _perms(flags: Sequence[str]) -> int:
    perms = READ if "access" in flags else 0
    if "insert" in flags or "delete" in flags or "update" in flags:
        perms |= WRITE
    return perms


def key_permissions(cmd: Command, argv: Sequence[bytes]) -> list[tuple[int, int]]:
    """(argv position, needed permissions) of each key ``cmd`` names."""
    positions = cmd.key_indexes(argv)
    name = cmd.fullname_bytes
    if name == b"set":
        has_get = any(a.lower() == b"get" for a in argv[3:])
        return [(p, READ | WRITE if has_get else WRITE) for p in positions]
    if name == b"bitfield":
        return [(p, _bitfield_perms(argv)) for p in positions]
    specs = cmd.key_specs
    if len(specs) == 1:
        perms = _perms(specs[0].flags)
        return [(p, perms) for p in positions]
    by_position: dict[int, int] = {}
    for spec in specs:
        spec_positions = _spec_positions(spec, argv)
        if spec_positions is None:
            union = 0
            for s in specs:
                union |= _perms(s.flags)
            return [(p, by_position.get(p, union)) for p in positions]
        for p in spec_positions:
            by_position[p] = by_position.get(p, 0) | _perms(spec.flags)
    return [(p, by_position.get(p, READ | WRITE)) for p in positions]


def _bitfield_perms(argv: Sequence[bytes]) -> int:
    return READ if reads_only(argv) else READ | WRITE


def _spec_positions(spec: KeySpec, argv: Sequence[bytes]) -> list[int] | None:
    """The positions one index-begun key spec covers (``None``: found by keyword or
    unknown; the caller falls back to every spec's flags)."""
    if spec.unknown or spec.begin_keyword is not None:
        return None
    begin = spec.begin_index
    argc = len(argv)
    if begin >= argc:
        return []
    if spec.keynum is not None:
        numidx, first, step = spec.keynum
        try:
            count = int(argv[begin + numidx])
        except (ValueError, IndexError):
            return []
        start = begin + first
        return [p for p in range(start, start + count * step, step) if p < argc]
    if spec.lastkey >= 0:
        last = begin + spec.lastkey
    else:
        last = argc + spec.lastkey
        if spec.limit > 1:
            last = begin + (argc - begin) // spec.limit - 1
    return list(range(begin, min(last, argc - 1) + 1, spec.keystep or 1))
