"""An ACL user as data: flags, password hashes, and its one (root) selector.

The dispatcher's hot path reads one attribute, :attr:`User.restricted`: ``False`` for a
user that may run every command on every key and channel (the default user as redis
starts it), so such a user costs nothing per command. Whoever changes a user's rules
calls :meth:`User.refresh` afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

READ = 1
"""Key pattern permission ``%R``: commands that read the key's value."""
WRITE = 2
"""Key pattern permission ``%W``: commands that insert, update or delete."""
READ_WRITE = READ | WRITE


def hash_password(password: bytes) -> bytes:
    """The hex sha256 of a password, as redis stores and shows it (``#<hash>``)."""
    return hashlib.sha256(password).hexdigest().encode()


@dataclass(slots=True)
class KeyPattern:
    """``~pattern`` (read and write), ``%R~pattern`` or ``%W~pattern``."""

    pattern: bytes
    perms: int

    def rule(self) -> bytes:
        prefix = {READ_WRITE: b"~", READ: b"%R~", WRITE: b"%W~"}[self.perms]
        return prefix + self.pattern


@dataclass(slots=True, eq=False)
class User:
    """One user. Command permissions are the set of allowed command full names
    (``get``, ``config|get``); ``all_commands`` is redis's ALLCOMMANDS selector flag
    (set by ``+@all``, cleared by any removal) and ``future_commands`` its reserved bit
    (set by ``+@all``, cleared only by ``-@all``: the description starts ``+@all``)."""

    name: bytes
    enabled: bool = False
    nopass: bool = False
    sanitize_payload: bool = False
    skip_sanitize_payload: bool = False
    passwords: list[bytes] = field(default_factory=list)
    allowed: set[bytes] = field(default_factory=set)
    all_commands: bool = False
    future_commands: bool = False
    first_args: dict[bytes, list[bytes]] = field(default_factory=dict)
    """Command full name -> first arguments allowed although the command is not
    (``+select|0``, redis's deprecated first-arg rules)."""
    all_keys: bool = False
    key_patterns: list[KeyPattern] = field(default_factory=list)
    all_channels: bool = False
    channels: list[bytes] = field(default_factory=list)
    selectors: list[User] = field(default_factory=list)
    """Further selectors (``(...)`` rules), each a :class:`User` of which only the
    command, key and channel fields count: a command runs if the root or any allows it."""
    restricted: bool = True
    """Whether the dispatcher must check this user's commands (see the module doc)."""

    def refresh(self) -> None:
        """Recompute :attr:`restricted` after a change."""
        self.restricted = not (self.all_commands and self.all_keys and self.all_channels)

    def copy(self) -> User:
        """A deep copy (ACL SETUSER stages its changes on one)."""
        twin = User(
            name=self.name,
            enabled=self.enabled,
            nopass=self.nopass,
            sanitize_payload=self.sanitize_payload,
            skip_sanitize_payload=self.skip_sanitize_payload,
            passwords=list(self.passwords),
            allowed=set(self.allowed),
            all_commands=self.all_commands,
            future_commands=self.future_commands,
            first_args={k: list(v) for k, v in self.first_args.items()},
            all_keys=self.all_keys,
            key_patterns=[KeyPattern(p.pattern, p.perms) for p in self.key_patterns],
            all_channels=self.all_channels,
            channels=list(self.channels),
            selectors=[s.copy() for s in self.selectors],
        )
        twin.refresh()
        return twin

    def assign(self, other: User) -> None:
        """Take every rule of ``other`` (the name stays)."""
        for name in (
            "enabled",
            "nopass",
            "sanitize_payload",
            "skip_sanitize_payload",
            "passwords",
            "allowed",
            "all_commands",
            "future_commands",
            "first_args",
            "all_keys",
            "key_patterns",
            "all_channels",
            "channels",
            "selectors",
        ):
            setattr(self, name, getattr(other, name))
        self.refresh()

    def flag_names(self) -> list[bytes]:
        """The user flags in redis's order (what ACL GETUSER and ACL LIST show)."""
        flags = [b"on" if self.enabled else b"off"]
        if self.nopass:
            flags.append(b"nopass")
        if self.skip_sanitize_payload:
            flags.append(b"skip-sanitize-payload")
        if self.sanitize_payload:
            flags.append(b"sanitize-payload")
        return flags

    def accepts(self, password: bytes) -> bool:
        """Whether ``password`` logs in as this user (a disabled user accepts none)."""
        if not self.enabled:
            return False
        return self.nopass or hash_password(password) in self.passwords


SUPERUSER = User(
    name=b"(superuser)",
    enabled=True,
    nopass=True,
    all_commands=True,
    future_commands=True,
    all_keys=True,
    all_channels=True,
    restricted=False,
)
"""The user of internal clients (the AOF loader, the master link): redis leaves their
``c->user`` NULL, which may run anything."""
