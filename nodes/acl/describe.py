"""A user written back as rules: ``ACL LIST`` lines and ``ACL GETUSER`` fields.

The command rules follow redis's ACLDescribeSelectorCommandRules: start from ``+@all``
(the user may run future commands) or ``-@all``, apply the category that best fits the
remaining differences while one fits better than it misfits, then name single commands.
Single commands come in command-table order (redis's order is its hash table's, which
changes from run to run).
"""

from __future__ import annotations

from nodes.acl.rules import CATEGORIES, all_commands, change_category, change_command, in_category
from nodes.acl.rules import every_command as _every
from nodes.acl.user import User
from nodes.resp.values import Reply, SetReply


def command_rules(user: User) -> bytes:
    """The command part of the user's rules, as ACL SETUSER would take it back."""
    fake = User(name=b"")
    additive = not user.future_commands
    all_commands(fake, not additive)
    rules = [b"-@all" if additive else b"+@all"]
    temp = User(name=b"", allowed=set(user.allowed))
    commands = list(_every())
    applied: set[bytes] = set()
    while True:
        best: bytes | None = None
        min_diff, max_same = 1 << 62, 0
        for category in CATEGORIES:
            if category in applied:
                continue
            on = off = 0
            for cmd in commands:
                if in_category(cmd, category):
                    if cmd.fullname_bytes in temp.allowed:
                        on += 1
                    else:
                        off += 1
            diff, same = (off, on) if additive else (on, off)
            if same > diff and (diff < min_diff or (diff == min_diff and same > max_same)):
                best, min_diff, max_same = category, diff, same
        if best is None:
            break
        change_category(fake, best, additive)
        change_category(temp, best, not additive)
        rules.append((b"+@" if additive else b"-@") + best)
        applied.add(best)
    for cmd in commands:
        name = cmd.fullname_bytes
        mine = name in user.allowed
        if mine != (name in fake.allowed):
            rules.append((b"+" if mine else b"-") + name)
            change_command(fake, cmd, mine)
        if not mine:
            rules.extend(b"+" + name + b"|" + first for first in user.first_args.get(name, ()))
    return b" ".join(rules)


def key_rules(user: User) -> bytes:
    """ACL GETUSER's ``keys`` field."""
    if user.all_keys:
        return b"~*"
    return b" ".join(p.rule() for p in user.key_patterns)


def channel_rules(user: User) -> bytes:
    """ACL GETUSER's ``channels`` field."""
    if user.all_channels:
        return b"&*"
    return b" ".join(b"&" + c for c in user.channels)


def describe(user: User) -> bytes:
    """The rules after ``user <name>`` in an ACL LIST line (and an ACL file)."""
    parts = list(user.flag_names())
    parts.extend(b"#" + p for p in user.passwords)
    text = b" ".join([*parts, _describe_selector(user)])
    return text + b"".join(b" (" + _describe_selector(s) + b")" for s in user.selectors)


def _describe_selector(user: User) -> bytes:
    parts: list[bytes] = []
    if user.all_keys:
        parts.append(b"~*")
    else:
        parts.extend(p.rule() for p in user.key_patterns)
    if user.all_channels:
        parts.append(b"&*")
    else:
        parts.append(b"resetchannels")
        parts.extend(b"&" + c for c in user.channels)
    parts.append(command_rules(user))
    return b" ".join(parts)


def getuser_reply(user: User) -> Reply:
    """ACL GETUSER's map."""
    return {
        b"flags": SetReply(list(user.flag_names())),
        b"passwords": list(user.passwords),
        b"commands": command_rules(user),
        b"keys": key_rules(user),
        b"channels": channel_rules(user),
        b"selectors": [
            {
                b"commands": command_rules(s),
                b"keys": key_rules(s),
                b"channels": channel_rules(s),
            }
            for s in user.selectors
        ],
    }
