"""Clients blocked on keys (redis's ``blocked.c``): BLPOP and friends wait here until a
key they watch receives a value of the type they want, their timeout passes, or they are
unblocked (CLIENT UNBLOCK, the slot moved away, the node turned replica).

The contract, meant for lists and sorted sets now and streams (XREAD BLOCK) later:

- A command that finds nothing to take calls :meth:`BlockingQueues.block` with its keys,
  the value type it wants (``deque``, ``ZSet``; a stream type later), a ``serve``
  callback, and its timeout; it returns the :class:`nodes.resp.values.Blocked` handed
  back, so its connection stops reading commands until the reply is ready.
- Whenever :meth:`nodes.keyspace.Keyspace.set` stores a value under a watched key, that
  key becomes *ready* (in the database of the keyspace: a client blocks on keys of the
  database it SELECTed). After each client request (a whole MULTI/EXEC counts as one),
  the dispatcher calls :meth:`BlockingQueues.serve_ready`: for each ready key, the
  clients blocked on it are offered the key in the order they blocked, while it still
  holds a value of their type. ``serve(ctx, key)`` takes what it needs and returns a
  :class:`Served` (the reply, and the non-blocking commands to propagate in place of the
  blocking one), or ``None`` to keep waiting (a stream waiter whose IDs are not reached
  yet, for instance).
- A waiter that pushes (BLMOVE) may make more keys ready: they are served in the same
  pass.

Timeouts use the event loop's clock (``loop.call_later``). Blocked clients are counted
by INFO's ``blocked_clients`` (the connection's ``blocked`` attribute).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nodes.keyslot import keyslot
from nodes.resp.values import Blocked, Error, Reply

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.keyspace import Keyspace
    from nodes.server import Server

UNBLOCKED_ROLE = Error(
    b"UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"
)
UNBLOCKED_CLIENT = Error(b"UNBLOCKED client unblocked via CLIENT UNBLOCK")
CLUSTER_DOWN = Error(b"CLUSTERDOWN The cluster is down")
UNBOUND = Error(b"CLUSTERDOWN Hash slot not served")
REDIRECT_CHECK_S = 0.1
"""How often cluster mode checks that blocked clients' slots are still served here."""


@dataclass(slots=True)
class Served:
    """What a waiter took: its reply and what to propagate instead of its command."""

    reply: Reply
    propagate: list[list[bytes]] = field(default_factory=list)


ServeFn = Callable[["CommandContext", bytes], Served | None]


@dataclass(eq=False, slots=True)
class Waiter:
    """One blocked client."""

    ctx: CommandContext
    db: int
    """The database blocked in (its keyspace is ``ctx.keyspace``)."""
    cmd: Command
    argv: list[bytes]
    keys: tuple[bytes, ...]
    wants: type
    serve: ServeFn
    timeout_reply: Reply
    future: asyncio.Future[Reply]
    timer: asyncio.TimerHandle | None = None


