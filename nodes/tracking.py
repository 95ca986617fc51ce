"""Client-side caching: CLIENT TRACKING's invalidation messages (redis's ``tracking.c``).

The contract:

- **Default mode.** After a read-only command of a tracking client (run by itself or
  in its EXEC; for a script's read-only ``redis.call``: the keys the script declared)
  the command's keys are remembered for it
  (OPTIN: only right after ``CLIENT CACHING yes``; OPTOUT: unless right after
  ``CLIENT CACHING no``). When a remembered key changes (any write, expiry, eviction of
  the key) each client that remembered it is sent one invalidation for it and forgets
  it. Key names are global, as in redis: a change in any database invalidates.
- **BCAST mode.** A client registers prefixes (none: every key); every changed key that
  starts with one of them is collected and sent once per event-loop iteration, per
  prefix, as one array of the keys (in byte order).
- **NOLOOP**: a client is not told about its own changes.
- **Flush.** FLUSHALL / FLUSHDB (any emptied database) send every tracking client a
  null invalidation ("everything") and forget every remembered key.
- **Delivery.** RESP3 clients get a push ``invalidate [keys]``. ``REDIRECT id`` sends
  them to that client instead: as a push if it speaks RESP3, or as a pub/sub
  ``message`` on ``__redis__:invalidate`` if it is a RESP2 client with subscriptions;
  a RESP2 client without redirection gets nothing. A redirect target that is gone
  makes the tracking client's messages a ``tracking-redir-broken <id>`` push instead.
- **Order.** An invalidation caused by the client's own command is written after that
  command's reply (redis's pending invalidations); others at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nodes.commands.registry import COMMANDS
from nodes.resp.encoder import encode_into
from nodes.resp.values import Blocked, Push, Raw, Reply
from nodes.scripting.engine import engine_for

if TYPE_CHECKING:
    from nodes.client import Client
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.server import Server

CHANNEL = b"__redis__:invalidate"


@dataclass(slots=True)
class TrackingMode:
    """One client's CLIENT TRACKING options."""

    redirect: int = 0
    bcast: bool = False
    optin: bool = False
    optout: bool = False
    noloop: bool = False
    prefixes: list[bytes] = field(default_factory=list)
    caching: bool = False
    """CLIENT CACHING was given for the next command (or the open transaction)."""
    broken_redirect: bool = False


@dataclass(slots=True)
class _Prefix:
    clients: dict[int, None] = field(default_factory=dict)
    keys: dict[bytes, int] = field(default_factory=dict)
    """Changed keys waiting to be broadcast -> id of the client that changed it last."""


