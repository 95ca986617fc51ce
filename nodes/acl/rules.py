"""ACL SETUSER rules applied to a :class:`User` (redis 7.0's ACLSetUser/ACLSetSelector).

Command and category rules are resolved against the command table as redis does: a
category is every command and subcommand declaring it (``acl=`` on ``@command``), a
container's rule covers its subcommands, ``+cmd|first`` on a plain command allows one
first argument. A ``(...)`` rule adds a selector (its own keys, channels and commands;
:func:`merge_selector_args` joins the arguments it spans).
"""

from __future__ import annotations

from collections.abc import Iterator

from nodes.acl.user import READ, READ_WRITE, WRITE, KeyPattern, User, hash_password
from nodes.commands.registry import COMMANDS, Command
from nodes.resp.parser import split_args

CATEGORIES: tuple[bytes, ...] = (
    b"keyspace",
    b"read",
    b"write",
    b"set",
    b"sortedset",
    b"list",
    b"hash",
    b"string",
    b"bitmap",
    b"hyperloglog",
    b"geo",
    b"stream",
    b"pubsub",
    b"admin",
    b"fast",
    b"slow",
    b"blocking",
    b"dangerous",
    b"connection",
    b"transaction",
    b"scripting",
)
"""redis's categories, in ACL CAT's order."""

_HEX = frozenset(b"0123456789abcdef")


