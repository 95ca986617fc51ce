"""The server: listeners, clients, the event-loop cron, propagation, hooks.

Hook points (for the cluster bus and, later, replication); set them before
:meth:`Server.start`:

``server.components: list[ServerComponent]``
    Objects with ``async start(server)`` and ``async stop()``; started in order after the
    listeners are up (and after the AOF is loaded), stopped in reverse order on shutdown.

``server.router: Router | None``
    Called in cluster mode (``cluster-enabled yes``) before a command with keys runs (or
    is queued in MULTI), and before EXEC with the keys of all queued commands:
    ``router(ctx, cmd, argv, keys, slot) -> Reply | Blocked | None`` with ``slot`` the keys'
    slot.
    When the keys span several slots the dispatcher asks the router about the first key
    only (``keys[:1]``): a ``CLUSTERDOWN Hash slot not served`` answer is returned (redis
    reports an unserved first slot before the mismatch), anything else becomes
    ``-CROSSSLOT``. A rejected EXEC discards the transaction. Return
    ``None`` to execute, or an :class:`nodes.resp.Error` such as
    ``Error(b"MOVED 3999 127.0.0.1:7001")``, ``-ASK``, ``-CLUSTERDOWN ...``, ``-TRYAGAIN``,
    or a :class:`nodes.resp.values.Blocked` to hold the command (the client waits; the
    router runs it again later through ``dispatch.execute``; a held EXEC keeps its queue).
    Keyless commands are never routed. ``ctx.client`` has the client's state (for
    ``ASKING``/``READONLY`` flags the hook may keep on its own objects keyed by
    ``ctx.client.id``).

``server.after_command: CommandHook | None``
    Called after every request a client sends (run, queued, refused or held), with its
    argv: redis's ``resetClient`` point (cluster mode clears a client's ASKING flag there
    unless the request was ASKING itself or the client is inside MULTI).

``server.info_providers: dict[str, InfoProvider]``
    Section name (lower case) -> ``() -> list[tuple[str, object]]``; INFO prints each
    section as ``# Title`` then ``key:value`` lines. Replace ``"cluster"`` or
    ``"replication"`` to take over those sections; order is the dict's order.

``server.propagation_listeners: list[PropagationListener]``
    Called with each batch of executed writes (``list[argv]``, already wrapped in
    MULTI/EXEC when a batch has several commands), in execution order: the AOF is one
    listener; a replication backlog will be another.

``server.before_reply: list[Callable[[], None]]``
    Run once per event-loop iteration before replies are written (the AOF's fsync point).

``server.write_gate: WriteGate | None``
    Called before a write command runs or is queued in MULTI (and before EXEC when
    something is queued): ``write_gate(ctx, cmd) -> Reply | None``; a reply refuses the
    command (replication: ``-READONLY`` on a replica, ``-NOREPLICAS``). ``None`` (the
    default) costs nothing.

``server.replication``
    The :class:`nodes.replication.Replication` component once installed (``follow``,
    ``become_master``, offsets); ``server.master_repl_offset`` is its stream offset, copied
    into ``client.woff`` after each command that propagated (what WAIT waits for).

``server.keyspace`` is the :class:`nodes.keyspace.Keyspace` (with a slot index when
cluster mode is on); ``server.clock_ms()`` is the event-loop clock in epoch ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from nodes.aof import AppendOnlyFile
from nodes.client import Client
from nodes.config import Config
from nodes.connection import Connection
from nodes.info import default_providers
from nodes.keyspace import Keyspace
from nodes.types.limits import bind as bind_encoding_limits

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.replication import Replication
    from nodes.resp.values import Blocked, Reply

log = logging.getLogger("splitbrain.server")


Router = Callable[
    ["CommandContext", "Command", list[bytes], list[bytes], int], "Reply | Blocked | None"
]
CommandHook = Callable[["CommandContext", list[bytes]], None]
InfoProvider = Callable[[], list[tuple[str, object]]]
PropagationListener = Callable[[list[list[bytes]]], None]
WriteGate = Callable[["CommandContext", "Command"], "Reply | None"]


class ServerComponent(Protocol):
    """Something that lives as long as the server (the cluster bus, replication)."""

    async def start(self, server: Server) -> None:
        """Start serving; called once, after the listeners are bound."""

    async def stop(self) -> None:
        """Stop and release everything; must not raise, even if ``start`` failed."""


@dataclass(slots=True)
class Stats:
    commands: int = 0
    connections: int = 0
    errors: int = 0
    rejected_connections: int = 0
    net_input_bytes: int = 0
    net_output_bytes: int = 0


class Server:
    """A splitbrain-server instance on an asyncio event loop."""

    def __init__(
        self,
        config: Config,
        loop: asyncio.AbstractEventLoop | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.rng = rng or random.Random(os.urandom(16))
        """Randomness for commands (SPOP, SRANDMEMBER, HRANDFIELD...): a simulation
        passes a seeded one."""
        self.loop = loop or asyncio.get_event_loop()
        self.epoch_offset = time.time() - self.loop.time()
        self.cluster_enabled = config.get_bool("cluster-enabled")
        self.keyspace = Keyspace(self.clock_ms, slot_index=self.cluster_enabled)
        self.keyspace.expired_listeners.append(self._propagate_expired)
        self.clients: dict[int, Client] = {}
        self.connections: dict[int, Connection] = {}
        self.stats = Stats()
        self.start_ms = self.clock_ms()
        self.cron_ms = self.start_ms
        """The clock at the last cron tick (cheap, 1/hz resolution: idle times)."""
        self.run_id = os.urandom(20).hex()
        self.components: list[ServerComponent] = []
        self.router: Router | None = None
        self.after_command: CommandHook | None = None
        self.info_providers: dict[str, InfoProvider] = {}
        self.propagation_listeners: list[PropagationListener] = []
        self.pending_propagation: list[list[bytes]] = []
        self.before_reply: list[Callable[[], None]] = []
        self.aof: AppendOnlyFile | None = None
        self.write_gate: WriteGate | None = None
        self.replication: Replication | None = None
        self.master_repl_offset = 0
        self._next_client_id = 1
        self._pending_writes: list[Connection] = []
        self._flush_scheduled = False
        self._servers: list[asyncio.AbstractServer] = []
        self._cron: asyncio.TimerHandle | None = None
        self._stopped = asyncio.Event()
        self.shutting_down = False
        self.query_buffer_limit = config.get_int("client-query-buffer-limit")
        config.listeners.setdefault("client-query-buffer-limit", []).append(self._set_query_limit)
        self.info_providers.update(default_providers(self))
        bind_encoding_limits(config)

    def _set_query_limit(self, value: str) -> None:
        self.query_buffer_limit = int(value)

    # ---- clock ---------------------------------------------------------------------
    def clock_ms(self) -> int:
        """Epoch milliseconds from the event loop's clock."""
        return int((self.loop.time() + self.epoch_offset) * 1000)

    # ---- lifecycle -----------------------------------------------------------------
    async def start(self) -> None:
        if self.config.get_bool("appendonly"):
            aof = AppendOnlyFile(self.config, self)
            aof.load_into(self)
            aof.open()
            self._attach_aof(aof)
        self.config.listeners.setdefault("appendonly", []).append(self._appendonly_changed)
        self.config.listeners.setdefault("dir", []).append(os.chdir)
        port = self.config.get_int("port")
        if port:
            for bind in self.config.get_str("bind").split() or ["*"]:
                optional = bind.startswith("-")
                host = bind.lstrip("-")
                host = {"*": "0.0.0.0", "::*": "::"}.get(host, host)
                try:
                    srv = await self.loop.create_server(
                        lambda: Connection(self),
                        host=host,
                        port=port,
                        reuse_address=True,
                        backlog=self.config.get_int("tcp-backlog"),
                    )
                except OSError as exc:
                    if optional:
                        log.warning("Could not bind optional address %s: %s", host, exc)
                        continue
                    raise
                self._servers.append(srv)
        for component in self.components:
            await component.start(self)
        self._schedule_cron()
        log.info("Ready to accept connections tcp on port %d", port)

    def _attach_aof(self, aof: AppendOnlyFile) -> None:
        self.aof = aof
        self.propagation_listeners.append(aof.feed)
        self.before_reply.append(aof.flush)

    def _appendonly_changed(self, value: str) -> None:
        """CONFIG SET appendonly: start (writing the current dataset first) or stop."""
        if value == "yes" and self.aof is None:
            aof = AppendOnlyFile(self.config, self)
            aof.rewrite()
            self._attach_aof(aof)
            log.info("AOF enabled: dataset written to %s", aof.path)
        elif value == "no" and self.aof is not None:
            aof = self.aof
            self.aof = None
            self.propagation_listeners.remove(aof.feed)
            self.before_reply.remove(aof.flush)
            aof.close()
            log.info("AOF disabled")

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        """Close listeners and clients, stop components, flush and close the AOF."""
        if self._cron is not None:
            self._cron.cancel()
        for srv in self._servers:
            srv.close()
        for component in reversed(self.components):
            with contextlib.suppress(Exception):
                await component.stop()
        for conn in list(self.connections.values()):
            conn.close_now()
        if self.aof is not None:
            self.aof.close()
        self._stopped.set()

    def request_shutdown(self) -> None:
        """Shut down soon (SIGTERM, SHUTDOWN): the event loop finishes the current work."""
        if self.shutting_down:
            return
        self.shutting_down = True
        log.info("User requested shutdown...")
        self.loop.create_task(self.stop())

    # ---- clients -------------------------------------------------------------------
    def new_client_id(self) -> int:
        cid = self._next_client_id
        self._next_client_id += 1
        return cid

    # ---- propagation ---------------------------------------------------------------
    def flush_propagation(self) -> None:
        """Hand the pending writes to the listeners (MULTI/EXEC around several)."""
        batch = self.pending_propagation
        if not self.propagation_listeners:
            batch.clear()
            return
        self.pending_propagation = []
        if len(batch) > 1:
            batch = [[b"MULTI"], *batch, [b"EXEC"]]
        for listener in self.propagation_listeners:
            listener(batch)

    def _propagate_expired(self, key: bytes) -> None:
        self.pending_propagation.append([b"DEL", key])

    # ---- output --------------------------------------------------------------------
    def schedule_write(self, conn: Connection) -> None:
        """Write ``conn``'s replies after this loop iteration's ``before_reply`` hooks."""
        self._pending_writes.append(conn)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self._write_pending)

    def _write_pending(self) -> None:
        self._flush_scheduled = False
        if self.pending_propagation:
            self.flush_propagation()
        for hook in self.before_reply:
            hook()
        conns = self._pending_writes
        self._pending_writes = []
        for conn in conns:
            conn.flush_output()

    # ---- cron ----------------------------------------------------------------------
    def _schedule_cron(self) -> None:
        hz = max(1, min(500, self.config.get_int("hz")))
        self._cron = self.loop.call_later(1.0 / hz, self._run_cron)

    def _run_cron(self) -> None:
        self.cron_ms = self.clock_ms()
        try:
            self.keyspace.active_expire()
            if self.pending_propagation:
                self.flush_propagation()
            if self.aof is not None:
                self.aof.cron()
            timeout = self.config.get_int("timeout")
            if timeout > 0:
                now = self.clock_ms()
                for conn in list(self.connections.values()):
                    if now - conn.client.last_interaction_ms > timeout * 1000:
                        conn.close_now()
        except Exception:
            log.exception("cron failed")
        if not self.shutting_down:
            self._schedule_cron()