class BlockingQueues:
    """Per-key FIFO queues of waiters (one per server)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.by_key: dict[tuple[int, bytes], deque[Waiter]] = {}
        """(database, key) -> the clients blocked on it, first blocked first."""
        self.spaces: dict[int, Keyspace] = {}
        """The databases that have blocked clients (their keyspaces)."""
        self.by_client: dict[int, Waiter] = {}
        self._redirect_timer: asyncio.TimerHandle | None = None

    def __len__(self) -> int:
        return len(self.by_client)

    def is_blocked(self, client_id: int) -> bool:
        return client_id in self.by_client

    def timed_count(self) -> int:
        """Blocked clients with a timeout (INFO's ``clients_in_timeout_table``)."""
        return sum(1 for waiter in self.by_client.values() if waiter.timer is not None)

    # ---- blocking ------------------------------------------------------------------
    def block(
        self,
        ctx: CommandContext,
        *,
        cmd: Command,
        argv: list[bytes],
        keys: list[bytes],
        wants: type,
        serve: ServeFn,
        timeout_ms: int,
        timeout_reply: Reply,
    ) -> Blocked:
        """Block ``ctx``'s client on ``keys`` (``timeout_ms`` 0: forever)."""
        server = self.server
        future: asyncio.Future[Reply] = server.loop.create_future()
        unique = tuple(dict.fromkeys(keys))
        space = ctx.keyspace
        db = server.databases.index(space)
        waiter = Waiter(ctx, db, cmd, argv, unique, wants, serve, timeout_reply, future)
        self.spaces[db] = space
        waited = space.waited_keys
        for key in unique:
            self.by_key.setdefault((db, key), deque()).append(waiter)
            waited.add(key)
        self.by_client[ctx.client.id] = waiter
        if timeout_ms > 0:
            waiter.timer = server.loop.call_later(
                timeout_ms / 1000, self._finish, waiter, timeout_reply
            )
        if server.cluster_enabled and self._redirect_timer is None:
            self._redirect_timer = server.loop.call_later(REDIRECT_CHECK_S, self._check_redirects)
        return Blocked(future)

    def _release(self, waiter: Waiter) -> None:
        """Remove ``waiter`` from every queue (it is served, timed out or gone)."""
        self.by_client.pop(waiter.ctx.client.id, None)
        space = self.spaces.get(waiter.db)
        for key in waiter.keys:
            queue = self.by_key.get((waiter.db, key))
            if queue is None:
                continue
            with contextlib.suppress(ValueError):
                queue.remove(waiter)
            if not queue:
                del self.by_key[waiter.db, key]
                if space is not None:
                    space.waited_keys.discard(key)
        if space is not None and not space.waited_keys:
            space.ready_keys.clear()
            del self.spaces[waiter.db]
        if waiter.timer is not None:
            waiter.timer.cancel()
            waiter.timer = None

    def _finish(self, waiter: Waiter, reply: Reply) -> None:
        self._release(waiter)
        if not waiter.future.done():
            waiter.future.set_result(reply)

    # ---- serving -------------------------------------------------------------------
    def serve_ready(self) -> None:
        """Offer every ready key to its waiters, first blocked first (see the module
        docstring), database by database until none has a ready key; then propagate
        what they took."""
        server = self.server
        served_any = False
        while True:
            pending = [(db, space) for db, space in self.spaces.items() if space.ready_keys]
            if not pending:
                break
            for db, space in pending:
                served_any |= self._serve_space(db, space)
        if served_any and server.pending_propagation:
            server.flush_propagation()

    def _serve_space(self, db: int, space: Keyspace) -> bool:
        """Serve the ready keys of one database; True if a waiter took something."""
        server = self.server
        ready = space.ready_keys
        served_any = False
        while ready:
            key = next(iter(ready))
            del ready[key]
            queue = self.by_key.get((db, key))
            if not queue:
                continue
            for waiter in list(queue):
                value = space.get(key)
                if value is None:
                    break
                if type(value) is not waiter.wants or waiter.future.done():
                    continue
                served = waiter.serve(waiter.ctx, key)
                if served is None:
                    continue
                served_any = True
                if served.propagate:
                    server.propagate(db, served.propagate)
                if server.pending_propagation:
                    server.flush_propagation()
                waiter.ctx.client.woff = server.master_repl_offset
                self._finish(waiter, served.reply)
        return served_any

    def has_ready(self) -> bool:
        """Some database has a key that received a value for its blocked clients."""
        return any(space.ready_keys for space in self.spaces.values())

    # ---- unblocking ----------------------------------------------------------------
    def unblock(self, client_id: int, reply: Reply | None = None) -> bool:
        """CLIENT UNBLOCK: answer the client's timeout reply (or ``reply``); False when
        it is not blocked on keys."""
        waiter = self.by_client.get(client_id)
        if waiter is None:
            return False
        self._finish(waiter, waiter.timeout_reply if reply is None else reply)
        return True

    def unblock_all(self, reply: Reply, *, close: bool = False) -> None:
        """Answer every blocked client ``reply`` (the node turned replica: redis closes
        those connections after the reply)."""
        for waiter in list(self.by_client.values()):
            if close:
                waiter.ctx.client.close_after_reply = True
            self._finish(waiter, reply)

    def forget(self, client_id: int) -> None:
        """The client's connection closed."""
        waiter = self.by_client.get(client_id)
        if waiter is not None:
            self._release(waiter)

    # ---- cluster -------------------------------------------------------------------
    def _check_redirects(self) -> None:
        """Cluster mode (redis's ``clusterRedirectBlockedClientIfNeeded``): a client
        blocked on a slot this node no longer serves gets ``-MOVED`` (or
        ``-CLUSTERDOWN``) and is unblocked."""
        self._redirect_timer = None
        server = self.server
        router = server.router
        if router is None or not self.by_client:
            return
        for waiter in list(self.by_client.values()):
            if not waiter.keys:
                continue
            slot = keyslot(waiter.keys[0])
            try:
                verdict = router(waiter.ctx, waiter.cmd, waiter.argv, list(waiter.keys), slot)
            except Exception:  # a routing bug must not kill the timer
                continue
            if not isinstance(verdict, Error):
                continue
            if verdict.text.startswith(b"MOVED") or verdict.text == UNBOUND.text:
                self._finish(waiter, verdict)
            elif verdict.text.startswith(b"CLUSTERDOWN"):
                self._finish(waiter, CLUSTER_DOWN)  # redis: the plain down state
        if self.by_client:
            self._redirect_timer = server.loop.call_later(REDIRECT_CHECK_S, self._check_redirects)