class Tracking:
    """The server's tracking table (``server.tracking``, made by the first TRACKING ON)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.modes: dict[int, TrackingMode] = {}
        self.table: dict[bytes, dict[int, None]] = {}
        self.prefixes: dict[bytes, _Prefix] = {}
        self.current: Client | None = None
        """The client whose request is being executed (NOLOOP, pending messages)."""
        self.pending: list[bytes | None] = []
        """Invalidations for ``current``, sent after its reply (None: a flush)."""
        self._flushed = False
        """A flush was announced during this request (FLUSHALL empties each database)."""
        server.before_reply.append(self.broadcast)
        self.attach()

    def attach(self) -> None:
        """Listen to every database's changes (new databases copy database 0's)."""
        for _, space in self.server.databases.live():
            space.change_listener = self.key_changed
            space.flush_listener = self.flushed

    # ---- CLIENT TRACKING on / off --------------------------------------------------
    def enable(self, client: Client, mode: TrackingMode) -> None:
        """TRACKING ON (again): the new options; BCAST prefixes add to the old ones."""
        old = self.modes.get(client.id)
        if mode.bcast:
            fresh = mode.prefixes or [b""]
            mode.prefixes = list(dict.fromkeys([*(old.prefixes if old else []), *fresh]))
            for prefix in mode.prefixes:
                self.prefixes.setdefault(prefix, _Prefix()).clients[client.id] = None
        self.modes[client.id] = mode

    def disable(self, client_id: int) -> None:
        mode = self.modes.pop(client_id, None)
        if mode is not None:
            self._drop_prefixes(client_id, mode)

    def _drop_prefixes(self, client_id: int, mode: TrackingMode) -> None:
        for prefix in mode.prefixes:
            state = self.prefixes.get(prefix)
            if state is not None:
                state.clients.pop(client_id, None)
                if not state.clients:
                    del self.prefixes[prefix]

    # ---- remembering ---------------------------------------------------------------
    def remember(self, ctx: CommandContext, cmd: Command, argv: list[bytes]) -> None:
        """After a command: a read-only one's keys are remembered for the client that
        ran it; a read-only ``redis.call`` remembers its script's declared keys for the
        script's caller."""
        if "readonly" not in cmd.flags or cmd.name in ("eval_ro", "evalsha_ro", "fcall_ro"):
            return
        if "pubsub" in cmd.flags:
            return
        client = ctx.client
        if client.script:  # redis remembers the keys the script declared, for its caller
            run = engine_for(self.server).run
            if run is None:
                return
            client, argv = run.caller.client, run.argv
            found = COMMANDS.get(argv[0].lower())
            if found is None:
                return
            cmd = found
        mode = self.modes.get(client.id)
        if mode is None or mode.bcast:
            return
        if (mode.optin and not mode.caching) or (mode.optout and mode.caching):
            return
        for key in cmd.keys(argv):
            self.table.setdefault(key, {})[client.id] = None

    def command_done(self, client: Client, in_multi: bool) -> None:
        """CLIENT CACHING lasts one command (or until the transaction ends)."""
        mode = self.modes.get(client.id)
        if mode is not None and not in_multi:
            mode.caching = False

    # ---- invalidating --------------------------------------------------------------
    def key_changed(self, key: bytes) -> None:
        """A key changed (the keyspaces' listener)."""
        current = self.current
        writer = current.id if current is not None else 0
        for prefix, state in self.prefixes.items():
            if key.startswith(prefix):
                state.keys[key] = writer
        ids = self.table.pop(key, None)
        if not ids:
            return
        for cid in ids:
            mode = self.modes.get(cid)
            if mode is None or mode.bcast:
                continue
            if mode.noloop and cid == writer:
                continue
            if current is not None and cid == current.id:
                self.pending.append(key)
            else:
                self._send(cid, mode, [key])

    def flushed(self) -> None:
        """A database was emptied: every tracking client is told "everything"."""
        self.table.clear()
        if self._flushed:
            return
        self._flushed = self.current is not None
        current = self.current
        for cid, mode in list(self.modes.items()):
            if current is not None and cid == current.id:
                self.pending.append(None)
            else:
                self._send(cid, mode, None)

    def broadcast(self) -> None:
        """Once per loop iteration (before replies are written): the BCAST messages."""
        for _, state in sorted(self.prefixes.items()):  # redis walks its prefix tree
            if not state.keys:
                continue
            changed = sorted(state.keys.items())
            state.keys = {}
            for cid in state.clients:
                mode = self.modes.get(cid)
                if mode is None:
                    continue
                keys: list[Reply] = [k for k, by in changed if not (mode.noloop and by == cid)]
                if keys:
                    self._send(cid, mode, keys)

    def finish(self, client: Client, reply: Reply | Blocked) -> Reply | Blocked:
        """After a request: the invalidations it caused for its own client follow its
        reply (encoded together), as redis writes them after the reply."""
        self.current = None
        self._flushed = False
        if not self.pending:
            return reply
        pending, self.pending = self.pending, []
        mode = self.modes.get(client.id)
        conn = self.server.connections.get(client.id)
        if mode is None or conn is None:
            return reply
        out: list[bytes] = []
        if not isinstance(reply, Blocked):
            encode_into(out, reply, client.resp == 3)
        for key in pending:
            message = self._message(client.id, mode, None if key is None else [key])
            if message is not None:
                target, push = message
                if target is client:
                    encode_into(out, push, client.resp == 3)
                else:
                    self._deliver(target, push)
        if isinstance(reply, Blocked):
            conn.out.extend(out)
            conn.schedule_output()
            return reply
        return Raw(b"".join(out))

    def _send(self, cid: int, mode: TrackingMode, keys: list[Reply] | None) -> None:
        message = self._message(cid, mode, keys)
        if message is not None:
            self._deliver(*message)

    def _message(
        self, cid: int, mode: TrackingMode, keys: list[Reply] | None
    ) -> tuple[Client, Push] | None:
        """Who gets what for ``cid``'s invalidation of ``keys`` (None: nothing to send)."""
        clients = self.server.clients
        client = clients.get(cid)
        if client is None:
            return None
        if mode.redirect:
            target = clients.get(mode.redirect)
            if target is None:
                mode.broken_redirect = True
                if client.resp == 3:
                    return client, Push([b"tracking-redir-broken", mode.redirect])
                return None
            if target.resp == 3:
                return target, Push([b"invalidate", keys])
            if target.pubsub is not None:
                return target, Push([b"message", CHANNEL, keys])
            return None
        if client.resp == 3:
            return client, Push([b"invalidate", keys])
        return None

    def _deliver(self, target: Client, push: Push) -> None:
        conn = self.server.connections.get(target.id)
        if conn is None or conn.closed:
            return
        encode_into(conn.out, push, target.resp == 3)
        conn.schedule_output()


def tracking_of(server: Server) -> Tracking:
    tracking = server.tracking
    if tracking is None:
        tracking = server.tracking = Tracking(server)
    return tracking
