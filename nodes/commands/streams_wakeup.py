"""The seam between the stream commands and the blocking layer (XREAD/XREADGROUP BLOCK).

- :func:`nodes.commands.streams_blocking.block_for_streams` parks the client on the
  request's keys with :mod:`nodes.blocking` (waiting for values of type
  :class:`nodes.types.stream.Stream`) until one is signalled or the timeout passes
  (then: a null array); each time a key is signalled it is offered to
  :func:`nodes.commands.streams_delivery.serve_blocked`, which answers (reply, commands
  to propagate) or None to keep waiting.
- :func:`signal_stream`: XADD (and XGROUP DESTROY, for ``-NOGROUP``) call it so that
  parked readers of ``key`` are woken (a new stream wakes them through the keyspace).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nodes.commands.context import CommandContext


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


def _wake_readers(ctx: CommandContext, key: bytes) -> None:
    """A stream that already existed grew: its blocked readers are offered it."""
    space = ctx.keyspace
    if key in space.waited_keys:
        space.ready_keys[key] = None


LISTENERS.append(_wake_readers)
