"""The seam between the stream commands and the blocking layer (XREAD/XREADGROUP BLOCK).

The blocking framework lives on its own branch (``nodes/blocking.py``); until it is
merged, a blocked read answers at once as its timeout would (a null array), which is what
redis does for a client that may not block (MULTI, scripts). When it lands, two things
plug in here and nowhere else:

- :func:`block_for_streams`: park the client on ``request.keys`` (waiting for values of
  type :class:`nodes.types.stream.Stream`) until one is signalled or the timeout
  passes (then: a null array); each time a key is signalled, offer it with
  :func:`nodes.commands.streams_delivery.serve_blocked`, which answers (reply, commands to
  propagate) or None to keep waiting;
- :func:`signal_stream`: XADD (and XGROUP DESTROY / DEL, for ``-NOGROUP``) call it so
  that parked readers of ``key`` are woken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nodes.commands.context import CommandContext
from nodes.resp.values import NULL_ARRAY, Blocked, Reply


@dataclass(frozen=True, slots=True)
class BlockedRead:
    """What a blocked XREAD / XREADGROUP waits for."""

    keys: tuple[bytes, ...]
    ids: tuple[int, ...]
    """Per key, the ID the served entries must be above (``>``: the group's last ID)."""
    timeout_ms: int
    """BLOCK's argument: 0 waits forever."""
    count: int
    group: bytes | None = None
    consumer: bytes | None = None
    noack: bool = False


StreamListener = Callable[[CommandContext, bytes], None]
LISTENERS: list[StreamListener] = []
"""Called with the key after a stream received entries (the blocking layer's hook)."""


def signal_stream(ctx: CommandContext, key: bytes) -> None:
    """A stream at ``key`` got new entries (or lost its group): wake its readers."""
    for listener in LISTENERS:
        listener(ctx, key)


def block_for_streams(ctx: CommandContext, request: BlockedRead) -> Reply | Blocked:
    """Block the client until ``request`` can be served. Without the blocking layer:
    the reply of a timeout."""
    return NULL_ARRAY
