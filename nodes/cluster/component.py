"""Cluster mode inside splitbrain-server: nodes.conf, the bus, the cron, the router.

:func:`install` (called before the server starts, so a bad nodes.conf stops the process
with one line) locks and loads nodes.conf, builds the engine and registers the
component, the per-command router (MOVED / CLUSTERDOWN / ASK) and the per-client
READONLY / ASKING flags.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nodes.client_pause import DURING_FAILOVER, WRITE, writes
from nodes.cluster import nodes_conf
from nodes.cluster.bootstrap import fresh_state, state_from_conf
from nodes.cluster.bus import AsyncioBus
from nodes.cluster.describe import endpoint
from nodes.cluster.engine import CRON_PERIOD_MS, ClusterEngine
from nodes.cluster.failover import Failover
from nodes.cluster.ports import ClusterConfig
from nodes.cluster.pubsub_bus import ClusterPubSub
from nodes.cluster.slots import iter_slots
from nodes.cluster.state import ClusterNode
from nodes.cluster.wire import ClusterHealth, NodeFlag
from nodes.disk import Disk
from nodes.listen import ListenError, open_sockets
from nodes.migration import routing as open_slots
from nodes.resp.values import Blocked, Error

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.resp.values import Reply
    from nodes.server import Server

log = logging.getLogger("splitbrain.cluster")

_DOWN = Error(b"CLUSTERDOWN The cluster is down")
_DOWN_RO = Error(b"CLUSTERDOWN The cluster is down and only accepts read commands")
_UNBOUND = Error(b"CLUSTERDOWN Hash slot not served")

_COMPONENTS: dict[int, ClusterComponent] = {}
_RUNTIME_OPTIONS = (
    "cluster-node-timeout",
    "cluster-require-full-coverage",
    "cluster-allow-reads-when-down",
    "cluster-allow-replica-migration",
    "cluster-replica-validity-factor",
    "cluster-migration-barrier",
    "cluster-replica-no-failover",
    "cluster-announce-ip",
    "cluster-announce-port",
    "cluster-announce-bus-port",
    "cluster-announce-hostname",
    "cluster-preferred-endpoint-type",
    "cluster-link-sendbuf-limit",
    "repl-ping-replica-period",
)


def component_of(server: Server) -> ClusterComponent | None:
    return _COMPONENTS.get(id(server))


@dataclass
class ServerClock:
    server: Server

    def now_ms(self) -> int:
        return self.server.clock_ms()


@dataclass
class FileStore:
    path: Path
    disk: Disk

    def save(self, content: str, *, fsync: bool) -> None:
        nodes_conf.save(self.path, content, self.disk, fsync=fsync)


def cluster_config(server: Server) -> ClusterConfig:
    cfg = server.config
    port = cfg.get_int("port")
    return ClusterConfig(
        port=port,
        cport=cfg.get_int("cluster-port") or port + 10000,
        node_timeout=cfg.get_int("cluster-node-timeout"),
        require_full_coverage=cfg.get_bool("cluster-require-full-coverage"),
        allow_reads_when_down=cfg.get_bool("cluster-allow-reads-when-down"),
        allow_replica_migration=cfg.get_bool("cluster-allow-replica-migration"),
        replica_validity_factor=cfg.get_int("cluster-replica-validity-factor"),
        migration_barrier=cfg.get_int("cluster-migration-barrier"),
        replica_no_failover=cfg.get_bool("cluster-replica-no-failover"),
        announce_ip=cfg.get_str("cluster-announce-ip"),
        announce_port=cfg.get_int("cluster-announce-port"),
        announce_bus_port=cfg.get_int("cluster-announce-bus-port"),
        announce_hostname=cfg.get_str("cluster-announce-hostname"),
        repl_ping_replica_period=cfg.get_int("repl-ping-replica-period"),
        preferred_endpoint=cfg.get_str("cluster-preferred-endpoint-type"),
        link_sendbuf_limit=cfg.get_int("cluster-link-sendbuf-limit"),
    )


@dataclass
class ClientFlags:
    readonly: bool = False


class ClusterComponent:
    """The cluster bus as a :class:`nodes.server.ServerComponent`."""

    def __init__(self, server: Server, rng: random.Random | None = None) -> None:
        self.server = server
        self.config = cluster_config(server)
        self.path = Path(server.config.get_str("cluster-config-file"))
        self.lock = nodes_conf.ConfigLock(self.path).acquire()
        try:
            conf = nodes_conf.load(self.path)
            now = server.clock_ms()
            rng = rng or random.Random(os.urandom(16))
            if conf is None:
                state = fresh_state(self.config, rng, now)
            else:
                state = state_from_conf(conf, self.config, self.path, now)
            self.bus = AsyncioBus(server.loop)
            self.engine = ClusterEngine(
                state=state,
                config=self.config,
                clock=ServerClock(server),
                rng=rng,
                transport=self.bus,
                store=FileStore(self.path, server.disk),
                listener=self,
            )
            self.bus.engine = self.engine
            self.failover = Failover(self.engine, self._data_age_ms)
            self.engine.failover = self.failover
            self.failover.on_pause_change = self._failover_pause
            repl = server.replication
            if repl is not None:
                # a replica loading its master's snapshot has no data to offer yet
                self.engine.repl_offset_source = lambda: 0 if server.loading else repl.offset
            self.engine.save_now(fsync=True)
            self.pubsub_bus = ClusterPubSub(server, self.engine)
            if state.myself.is_replica:
                self._replica_role(True)
        except BaseException:
            self.lock.release()
            raise
        if conf is None:
            log.info("No cluster configuration found, I'm %s", state.myself.node_id)
        else:
            log.info("Node configuration loaded, I'm %s", state.myself.node_id)
        self.clients: dict[int, ClientFlags] = {}
        self.asking: set[int] = set()
        """Clients whose ASKING is in force (until their next request ends outside MULTI)."""
        self._timer: asyncio.TimerHandle | None = None
        _COMPONENTS[id(server)] = self
        for option in _RUNTIME_OPTIONS:
            server.config.listeners.setdefault(option, []).append(self._config_changed)

    def _config_changed(self, _value: str) -> None:
        """CONFIG SET of a cluster option: the engine sees the new values at once."""
        config = cluster_config(self.server)
        self.config = config
        self.engine.config = config
        me = self.engine.myself
        if config.replica_no_failover:
            me.flags |= NodeFlag.NOFAILOVER
        else:
            me.flags &= ~NodeFlag.NOFAILOVER
        if config.announce_ip:
            me.ip = config.announce_ip
        me.port, me.cport = config.announced_port, config.announced_cport
        me.hostname = config.announce_hostname
        self.engine.mark_dirty(update=True)
        self.engine.after_command()

    # ---- ServerComponent --------------------------------------------------------------
    async def start(self, server: Server) -> None:
        cport = self.config.cport
        try:
            sockets = open_sockets(
                server.config.get_words("bind"), cport, server.config.get_int("tcp-backlog")
            )
        except ListenError:
            log.warning("Failed listening on port %d (cluster), aborting.", cport)
            raise
        await self.bus.listen(sockets)
        self._schedule()

    async def drain(self) -> None:
        """The bus keeps running while the server drains (peers must not see us fail)."""

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            await self.bus.aclose()
        finally:
            self.lock.release()
            _COMPONENTS.pop(id(self.server), None)

    def _schedule(self) -> None:
        self._timer = self.server.loop.call_later(CRON_PERIOD_MS / 1000, self._tick)

    def _tick(self) -> None:
        try:
            self.engine.cron()
            self._resume_replication()
            self.pubsub_bus.cron()
            if self.engine.iteration % 50 == 0:
                live = self.server.clients
                for cid in [c for c in self.clients if c not in live]:
                    del self.clients[cid]
                self.asking &= live.keys()
        except Exception:
            log.exception("cluster cron failed")
        finally:
            self._schedule()

    # ---- ClusterListener ----------------------------------------------------------------
    def _replica_role(self, replica: bool) -> None:
        """Whether we are a replica: a replica never expires keys itself (they read as
        missing until the master's DEL arrives) and keeps expired keys when it loads."""
        self.server.cluster_replica = replica
        self.server.databases.set_expire_enabled(not replica)

    def master_changed(self, master: ClusterNode | None) -> None:
        self._replica_role(master is not None)
        repl = self.server.replication
        if master is None:
            log.info("This node is a master again")
            if repl is not None:
                repl.become_master()
        else:
            log.info("This node is now a replica of %s", master.node_id)
            if repl is not None and master.ip and master.port:
                repl.follow(master.ip, master.port)

    def _data_age_ms(self) -> int:
        """Milliseconds since we last heard from our master over replication."""
        repl = self.server.replication
        now = self.server.clock_ms()
        link = repl.master if repl is not None else None
        if link is None:
            return now  # never replicated: as old as it gets
        if link.connected:
            return max(0, now - link.last_io_ms)
        return max(0, now - link.down_since_ms) if link.down_since_ms else now

    def _resume_replication(self) -> None:
        """A replica (after a restart, or once its master's address is known) follows it
        (Redis's cron: "replication is still turned off, enable it")."""
        repl = self.server.replication
        me = self.engine.myself
        master = me.master
        if repl is None or not me.is_replica or master is None or repl.is_replica:
            return
        if master.ip and master.port and not master.flags & NodeFlag.NOADDR:
            repl.follow(master.ip, master.port)

    def slots_lost(self, mask: int) -> None:
        """Delete the keys of slots that moved to another master; the DELs are propagated
        (AOF, replicas) as redis's ``delKeysInSlot`` does."""
        server = self.server
        keyspace = server.keyspace
        deleted = 0
        for slot in iter_slots(mask):
            for key in keyspace.keys_in_slot(slot, 1 << 62):
                if keyspace.delete(key):
                    server.pending_propagation.append([b"DEL", key])
                    deleted += 1
        if deleted:
            server.flush_propagation()
            log.info("Deleted %d keys from slots this node no longer owns", deleted)

    # ---- clients ------------------------------------------------------------------------
    def flags_of(self, client_id: int) -> ClientFlags:
        flags = self.clients.get(client_id)
        if flags is None:
            flags = self.clients[client_id] = ClientFlags()
        return flags

    def after_command(self, ctx: CommandContext, argv: list[bytes]) -> None:
        """Redis's ``resetClient``: ASKING lasts for the next request only, or until EXEC
        when that request opened (or was queued in) a transaction."""
        asking = self.asking
        if (
            asking
            and ctx.client.multi is None
            and ctx.client.id in asking
            and (len(argv) != 1 or argv[0].lower() != b"asking")
        ):
            asking.discard(ctx.client.id)

    def route(
        self, ctx: CommandContext, cmd: Command, argv: list[bytes], keys: list[bytes], slot: int
    ) -> Reply | Blocked | None:
        """Redis's ``getNodeByQuery`` for one command's keys (all in ``slot``)."""
        state = self.engine.state
        flags = self.clients.get(ctx.client.id)
        asking = ctx.client.id in self.asking
        owner = state.owners[slot]
        if owner is None:
            return _UNBOUND
        if cmd.name == "exec":
            is_write = any(writes(ctx, c, a) for c, a in ctx.client.multi or ())
        else:
            is_write = writes(ctx, cmd, argv)  # a script by its shebang's flags
        shard_pubsub = "pubsub" in cmd.flags
        if state.health is not ClusterHealth.OK:
            if shard_pubsub:
                if not self.server.config.get_bool("cluster-allow-pubsubshard-when-down"):
                    return _DOWN
            elif not self.config.allow_reads_when_down:
                return _DOWN
            elif is_write:
                return _DOWN_RO
        me = state.myself
        if owner is me:
            target = state.migrating_to.get(slot)
            if target is None or shard_pubsub:
                return None  # shard channels stay here until the slot has moved
            where = endpoint(target, self.config.preferred_endpoint)
            keyspace = self.server.keyspace
            return open_slots.on_migrating(keyspace, cmd, keys, slot, f"{where}:{target.port}")
        if slot in state.importing_from and (
            asking or "asking" in cmd.flags or cmd.name == "migrate"
        ):
            return open_slots.on_importing(self.server.keyspace, cmd, keys)
        if (
            (shard_pubsub or (flags is not None and flags.readonly))
            and not is_write
            and me.is_replica
            and me.master is owner
        ):
            return None
        where = endpoint(owner, self.config.preferred_endpoint)
        return Error(f"MOVED {slot} {where}:{owner.port}".encode())

    def _failover_pause(self, paused: bool) -> None:
        """A manual failover on this master holds writes until it ends (redis pauses
        clients for it as CLIENT PAUSE WRITE does; held writes run again afterwards and
        get ``-MOVED`` if the replica took over)."""
        pause = self.server.client_pause
        if paused:
            pause.pause(WRITE, None, self.server.clock_ms(), DURING_FAILOVER)
        else:
            pause.unpause(DURING_FAILOVER)


def install(server: Server) -> ClusterComponent:
    """Turn cluster mode on for ``server`` (raises :class:`NodesConfError` for a bad or
    locked nodes.conf)."""
    component = ClusterComponent(server)
    server.components.append(component)
    server.router = component.route
    server.after_command = component.after_command
    return component
