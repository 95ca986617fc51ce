"""The server: listeners, clients, the event-loop cron, propagation, hooks.

Hook points (the cluster bus and replication use them); set them before
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

``server.stale_gate: WriteGate | None``
    Called before a command without the ``stale`` flag runs or is queued (and before an
    EXEC whose queue holds one): replication's ``-MASTERDOWN`` on a replica whose master
    link is down with ``replica-serve-stale-data no``. ``None`` (the default, and on a
    master) costs nothing.

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
import functools
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from nodes.acl.users import AccessControl
from nodes.aof import AppendOnlyFile
from nodes.blocking import BlockingQueues
from nodes.client import Client
from nodes.client_pause import ClientPause
from nodes.command_stats import CommandStats, ErrorStats
from nodes.command_timing import CommandTiming
from nodes.config import Config
from nodes.connection import Connection
from nodes.databases import Databases
from nodes.disk import Disk
from nodes.info import default_providers
from nodes.keyspace import Keyspace
from nodes.listen import ListenError, open_socket_map
from nodes.pubsub import PubSub
from nodes.rdb.saver import RdbPersistence
from nodes.types.limits import bind as bind_encoding_limits

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.replication import Replication
    from nodes.resp.values import Blocked, Reply
    from nodes.tracking import Tracking

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

    async def drain(self) -> None:
        """At shutdown, before anything stops: finish what must end while the server
        still serves (a master waits for its replicas, its cluster bus still answers);
        must not raise."""

    async def stop(self) -> None:
        """Stop and release everything; must not raise, even if ``start`` failed."""


@dataclass(slots=True)
class Stats:
    commands: int = 0
    connections: int = 0
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
        disk: Disk | None = None,
    ) -> None:
        self.config = config
        self.disk = disk or Disk.in_dir(os.getcwd(), config.get_bool("splitbrain-fsync-ledger"))
        """The file layer of the AOF, RDB and nodes.conf writes (:mod:`nodes.disk`)."""
        self.rng = rng or random.Random(os.urandom(16))
        """Randomness for commands (SPOP, SRANDMEMBER, HRANDFIELD...): a simulation
        passes a seeded one."""
        self.loop = loop or asyncio.get_event_loop()
        self.epoch_offset = time.time() - self.loop.time()
        self.cluster_enabled = config.get_bool("cluster-enabled")
        self.cluster_replica = False
        """True while the cluster bus has us as a replica (from nodes.conf at start-up,
        before the replication link exists): loading keeps expired keys, as redis's
        ``iAmMaster()`` test does, since the master's DELs are what remove them."""
        self.keyspace = Keyspace(self.clock_ms, slot_index=self.cluster_enabled)
        count = 1 if self.cluster_enabled else config.get_int("databases")
        self.databases = Databases(self.keyspace, count, self._propagate_expired)
        self.propagation_db = 0
        """The database the propagated stream is in (``SELECT`` is inserted on a change;
        -1 forces one before the next write)."""
        self.batch_db = 0
        """The database in effect where the batch being handed to the listeners starts."""
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
        self.loading = False
        """A snapshot is being loaded with the event loop running (a replica's full sync
        with ``key-load-delay``, or a diskless load): commands without the ``loading``
        flag get -LOADING."""
        self.async_loading = False
        """A replica receiving a snapshot of its own history with ``repl-diskless-load
        swapdb``: it keeps serving the old data until the new one replaces it at once."""
        self.before_reply: list[Callable[[], None]] = []
        self.aof: AppendOnlyFile | None = None
        self.rdb = RdbPersistence(self)
        """SAVE / BGSAVE / save points / dump.rdb at start-up (:mod:`nodes.rdb.saver`)."""
        self.write_gate: WriteGate | None = None
        self.stale_gate: WriteGate | None = None
        self.client_pause = ClientPause(self.loop)
        """CLIENT PAUSE: commands held until it ends (:mod:`nodes.client_pause`)."""
        self.acl = AccessControl(config)
        """Users, AUTH, the permission check, ACL LOG (:mod:`nodes.acl.users`)."""
        self.timing = CommandTiming(config)
        self.command_stats = CommandStats()
        self.error_stats = ErrorStats()
        """SLOWLOG, LATENCY and the per-command histograms (:mod:`nodes.command_timing`)."""
        self.client_pause.on_paused.append(self._expiry_while_paused)
        self.monitors: dict[int, Connection] = {}
        """MONITOR clients by id, in the order they asked (:mod:`nodes.monitor`)."""
        self.tracking: Tracking | None = None
        """Client-side caching (made by the first CLIENT TRACKING ON: :mod:`nodes.tracking`)."""
        self.replication: Replication | None = None
        self.master_repl_offset = 0
        self._next_client_id = 1
        self._pending_writes: list[Connection] = []
        self._flush_scheduled = False
        self._tcp: dict[str, asyncio.AbstractServer] = {}
        """Bind address -> its listener on ``_tcp_port``."""
        self._tcp_port = 0
        self._unix: asyncio.AbstractServer | None = None
        self._cron: asyncio.TimerHandle | None = None
        self._stopped = asyncio.Event()
        self.shutting_down = False
        self._closing = False
        """Set once the components have drained: the cron stops, listeners close."""
        self.shutdown_flags: frozenset[str] = frozenset()
        self._unix_path = ""
        self.query_buffer_limit = config.get_int("client-query-buffer-limit")
        config.listeners.setdefault("client-query-buffer-limit", []).append(self._set_query_limit)
        self.info_providers.update(default_providers(self))
        self.pubsub = PubSub(self)
        self.blocking = BlockingQueues(self)
        bind_encoding_limits(config)

    def _expiry_while_paused(self, paused: bool) -> None:
        """No key expires while clients are paused; a master expires again after."""
        repl = self.replication
        self.databases.set_expire_enabled(not paused and (repl is None or repl.master is None))

    @property
    def configured_replica(self) -> bool:
        """A replica by ``replicaof`` or by the cluster's nodes.conf, link or not: what
        loading a file at start-up goes by (redis's ``iAmMaster()``)."""
        return bool(self.config.get_str("replicaof")) or self.cluster_replica

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
        else:
            self.rdb.load()
            history = self.rdb.loaded_history
            if history is not None and self.replication is not None:
                self.replication.resume_history(*history, replica=self.configured_replica)
        self.config.listeners.setdefault("appendonly", []).append(self._appendonly_changed)
        self.config.listeners.setdefault("dir", []).append(os.chdir)
        self.config.getters["dir"] = os.getcwd
        await self.listen()
        self.config.listeners.setdefault("port", []).append(self._relisten_port)
        self.config.listeners.setdefault("bind", []).append(self._relisten_bind)
        for component in self.components:
            await component.start(self)
        self._schedule_cron()
        if self._tcp:
            log.info("Ready to accept connections")
        await self._listen_unix()

    async def listen(self) -> None:
        """Listen on ``port`` at every ``bind`` address (:mod:`nodes.listen` rules);
        raises :class:`nodes.listen.ListenError` after logging redis's lines."""
        port = self.config.get_int("port")
        if not port:
            return
        try:
            sockets = open_socket_map(
                self.config.get_words("bind"), port, self.config.get_int("tcp-backlog")
            )
        except ListenError:
            log.warning("Failed listening on port %d (TCP), aborting.", port)
            raise
        self._tcp_port = port
        for address, sock in sockets.items():
            self._tcp[address] = await self.loop.create_server(lambda: Connection(self), sock=sock)

    async def _listen_unix(self) -> None:
        """``unixsocket``: also serve on a Unix socket (a stale file is replaced; mode
        ``unixsocketperm`` when not 0); the file is removed at shutdown."""
        path = self.config.get_str("unixsocket")
        if not path:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        try:
            srv = await self.loop.create_unix_server(
                lambda: Connection(self), path, backlog=self.config.get_int("tcp-backlog")
            )
            perm = self.config.get_int("unixsocketperm")
            if perm:
                os.chmod(path, perm)
        except OSError as exc:
            log.warning("Failed opening Unix socket: %s", exc.strerror or exc)
            raise ListenError(exc.errno or 0, exc.strerror or str(exc)) from None
        self._unix = srv
        self._unix_path = path
        log.info("The server is now ready to accept connections at %s", path)

    def _relisten_port(self, _value: str) -> None:
        self._relisten("Unable to listen on this port. Check server logs.")

    def _relisten_bind(self, _value: str) -> None:
        self._relisten("Failed to bind to specified addresses.")

    def _relisten(self, refusal: str) -> None:
        """CONFIG SET port / bind: listen on what is new (bound before this returns, so
        a refusal is the command's error), keep listeners that stay, close the rest."""
        port = self.config.get_int("port")
        bind = self.config.get_words("bind")
        wanted = {word.removeprefix("-") for word in bind} if port else set()
        keep = frozenset(set(self._tcp) & wanted) if port == self._tcp_port else frozenset()
        try:
            backlog = self.config.get_int("tcp-backlog")
            sockets = open_socket_map(bind, port, backlog, skip=keep) if port else {}
        except ListenError:
            raise ValueError(refusal) from None
        for address in [a for a in self._tcp if a not in keep]:
            self._tcp.pop(address).close()
        self._tcp_port = port
        for address, sock in sockets.items():
            task = self.loop.create_task(
                self.loop.create_server(lambda: Connection(self), sock=sock)
            )
            task.add_done_callback(functools.partial(self._listener_ready, address))

    def _listener_ready(self, address: str, task: asyncio.Task[asyncio.AbstractServer]) -> None:
        if not task.cancelled() and task.exception() is None:
            self._tcp[address] = task.result()

    def _attach_aof(self, aof: AppendOnlyFile) -> None:
        self.aof = aof
        self.propagation_listeners.append(aof.feed)
        self.before_reply.append(aof.flush)

    def _appendonly_changed(self, value: str) -> None:
        """CONFIG SET appendonly: start (writing the current dataset first) or stop."""
        if value == "yes" and self.aof is None:
            aof = AppendOnlyFile(self.config, self)
            aof.rewrite()
            self.propagation_db = -1  # the new file starts in db 0: SELECT before a write
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
        """Let the components drain (the server still serves meanwhile), then close
        listeners and clients, stop components, flush and close the AOF."""
        for component in self.components:
            with contextlib.suppress(Exception):
                await component.drain()
        self._closing = True
        if self._cron is not None:
            self._cron.cancel()
        for srv in [*self._tcp.values(), *([self._unix] if self._unix else [])]:
            srv.close()
        if self._unix_path:
            with contextlib.suppress(OSError):
                os.unlink(self._unix_path)
        for component in reversed(self.components):
            with contextlib.suppress(Exception):
                await component.stop()
        for conn in list(self.connections.values()):
            conn.close_now()
        if self.aof is not None:
            self.aof.close()
        self.rdb.cancel_bgsave()
        self._stopped.set()

    def request_shutdown(
        self, save: bool | None = None, flags: frozenset[str] = frozenset()
    ) -> bool:
        """Shut down soon (SIGTERM, SHUTDOWN): the event loop finishes the current work.
        ``save``: write dump.rdb first (None: when ``save`` points are set). False when
        that save failed: the server keeps running, as redis does. ``flags`` are
        SHUTDOWN's (``now``: do not wait for replicas; ``save``, ``nosave``, ``force``),
        kept in ``shutdown_flags`` for the components."""
        if self.shutting_down:
            return True
        if not self.rdb.save_on_shutdown(save):
            log.warning("Error trying to save the DB, can't exit.")
            return False
        self.shutting_down = True
        self.shutdown_flags = flags
        log.info("User requested shutdown...")
        self.loop.create_task(self.stop())
        return True

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
            lead = 1 if batch[0][0] == b"SELECT" else 0
            if len(batch) - lead > 1:
                batch = [*batch[:lead], [b"MULTI"], *batch[lead:], [b"EXEC"]]
        for listener in self.propagation_listeners:
            listener(batch)

    def _propagate_expired(self, db: int, key: bytes) -> None:
        self.propagate(db, [[b"DEL", key]])

    def propagate(self, db: int, argvs: list[list[bytes]]) -> None:
        """Queue writes done in database ``db`` (a ``SELECT`` first when the stream is
        in another database)."""
        pending = self.pending_propagation
        if not pending:
            self.batch_db = self.propagation_db
        if db != self.propagation_db:
            pending.append([b"SELECT", str(db).encode()])
            self.propagation_db = db
        pending.extend(argvs)

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
            for _, space in self.databases.live():
                space.active_expire()
            if self.pending_propagation:
                self.flush_propagation()
            if self.aof is not None:
                self.aof.cron()
            self.rdb.cron()
            timeout = self.config.get_int("timeout")
            if timeout > 0:
                now = self.clock_ms()
                for conn in list(self.connections.values()):
                    if conn.blocked is not None or conn.client.pubsub is not None:
                        continue  # redis never times out blocked clients or subscribers
                    if now - conn.client.last_interaction_ms > timeout * 1000:
                        conn.close_now()
        except Exception:
            log.exception("cron failed")
        if not self._closing:
            self._schedule_cron()
