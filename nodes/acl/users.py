"""The server's users (redis's ``Users`` radix tree and ``DefaultUser``), AUTH, and the
``requirepass`` option mapped onto the default user.

Created once per server as ``server.acl``. ``requirepass`` (at start and on CONFIG SET)
resets the default user's passwords and adds the new one, or makes it ``nopass`` when
empty, as redis's ACLUpdateDefaultUserPassword does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from nodes.acl.aclfile import read_users, write_users
from nodes.acl.log import AclLog
from nodes.acl.rules import AclRuleError, apply_rule, merge_selector_args
from nodes.acl.user import User
from nodes.config import Config

log = logging.getLogger("splitbrain.acl")

_BOTH = (
    "Configuring Redis with users defined in redis.conf and at the same setting an ACL "
    "file path is invalid. This setup is very likely to lead to configuration errors and "
    "security holes, please define either an ACL file or declare users directly in your "
    "redis.conf, but not both."
)


class AccessControl:
    """Users by name; the default user always exists."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.users: dict[bytes, User] = {}
        self.removed: list[User] = []
        self.default = self._create(b"default")
        for rule in (b"+@all", b"~*", b"&*", b"on", b"nopass"):
            apply_rule(self.default, rule)
        self.default.refresh()
        self.log = AclLog(lambda: config.get_int("acllog-max-len"))
        self._requirepass(config.get_str("requirepass"))
        config.listeners.setdefault("requirepass", []).append(self._requirepass)
        self.load_declared(config.users)
        self.startup_error: str | None = None
        """Why the server must not start (redis exits): users both in the config file
        and an ACL file, or errors in the ACL file."""
        if self.aclfile:
            if config.users:
                self.startup_error = _BOTH
            else:
                error = self.load_file()
                if error is not None:
                    self.startup_error = f"Aborting Redis startup because of ACL errors: {error}"

    @property
    def aclfile(self) -> str:
        return self.config.get_str("aclfile")

    def load_file(self) -> str | None:
        """ACL LOAD: replace every user by the file's (the default user object stays, with
        the file's rules); redis's error text, or None. Every other former user object is
        left in :attr:`removed` for the caller to disconnect its clients (as redis)."""
        found = read_users(self.aclfile, self._pubsub_all())
        if isinstance(found, str):
            return found
        self.removed = [u for n, u in self.users.items() if n != b"default"]
        self.default.assign(found.pop(b"default"))
        self.users = {b"default": self.default, **found}
        return None

    def save_file(self) -> bool:
        """ACL SAVE."""
        return write_users(self.aclfile, self.users)

    def load_declared(self, lines: Sequence[str]) -> None:
        """Apply ``user`` lines (already checked): a declared default user is reset
        first; a rule that cannot apply now is logged and skipped."""
        for line in lines:
            words = [w.encode(errors="surrogateescape") for w in line.split()[1:]]
            name = words[0]
            merged = merge_selector_args(words[1:])
            rules = [] if isinstance(merged, int) else merged
            user = self.users.get(name) or self._create(name)
            if name == b"default":
                apply_rule(user, b"reset", pubsub_all=self._pubsub_all())
            for rule in rules:
                try:
                    apply_rule(user, rule, pubsub_all=self._pubsub_all())
                except AclRuleError as exc:
                    log.warning(
                        "Error loading ACL rule '%s' for the user named '%s': %s",
                        rule.decode(errors="replace"),
                        name.decode(errors="replace"),
                        exc.reason,
                    )
            user.refresh()

    def _requirepass(self, value: str) -> None:
        apply_rule(self.default, b"resetpass")
        apply_rule(self.default, b">" + value.encode() if value else b"nopass")

    def _pubsub_all(self) -> bool:
        return self.config.get_str("acl-pubsub-default") == "allchannels"

    def _create(self, name: bytes) -> User:
        user = User(name=name)
        if name != b"default" and self._pubsub_all():
            user.all_channels = True
        user.refresh()
        self.users[name] = user
        return user

    def open_without_auth(self) -> bool:
        """New connections are authenticated as the default user (it is ``nopass`` and
        enabled): redis's ``authRequired`` is false."""
        return self.default.nopass and self.default.enabled

    def get(self, name: bytes) -> User | None:
        return self.users.get(name)

    def names(self) -> list[bytes]:
        """Every user name in redis's (byte-wise) order."""
        return sorted(self.users)

    def authenticate(self, name: bytes, password: bytes) -> User | None:
        """The user these credentials log in as, or None."""
        user = self.users.get(name)
        if user is None or not user.accepts(password):
            return None
        return user

    def set_user(self, name: bytes, rules: Sequence[bytes]) -> bytes | None:
        """ACL SETUSER: all rules or none; redis's error text (after ``ERR``) or None."""
        existing = self.users.get(name)
        staged = existing.copy() if existing is not None else User(name=name)
        if existing is None and self._pubsub_all():
            staged.all_channels = True
        pubsub_all = self._pubsub_all()
        merged = merge_selector_args(list(rules))
        if isinstance(merged, int):
            return b"Unmatched parenthesis in acl selector starting at '" + rules[merged] + b"'."
        for rule in merged:
            try:
                apply_rule(staged, rule, pubsub_all=pubsub_all)
            except AclRuleError as exc:
                return b"Error in ACL SETUSER modifier '" + rule + b"': " + exc.reason.encode()
        target = existing if existing is not None else self._create(name)
        target.assign(staged)
        return None

    def delete(self, name: bytes) -> User | None:
        """Remove a user (never the default one); the removed user or None."""
        if name == b"default":
            return None
        return self.users.pop(name, None)
