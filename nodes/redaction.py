"""The passwords redis hides from SLOWLOG and MONITOR (its ``redactClientCommandArgument``
calls), shown as ``(redacted)``: one rule for both.

- AUTH: its username and password (arguments 1 and 2).
- HELLO: the pair after ``AUTH`` (read option by option, as HELLO parses them).
- MIGRATE: the value after ``AUTH``, the pair after ``AUTH2``.
- ACL SETUSER: every argument from the user name on.
- CONFIG SET: the values of the sensitive options (``requirepass``, ``masterauth``,
  ``masteruser``).

ACL SETUSER and CONFIG SET are admin commands, so only SLOWLOG ever shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

REDACTED = b"(redacted)"
SENSITIVE_OPTIONS = frozenset({b"requirepass", b"masterauth", b"masteruser"})
"""CONFIG options redis flags ``SENSITIVE_CONFIG``."""


def redact(name: str, argv: Sequence[bytes]) -> list[bytes]:
    """``argv`` of the command ``name`` (its lower-case name) with the passwords replaced."""
    shown = list(argv)
    if name == "auth":
        shown[1:3] = [REDACTED] * len(argv[1:3])
    elif name == "hello":
        j = 2
        while j < len(argv):
            word = argv[j].lower()
            if word == b"auth" and j + 2 < len(argv):
                shown[j + 1] = shown[j + 2] = REDACTED
                j += 3
            elif word == b"setname" and j + 1 < len(argv):
                j += 2
            else:
                break
    elif name == "migrate":
        j = 6
        while j < len(argv):
            word = argv[j].lower()
            if word == b"auth" and j + 1 < len(argv):
                shown[j + 1] = REDACTED
                j += 2
            elif word == b"auth2" and j + 2 < len(argv):
                shown[j + 1] = shown[j + 2] = REDACTED
                j += 3
            elif word == b"keys":
                break
            else:
                j += 1
    elif name == "acl" and len(argv) > 2 and argv[1].lower() == b"setuser":
        shown[2:] = [REDACTED] * (len(argv) - 2)
    elif name == "config" and len(argv) > 1 and argv[1].lower() == b"set":
        for i in range(2, len(argv) - 1, 2):
            if argv[i].lower() in SENSITIVE_OPTIONS:
                shown[i + 1] = REDACTED
    return shown
