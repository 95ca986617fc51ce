"""What happened to one client operation: ok, fail (definitely not applied) or info.

The rules (Jepsen's): a definite rejection is ``fail`` (MOVED, ASK, CLUSTERDOWN,
NOREPLICAS, TRYAGAIN, any error reply: Redis runs one command atomically and answers an
error only for a command it did not apply; and a connection that could not be used before
anything was written); anything ambiguous is ``info`` (a timeout or a reset after the
request was written). A timeout is never ``ok`` or ``fail``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

REDIRECT_PREFIXES = ("MOVED ", "ASK ")


class Outcome(enum.Enum):
    OK = "ok"
    FAIL = "fail"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of one operation: ``reply`` for ok, ``error`` for fail and info,
    ``node`` the name of the node the request went to (None if none was chosen),
    ``acks`` the replica count WAIT returned (writes with ``--wait`` only)."""

    outcome: Outcome
    reply: Any = None
    error: str | None = None
    node: str | None = None
    acks: int | None = None


def parse_redirect(message: str) -> tuple[str, int, str] | None:
    """``("MOVED"|"ASK", slot, "ip:port")`` for a redirect error, else None."""
    parts = message.split(" ")
    if len(parts) != 3 or parts[0] not in ("MOVED", "ASK"):
        return None
    try:
        slot = int(parts[1])
    except ValueError:
        return None
    return parts[0], slot, parts[2]
