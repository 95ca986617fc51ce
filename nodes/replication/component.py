"""The replication component: ids, offsets, the backlog, the role, and the stream feed.

One :class:`Replication` per server (``server.replication``). It is a master until
:meth:`Replication.follow` is called, and a master again after
:meth:`Replication.become_master`. The master-side work (PSYNC, replica links, ACKs,
WAIT) lives in :mod:`nodes.replication.primary`; the replica-side link in
:mod:`nodes.replication.replica`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from pathlib import Path
from typing import TYPE_CHECKING

from nodes.aof import encode_command
from nodes.blocking import UNBLOCKED_ROLE
from nodes.replication.backlog import Backlog
from nodes.replication.failover import NO_FAILOVER, CoordinatedFailover
from nodes.replication.primary import Primary
from nodes.replication.replica import MasterLink
from nodes.replication.shutdown import wait_for_replicas
from nodes.resp.values import Error, Reply

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.commands.registry import Command
    from nodes.server import Server

log = logging.getLogger("splitbrain.replication")

NO_ID = "0" * 40
_SELECT0 = encode_command([b"SELECT", b"0"])
_READONLY = Error(b"READONLY You can't write against a read only replica.")
_NOREPLICAS = Error(b"NOREPLICAS Not enough good replicas to write.")
_MASTERDOWN = Error(
    b"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
)


class Replication:
    """Replication state of one server, and its :class:`ServerComponent` lifecycle."""

    def __init__(self, server: Server, rng: random.Random) -> None:
        self.server = server
        self.config = server.config
        self.rng = rng
        self.replid = self.new_replid()
        self.replid2 = NO_ID
        self.second_repl_offset = -1
        self.backlog: Backlog | None = None
        self.need_select = True
        """Emit ``SELECT 0`` before the next propagated write (stream start, new history)."""
        self.primary = Primary(self)
        self.failover = CoordinatedFailover(self)
        """FAILOVER's state (:mod:`nodes.replication.failover`)."""
        self.master: MasterLink | None = None
        self.applying = False
        """True while the master's stream is applied (our own propagation is then off)."""
        self._cron: asyncio.Task[None] | None = None
        self._since_ping = 0
        server.propagation_listeners.append(self._on_propagate)
        server.info_providers["replication"] = self.info
        listeners = self.config.listeners
        for name in (
            "min-replicas-to-write",
            "min-replicas-max-lag",
            "replica-read-only",
            "replica-serve-stale-data",
        ):
            listeners.setdefault(name, []).append(lambda _v: self._update_gate())
        listeners.setdefault("repl-backlog-size", []).append(self._resize_backlog)
        self.config.getters["replicaof"] = self._replicaof

    def _replicaof(self) -> str:
        """CONFIG GET / REWRITE replicaof: the master being followed now, as redis."""
        master = self.master
        return f"{master.host} {master.port}" if master is not None else ""

    # ---- ids and offsets -------------------------------------------------------------
    def new_replid(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    @property
    def offset(self) -> int:
        """``master_repl_offset``: bytes of stream produced (master) or processed (replica)."""
        return self.backlog.offset if self.backlog is not None else self.server.master_repl_offset

    @property
    def is_replica(self) -> bool:
        return self.master is not None

    def ensure_backlog(self, offset: int | None = None) -> Backlog:
        if self.backlog is None:
            start = self.server.master_repl_offset if offset is None else offset
            self.backlog = Backlog(self.config.get_int("repl-backlog-size"), start)
            self.need_select = True
        return self.backlog

    def reset_history(self, replid: str, offset: int) -> None:
        """A new history (full sync): ``replid`` at ``offset``, no second id, empty backlog."""
        self.replid = replid
        self.replid2 = NO_ID
        self.second_repl_offset = -1
        self.backlog = Backlog(self.config.get_int("repl-backlog-size"), offset)
        self.server.master_repl_offset = offset
        self.need_select = True

    def history_for_rdb(self) -> tuple[str, int] | None:
        """The id and offset an RDB file records (None when we are in no replication
        chain: no backlog), so that a restart can continue the history partially."""
        return None if self.backlog is None else (self.replid, self.offset)

    def resume_history(self, replid: str, offset: int, *, replica: bool) -> None:
        """After loading an RDB file saved at ``replid``/``offset`` (redis's
        ``loadDataFromDisk``): a replica takes them as its own, to offer its master a
        partial resync; a master keeps them as its second id, so its former replicas
        can continue partially from it."""
        if replica:
            self.reset_history(replid, offset)
        else:
            self.replid2 = replid
            self.second_repl_offset = offset + 1
            self.backlog = Backlog(self.config.get_int("repl-backlog-size"), offset)
            self.server.master_repl_offset = offset
            self.need_select = True
        log.info("Using replication id %s and offset %d from the RDB file", replid, offset)

    def change_ids(self) -> None:
        """DEBUG CHANGE-REPL-ID: a new replication id, and no second one."""
        self.replid = self.new_replid()
        self.replid2 = NO_ID
        self.second_repl_offset = -1

    def shift_replid(self, new_id: str) -> None:
        """Keep the current id as the second one, valid up to the current offset."""
        self.replid2 = self.replid
        self.second_repl_offset = self.offset + 1
        self.replid = new_id
        log.info(
            "Setting secondary replication ID to %s, valid up to offset: %d. "
            "New replication ID is %s",
            self.replid2,
            self.second_repl_offset,
            self.replid,
        )

    def _resize_backlog(self, value: str) -> None:
        if self.backlog is not None:
            self.backlog.resize(self.config.get_int("repl-backlog-size"))

    # ---- the stream ------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Append stream bytes to the backlog and send them to every replica link."""
        backlog = self.backlog
        if backlog is None:
            return
        backlog.append(data)
        self.server.master_repl_offset = backlog.offset
        self.primary.send_to_links(data)

    def _on_propagate(self, batch: list[list[bytes]]) -> None:
        if self.backlog is None or self.master is not None:
            return  # no replica ever attached, or local writes of a writable replica
        if self.need_select:
            self.need_select = False
            db = max(0, self.server.batch_db)
            select = _SELECT0 if db == 0 else encode_command([b"SELECT", str(db).encode()])
            data = select + b"".join(encode_command(argv) for argv in batch)
        else:
            data = b"".join(encode_command(argv) for argv in batch)
        self.feed(data)

    def feed_command(self, argv: list[bytes]) -> None:
        """Send a command of our own into the stream (PING, REPLCONF GETACK)."""
        if self.backlog is not None:
            self.feed(encode_command(argv))

    # ---- roles: the API the cluster code calls ---------------------------------------
    def follow(self, host: str, port: int) -> None:
        """Become (or stay) a replica of ``host:port``: drop the current master link,
        disconnect our replicas (they reconnect and learn the new history), unblock WAIT
        clients, and start the handshake in the background. Offers our own id and offset
        to the new master so that a partial resync is possible."""
        if self.master is not None:
            if (self.master.host, self.master.port) == (host, port):
                return
            self.master.close()
        log.info("Connecting to MASTER %s:%d", host, port)
        self.primary.disconnect_links()
        self.primary.unblock_waiters(
            b"UNBLOCKED force unblock from blocking operation, "
            b"instance state changed (master -> replica?)"
        )
        self.server.blocking.unblock_all(UNBLOCKED_ROLE, close=True)
        self.server.databases.set_expire_enabled(False)
        self.master = MasterLink(self, host, port)
        self.master.start()
        self._update_gate()

    def become_master(self) -> None:
        """Stop following (REPLICAOF NO ONE, failover): a new replication id, the old one
        kept as ``master_replid2`` up to the current offset so replicas of the same history
        continue partially; our replicas are disconnected so they learn the new id."""
        if self.master is None:
            return
        self.master.close()
        self.master = None
        self.ensure_backlog()
        self.shift_replid(self.new_replid())
        self.need_select = True
        self.primary.disconnect_links()
        self.server.databases.set_expire_enabled(True)
        self._update_gate()
        log.info("MASTER MODE enabled")

    # ---- the write gate --------------------------------------------------------------
    def _update_gate(self) -> None:
        needed = (self.master is not None and self.config.get_bool("replica-read-only")) or (
            self.config.get_int("min-replicas-to-write") > 0
            and self.config.get_int("min-replicas-max-lag") > 0
        )
        self.server.write_gate = self._gate if needed else None
        stale_no = self.master is not None and not self.config.get_bool("replica-serve-stale-data")
        self.server.stale_gate = self._stale_gate if stale_no else None

    def _stale_gate(self, ctx: CommandContext, cmd: Command) -> Reply | None:
        """``replica-serve-stale-data no``: refuse while the master link is not up."""
        master = self.master
        if master is not None and not master.connected:
            return _MASTERDOWN
        return None

    def _gate(self, ctx: CommandContext, cmd: Command) -> Reply | None:
        if not cmd.is_write:  # EXEC: refused only when it would run a write
            queued = ctx.client.multi
            if not queued or not any(c.is_write for c, _ in queued):
                return None
        if self.master is not None:
            return _READONLY if self.config.get_bool("replica-read-only") else None
        wanted = self.config.get_int("min-replicas-to-write")
        lag = self.config.get_int("min-replicas-max-lag")
        if wanted and lag and self.primary.good_replicas(lag) < wanted:
            return _NOREPLICAS
        return None

    # ---- INFO ------------------------------------------------------------------------
    def info(self) -> list[tuple[str, object]]:
        from nodes.replication.report import info_section  # noqa: PLC0415  (cycle)

        return info_section(self)

    # ---- persistence across a clean restart (with the AOF) ---------------------------
    def _state_path(self) -> Path:
        return Path(self.config.get_str("appendfilename") + ".replid")

    def _save_state(self) -> None:
        """On a clean shutdown with the AOF on: remember id and offset, so after a restart
        the AOF's dataset can continue partially (redis keeps these in its RDB)."""
        aof = self.server.aof
        if aof is None or self.backlog is None:
            return
        aof.flush()
        if aof.fd >= 0:  # the id and offset must never be newer than the AOF on disk
            aof.disk.fsync(aof.fd)
        text = f"{self.replid} {self.offset}\n".encode()
        path = self._state_path()
        aof.disk.write_atomically(path, path.with_name(path.name + ".tmp"), lambda f: f.write(text))

    def _load_state(self) -> None:
        path = self._state_path()
        if self.server.aof is None or not path.exists():
            return
        try:
            replid, offset = path.read_text().split()
            start = int(offset)
        except (OSError, ValueError):
            log.warning("Ignoring unreadable replication state %s", path)
            return
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
        self.reset_history(replid, start)
        log.info("Using replication id %s and offset %d from %s", replid, start, path)

    # ---- ServerComponent -------------------------------------------------------------
    async def start(self, server: Server) -> None:
        self._load_state()
        words = self.config.get_str("replicaof").split()
        if len(words) == 2 and not server.cluster_enabled:
            self.follow(words[0], int(words[1]))
        self._update_gate()
        self._cron = server.loop.create_task(self._run_cron())

    async def drain(self) -> None:
        try:
            await wait_for_replicas(self)
        except Exception:
            log.exception("waiting for replicas at shutdown failed")

    async def stop(self) -> None:
        if self._cron is not None:
            self._cron.cancel()
            with contextlib.suppress(BaseException):
                await self._cron
        if self.master is not None:
            await self.master.aclose()
        try:
            self._save_state()
        except OSError as exc:
            log.warning("Could not save the replication state: %s", exc)

    async def _run_cron(self) -> None:
        """Once a second: ACK to our master; PING our replicas every repl-ping-replica-period."""
        while True:
            await asyncio.sleep(1.0)
            try:
                if self.master is not None:
                    self.master.send_ack()
                self.failover.check()
                self.primary.prune()
                self._since_ping += 1
                if self._since_ping >= self.config.get_int("repl-ping-replica-period"):
                    self._since_ping = 0
                    # not while FAILOVER waits: a PING would move the offset to match
                    failing_over = self.failover.state != NO_FAILOVER
                    if self.master is None and self.primary.links and not failing_over:
                        self.feed_command([b"PING"])
            except Exception:
                log.exception("replication cron failed")


def install(server: Server, rng: random.Random | None = None) -> Replication:
    """Create the component, attach it as ``server.replication`` and to the components."""
    repl = Replication(server, rng or random.Random(os.urandom(16)))
    server.replication = repl
    server.components.append(repl)
    return repl
