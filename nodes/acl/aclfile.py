"""The ACL file (``aclfile``): ACL LOAD reads it all or nothing, ACL SAVE writes every
user as ``user <name> <rules>`` lines (atomically), as redis's ACLLoadFromFile and
ACLSaveToFile. Errors use redis's wording; a relative path is taken from the working
directory (the server runs in ``dir``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from nodes.acl.describe import describe
from nodes.acl.rules import UNKNOWN, AclRuleError, apply_rule, merge_selector_args
from nodes.acl.user import User

log = logging.getLogger("splitbrain.acl")

_SPACES = b" \t\n\r\x0b\x0c\x00"


def read_users(path: str, pubsub_all: bool) -> dict[bytes, User] | str:
    """The users the file declares (a missing default user is the default one as redis
    creates it), or redis's error text."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return f"Error loading ACLs, opening file '{path}': {exc.strerror}"
    users: dict[bytes, User] = {}
    errors = ""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        line = raw.strip(b" \t\r\n")
        if not line:
            continue
        argv = [w for w in line.split(b" ") if w]
        if argv[0] != b"user" or len(argv) < 2:
            errors += f"{path}:{number} should start with user keyword followed by the username. "
            continue
        name = argv[1]
        if any(c in _SPACES for c in name):
            errors += (
                f"'{path}:{number}: username '{name.decode(errors='replace')}' contains "
                "invalid characters. "
            )
            continue
        if name in users:
            errors += (
                f"WARNING: Duplicate user '{name.decode(errors='replace')}' found on line "
                f"{number}. "
            )
            continue
        user = users[name] = User(name=name)
        if pubsub_all:
            user.all_channels = True
        syntax_error = False
        merged = merge_selector_args(argv[2:])
        if isinstance(merged, int):
            errors += f"{path}:{number}: Unmatched parenthesis in selector definition."
            merged = []
        for word in merged:
            rule = word.strip(b"\t\r\n")
            try:
                apply_rule(user, rule, pubsub_all=pubsub_all)
            except AclRuleError as exc:
                if exc.reason == UNKNOWN:
                    errors += (
                        f"{path}:{number}: Error in applying operation "
                        f"'{rule.decode(errors='replace')}': {exc.reason}. "
                    )
                elif not syntax_error:
                    errors += f"{path}:{number}: {exc.reason}. "
                    syntax_error = True
        user.refresh()
    if errors:
        return (
            errors + "WARNING: ACL errors detected, no change to the previously active ACL "
            "rules was performed"
        )
    if b"default" not in users:
        default = users[b"default"] = User(name=b"default")
        for rule in (b"+@all", b"~*", b"&*", b"on", b"nopass"):
            apply_rule(default, rule)
        default.refresh()
    return users


def write_users(path: str, users: dict[bytes, User]) -> bool:
    """ACL SAVE: the users in name order, through a temporary file renamed over ``path``;
    False (and a log line) when that fails."""
    text = b"".join(b"user " + n + b" " + describe(users[n]) + b"\n" for n in sorted(users))
    temporary = f"{path}.tmp-{os.getpid()}"
    try:
        with open(temporary, "wb") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        log.warning("Writing ACL file for ACL SAVE: %s", exc.strerror)
        return False
    try:
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("Renaming ACL file for ACL SAVE: %s", exc.strerror)
        return False
    return True