class AclRuleError(Exception):
    """A refused rule; ``reason`` is redis's text for it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


UNKNOWN = "Unknown command or category name in ACL"
SYNTAX = "Syntax error"
KEYS_AFTER_ALL = (
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
    "not have any effect. Try 'resetkeys' to start with an empty list of patterns"
)
CHANNELS_AFTER_ALL = (
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
    "does not have any effect. Try 'resetchannels' to start with an empty list of channels"
)
NO_SUCH_PASSWORD = "The password you are trying to remove from the user does not exist"
BAD_HASH = (
    "The password hash must be exactly 64 characters and contain only lowercase "
    "hexadecimal characters"
)
SUBCOMMAND_FIRST_ARG = "Allowing first-arg of a subcommand is not supported"


def every_command() -> Iterator[Command]:
    """Every command and subcommand of the table (containers before their children)."""
    for cmd in COMMANDS.values():
        yield cmd
        yield from cmd.subcommands.values()


def in_category(cmd: Command, category: bytes) -> bool:
    return ("@" + category.decode()) in cmd.acl_categories


def lookup(name: bytes) -> Command | None:
    """A command by ACL name: ``get`` or ``config|get``."""
    lowered = name.lower()
    if b"|" in lowered:
        parent, _, child = lowered.partition(b"|")
        container = COMMANDS.get(parent)
        return container.subcommands.get(child) if container is not None else None
    return COMMANDS.get(lowered)


def change_command(user: User, cmd: Command, allow: bool) -> None:
    """Allow or deny ``cmd`` and, for a container, its subcommands."""
    _set_bit(user, cmd.fullname_bytes, allow)
    user.first_args.pop(cmd.fullname_bytes, None)
    for sub in cmd.subcommands.values():
        _set_bit(user, sub.fullname_bytes, allow)


def _set_bit(user: User, name: bytes, allow: bool) -> None:
    if allow:
        user.allowed.add(name)
    else:
        user.allowed.discard(name)
        user.all_commands = False


def change_category(user: User, category: bytes, allow: bool) -> None:
    """``+@category`` / ``-@category`` (raises for an unknown one)."""
    if category.lower() not in CATEGORIES:
        raise AclRuleError(UNKNOWN)
    category = category.lower()
    for cmd in COMMANDS.values():
        if in_category(cmd, category):
            change_command(user, cmd, allow)
        for sub in cmd.subcommands.values():
            if in_category(sub, category):
                change_command(user, sub, allow)


def all_commands(user: User, allow: bool) -> None:
    """``+@all`` / ``allcommands`` or ``-@all`` / ``nocommands``."""
    user.first_args.clear()
    if allow:
        user.allowed = {c.fullname_bytes for c in every_command()}
    else:
        user.allowed = set()
    user.all_commands = allow
    user.future_commands = allow


def apply_rule(user: User, op: bytes, *, pubsub_all: bool = False) -> None:
    """Apply one rule to ``user`` (raises :class:`AclRuleError` with redis's reason);
    :meth:`User.refresh` is left to the caller. ``pubsub_all``: ``acl-pubsub-default``
    is ``allchannels`` (what ``reset`` leaves)."""
    if not op:
        return
    low = op.lower()
    if low == b"on":
        user.enabled = True
    elif low == b"off":
        user.enabled = False
    elif low == b"skip-sanitize-payload":
        user.skip_sanitize_payload, user.sanitize_payload = True, False
    elif low == b"sanitize-payload":
        user.skip_sanitize_payload, user.sanitize_payload = False, True
    elif low == b"nopass":
        user.nopass = True
        user.passwords.clear()
    elif low == b"resetpass":
        user.nopass = False
        user.passwords.clear()
    elif op[:1] in (b">", b"#"):
        digest = hash_password(op[1:]) if op[:1] == b">" else _checked_hash(op[1:])
        if digest not in user.passwords:
            user.passwords.append(digest)
        user.nopass = False
    elif op[:1] in (b"<", b"!"):
        digest = hash_password(op[1:]) if op[:1] == b"<" else _checked_hash(op[1:])
        if digest not in user.passwords:
            raise AclRuleError(NO_SUCH_PASSWORD)
        user.passwords.remove(digest)
    elif op[:1] == b"(" and op[-1:] == b")":
        user.selectors.append(selector_from(op, pubsub_all))
    elif low == b"clearselectors":
        user.selectors.clear()
    elif low == b"reset":
        for rule in (b"resetpass", b"resetkeys", b"resetchannels", b"off"):
            apply_rule(user, rule)
        if pubsub_all:
            apply_rule(user, b"allchannels")
        user.selectors.clear()
        user.skip_sanitize_payload, user.sanitize_payload = False, True
        all_commands(user, False)
    else:
        _apply_selector_rule(user, op, low)


def selector_from(op: bytes, pubsub_all: bool) -> User:
    """A ``(rule rule ...)`` selector (only key, channel and command rules)."""
    selector = User(name=b"")
    selector.all_channels = pubsub_all
    words = split_args(op[1:-1])
    for word in words or ():
        _apply_selector_rule(selector, word, word.lower())
    return selector


def merge_selector_args(args: list[bytes]) -> list[bytes] | int:
    """redis's ACLMergeSelectorArguments: ``(`` ... ``)`` arguments joined into one rule;
    the index of an unclosed ``(`` argument instead."""
    merged: list[bytes] = []
    opened = -1
    current = b""
    for j, op in enumerate(args):
        if op[:1] == b"(" and op[-1:] != b")":
            opened, current = j, op
            continue
        if opened >= 0:
            current += b" " + op
            if op[-1:] == b")":
                merged.append(current)
                opened = -1
            continue
        merged.append(op)
    return opened if opened >= 0 else merged


def _checked_hash(digest: bytes) -> bytes:
    if len(digest) != 64 or not set(digest) <= _HEX:
        raise AclRuleError(BAD_HASH)
    return digest


def _apply_selector_rule(user: User, op: bytes, low: bytes) -> None:
    if low in (b"allkeys", b"~*"):
        user.all_keys = True
        user.key_patterns.clear()
    elif low == b"resetkeys":
        user.all_keys = False
        user.key_patterns.clear()
    elif low in (b"allchannels", b"&*"):
        user.all_channels = True
        user.channels.clear()
    elif low == b"resetchannels":
        user.all_channels = False
        user.channels.clear()
    elif low in (b"allcommands", b"+@all"):
        all_commands(user, True)
    elif low in (b"nocommands", b"-@all"):
        all_commands(user, False)
    elif op[:1] in (b"~", b"%"):
        _add_key_pattern(user, op)
    elif op[:1] == b"&":
        if user.all_channels:
            raise AclRuleError(CHANNELS_AFTER_ALL)
        channel = op[1:]
        if _has_spaces(channel):
            raise AclRuleError(SYNTAX)
        if channel not in user.channels:
            user.channels.append(channel)
        user.all_channels = False
    elif op[:2] in (b"+@", b"-@"):
        change_category(user, op[2:], op[:1] == b"+")
    elif op[:1] == b"+":
        _allow_command(user, op[1:])
    elif op[:1] == b"-":
        cmd = lookup(op[1:])
        if cmd is None:
            raise AclRuleError(UNKNOWN)
        change_command(user, cmd, False)
    else:
        raise AclRuleError(SYNTAX)


def _has_spaces(text: bytes) -> bool:
    return any(c in b" \t\n\r\x0b\x0c\x00" for c in text)


def _add_key_pattern(user: User, op: bytes) -> None:
    if user.all_keys:
        raise AclRuleError(KEYS_AFTER_ALL)
    perms = READ_WRITE
    offset = 1
    if op[:1] == b"%":
        perms = 0
        while offset < len(op):
            c = op[offset : offset + 1].upper()
            if c == b"R" and not perms & READ:
                perms |= READ
            elif c == b"W" and not perms & WRITE:
                perms |= WRITE
            elif c == b"~":
                offset += 1
                break
            else:
                raise AclRuleError(SYNTAX)
            offset += 1
    pattern = op[offset:]
    if _has_spaces(pattern):
        raise AclRuleError(SYNTAX)
    for existing in user.key_patterns:
        if existing.pattern == pattern:
            existing.perms |= perms
            break
    else:
        user.key_patterns.append(KeyPattern(pattern, perms))
    user.all_keys = False


def _allow_command(user: User, name: bytes) -> None:
    if b"|" not in name:
        cmd = lookup(name)
        if cmd is None:
            raise AclRuleError(UNKNOWN)
        change_command(user, cmd, True)
        return
    head, _, first = name.rpartition(b"|")
    cmd = lookup(head)
    if cmd is None:
        raise AclRuleError(UNKNOWN)
    if cmd.parent is not None:
        raise AclRuleError(SUBCOMMAND_FIRST_ARG)
    if not first:
        raise AclRuleError(SYNTAX)
    if cmd.subcommands:
        sub = lookup(name)
        if sub is None:
            raise AclRuleError(UNKNOWN)
        change_command(user, sub, True)
        return
    allowed = user.first_args.setdefault(cmd.fullname_bytes, [])
    if all(a.lower() != first.lower() for a in allowed):
        allowed.append(first)
