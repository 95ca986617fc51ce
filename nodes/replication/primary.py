"""The master side: PSYNC/SYNC, replica links, REPLCONF ACK, GETACK, WAIT and the count
of good replicas (min-replicas-to-write).

A replica link is an ordinary client connection that sent PSYNC: from then on the
stream is appended to its output buffer, and what it sends (REPLCONF ACK) goes through
the normal dispatcher without a reply.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nodes.client import REPLICA_FLAGS
from nodes.replication.failover import NO_FAILOVER
from nodes.replication.rdb import encode_rdb
from nodes.resp.values import Blocked, Error, Raw, Reply

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext
    from nodes.connection import Connection
    from nodes.replication.component import Replication

log = logging.getLogger("splitbrain.replication")

NO_REPLY = Raw(b"")


@dataclass(eq=False, slots=True)
class ReplicaLink:
    """One attached replica (a ``slaveN:`` line of INFO)."""

    conn: Connection
    ip: str
    port: int
    ack_offset: int = 0
    ack_ms: int = 0
    soft_since_ms: int = 0
    """When the unsent output first went over the soft limit (0: it is under)."""
    held: list[bytes] | None = None
    """The stream written since a diskless snapshot started: it goes out at the replica's
    first REPLCONF ACK after the snapshot (redis's repl_start_cmd_stream_on_ack: a replica
    reads to the ``$EOF:`` mark and checks the last bytes of each read against it, so
    nothing may follow the mark in the same read). None once it streams."""
    bulk_sent: bool = False
    """The snapshot is all written: the replica is ``online``, its stream still held."""

    @property
    def state(self) -> str:
        """The ``state=`` of INFO's ``slaveN`` line."""
        return "send_bulk" if self.held is not None and not self.bulk_sent else "online"


@dataclass(eq=False, slots=True)
class Waiter:
    """A client blocked in WAIT until ``wanted`` replicas acked ``woff``."""

    woff: int
    wanted: int
    future: asyncio.Future[Reply]
    timer: asyncio.TimerHandle | None = None


@dataclass(slots=True)
class Handshake:
    """What a client said with REPLCONF before PSYNC."""

    port: int = 0
    ip: str = ""
    eof: bool = False
    """``capa eof``: it reads a diskless (``$EOF:<mark>``) snapshot."""


class Primary:
    def __init__(self, repl: Replication) -> None:
        self.repl = repl
        self.server = repl.server
        self.links: dict[int, ReplicaLink] = {}
        """Client id -> link, in attach order."""
        self.handshakes: dict[int, Handshake] = {}
        self.waiters: list[Waiter] = []
        self._dirty: set[ReplicaLink] = set()
        self._flush_scheduled = False
        self._getack_scheduled = False
        self.sync_full = 0
        self.sync_partial_ok = 0
        self.sync_partial_err = 0
        self._transfers: set[asyncio.Task[None]] = set()

    # ---- links -----------------------------------------------------------------------
    def send_to_links(self, data: bytes) -> None:
        if not self.links:
            return
        for link in self.links.values():
            if link.held is not None:
                link.held.append(data)
            elif not link.conn.closed:
                link.conn.out.append(data)
                self._dirty.add(link)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.server.loop.call_soon(self._flush_links)

    def _flush_links(self) -> None:
        self._flush_scheduled = False
        dirty = self._dirty
        self._dirty = set()
        for link in dirty:
            if link.conn.closed:
                continue
            link.conn.flush_output()
            self._check_output_limit(link)

    def _check_output_limit(self, link: ReplicaLink) -> None:
        """``client-output-buffer-limit replica``: a replica that cannot keep up is
        dropped (it will resync), as redis does."""
        transport = link.conn.transport
        if transport is None:
            return
        pending = transport.get_write_buffer_size()
        hard, soft, seconds = self.server.config.output_limit("slave")
        now = self.server.clock_ms()
        if soft and pending > soft:
            if not link.soft_since_ms:
                link.soft_since_ms = now
        else:
            link.soft_since_ms = 0
        if (hard and pending > hard) or (
            link.soft_since_ms and now - link.soft_since_ms > seconds * 1000
        ):
            log.warning(
                "Client %s:%d (replica) scheduled to be closed ASAP for overcoming of output "
                "buffer limits.",
                link.ip,
                link.port,
            )
            link.conn.close_now()

    def _no_backpressure(self, conn: Connection) -> None:
        """Keep reading a replica's ACKs however full its send buffer gets (a normal
        client's reading pauses then); the output limit above bounds the memory."""
        transport = conn.transport
        if transport is not None:
            transport.set_write_buffer_limits(high=1 << 30)  # uvloop: a C int
            transport.resume_reading()

    def prune(self) -> None:
        """Forget links whose connection closed; drop replicas silent for repl-timeout."""
        limit_ms = self.server.config.get_int("repl-timeout") * 1000
        now = self.server.clock_ms()
        for link in self.links.values():
            if link.state == "online" and not link.conn.closed and now - link.ack_ms > limit_ms:
                log.warning("Disconnecting timedout replica (streaming sync): %s", link.ip)
                link.conn.close_now()
        for cid in [cid for cid, link in self.links.items() if link.conn.closed]:
            link = self.links.pop(cid)
            log.info("Connection with replica %s:%d lost.", link.ip, link.port)
        for cid in [cid for cid in self.handshakes if cid not in self.server.clients]:
            del self.handshakes[cid]

    def live_links(self) -> list[ReplicaLink]:
        self.prune()
        return list(self.links.values())

    def disconnect_links(self) -> None:
        for link in list(self.links.values()):
            link.conn.close_now()
        self.links.clear()

    def good_replicas(self, max_lag_s: int) -> int:
        now = self.server.clock_ms()
        return sum(
            1
            for link in self.links.values()
            if link.state == "online"
            and not link.conn.closed
            and (now - link.ack_ms) // 1000 <= max_lag_s
        )

    # ---- REPLCONF --------------------------------------------------------------------
    def replconf(self, ctx: CommandContext, argv: list[bytes]) -> Reply:
        """REPLCONF option value [option value ...] (arity already checked even)."""
        cid = ctx.client.id
        for i in range(1, len(argv), 2):
            option = argv[i].lower()
            value = argv[i + 1]
            if option == b"ack":
                link = self.links.get(cid)
                if link is not None:
                    if link.held is not None and link.bulk_sent:
                        self._start_stream(link)
                    offset = int(value) if value.lstrip(b"-").isdigit() else 0
                    link.ack_offset = max(link.ack_offset, offset)
                    link.ack_ms = self.server.clock_ms()
                    self.check_waiters()
                    self.repl.failover.acked()
                return NO_REPLY
            if option == b"getack":
                if self.repl.master is not None:
                    self.repl.master.send_ack()
                return NO_REPLY
            if option == b"listening-port":
                if not value.isdigit() or int(value) > 65535:
                    return Error(b"ERR value is not an integer or out of range")
                self.handshakes.setdefault(cid, Handshake()).port = int(value)
            elif option == b"ip-address":
                self.handshakes.setdefault(cid, Handshake()).ip = value.decode(errors="replace")
            elif option == b"capa":
                if value.lower() == b"eof":
                    self.handshakes.setdefault(cid, Handshake()).eof = True
            elif option in (b"rdb-only", b"rdb-filter-only"):
                pass
            else:
                text = b"ERR Unrecognized REPLCONF option: " + argv[i]
                return Error(text)
        return Raw(b"+OK\r\n")

    # ---- PSYNC / SYNC ----------------------------------------------------------------
    def psync(self, ctx: CommandContext, argv: list[bytes]) -> Reply:
        """PSYNC replid offset (or SYNC): +CONTINUE and the backlog tail when our history
        has their position, else +FULLRESYNC and a snapshot."""
        repl = self.repl
        client = ctx.client
        if client.id in self.links:
            return NO_REPLY
        if len(argv) > 3 and argv[0].lower() == b"psync" and argv[3].lower() == b"failover":
            refused = self._failover_request(ctx, argv[1])
            if refused is not None:
                return refused
        if repl.failover.state != NO_FAILOVER:
            return Error(b"NOMASTERLINK Can't SYNC while failing over")
        if repl.master is not None and not repl.master.connected:
            return Error(b"NOMASTERLINK Can't SYNC while not connected with my master")
        conn = self.server.connections.get(client.id)
        if conn is None:
            return NO_REPLY
        hs = self.handshakes.pop(client.id, Handshake())
        ip = hs.ip or client.addr.rsplit(":", 1)[0]
        link = ReplicaLink(conn, ip, hs.port, ack_ms=self.server.clock_ms())
        client.flags = REPLICA_FLAGS
        self._no_backpressure(conn)
        is_psync = argv[0].lower() == b"psync"
        if is_psync:
            wanted_id = argv[1].decode(errors="replace")
            try:
                psync_offset = int(argv[2])
            except ValueError:
                psync_offset = -1
            tail = self._partial(wanted_id, psync_offset)
            if tail is not None:
                self.sync_partial_ok += 1
                self.links[client.id] = link
                log.info(
                    "Partial resynchronization request from %s:%d accepted. Sending %d bytes "
                    "of backlog starting from offset %d.",
                    ip,
                    hs.port,
                    len(tail),
                    psync_offset,
                )
                return Raw(b"+CONTINUE " + repl.replid.encode() + b"\r\n" + tail)
            if wanted_id != "?":
                self.sync_partial_err += 1
        self.sync_full += 1
        if repl.backlog is None:
            # A backlog created from scratch starts a new history, as in redis.
            repl.replid = repl.new_replid()
            repl.replid2 = "0" * 40
            repl.second_repl_offset = -1
            repl.ensure_backlog()
            log.info("Replication backlog created, my new replication IDs are '%s'", repl.replid)
        repl.need_select = True
        offset = repl.offset
        payload = encode_rdb(self.server.databases, repl.replid, offset, self.server.clock_ms())
        self.links[client.id] = link
        log.info(
            "Full resync requested by replica %s:%d; starting a snapshot of %d bytes at offset %d",
            ip,
            hs.port,
            len(payload),
            offset,
        )
        head = b"+FULLRESYNC %s %d\r\n" % (repl.replid.encode(), offset) if is_psync else b""
        config = self.server.config
        if not (hs.eof and config.get_bool("repl-diskless-sync")):
            return Raw(head + b"$%d\r\n" % len(payload) + payload)
        mark = b"%040x" % self.repl.rng.getrandbits(160)
        head += b"$EOF:" + mark + b"\r\n"
        link.held = []
        delay_us = config.get_int("rdb-key-save-delay")
        if delay_us == 0:
            self._bulk_sent(link)
            return Raw(head + payload + mark)
        keys = len(self.server.keyspace)
        task = self.server.loop.create_task(self._send_paced(link, payload + mark, keys, delay_us))
        self._transfers.add(task)
        task.add_done_callback(self._transfers.discard)
        return Raw(head)

    def _failover_request(self, ctx: CommandContext, replid: bytes) -> Reply | None:
        """``PSYNC <replid> <offset> FAILOVER`` from our master (its FAILOVER to us): turn
        master when the id is ours, then answer the PSYNC; else redis's refusal."""
        repl = self.repl
        log.info("Failover request received for replid %s.", replid.decode(errors="replace"))
        if repl.master is None:
            return Error(b"ERR PSYNC FAILOVER can't be sent to a master.")
        if replid.decode(errors="replace").lower() != repl.replid:
            return Error(b"ERR PSYNC FAILOVER replid must match my replid.")
        repl.become_master()
        log.info("MASTER MODE enabled (failover request from '%s')", ctx.client.addr)
        return None

    async def _send_paced(
        self, link: ReplicaLink, payload: bytes, keys: int, delay_us: int
    ) -> None:
        """A diskless snapshot sent at redis's ``rdb-key-save-delay`` pace (µs a key, a
        negative value 1 µs every that many keys); the stream waits for the replica's ACK."""
        per_key_us = delay_us if delay_us > 0 else 1 / -delay_us
        keys_per_step = max(1, min(keys, int(10_000 / per_key_us)))  # about 10 ms a step
        steps = max(1, -(-keys // keys_per_step))
        size = -(-len(payload) // steps)
        conn = link.conn
        for start in range(0, len(payload), size):
            if conn.closed:
                return
            conn.out.append(payload[start : start + size])
            conn.flush_output()
            await asyncio.sleep(keys_per_step * per_key_us / 1_000_000)
        if conn.closed:
            return
        self._bulk_sent(link)

    def _bulk_sent(self, link: ReplicaLink) -> None:
        """A diskless snapshot is all written: the replica is online, repl-timeout counts
        from now, and its stream waits for its ACK (:meth:`_start_stream`)."""
        link.bulk_sent = True
        link.ack_ms = self.server.clock_ms()
        log.info(
            "Streamed RDB transfer with replica %s:%d succeeded (socket). Waiting for "
            "REPLCONF ACK from replica to enable streaming",
            link.ip,
            link.port,
        )

    def _start_stream(self, link: ReplicaLink) -> None:
        """The replica's first ACK after its diskless snapshot: send what was held."""
        held, link.held = link.held or [], None
        if not link.conn.closed:
            link.conn.out.extend(held)
            link.conn.flush_output()
        log.info("Synchronization with replica %s:%d succeeded", link.ip, link.port)

    def _partial(self, wanted_id: str, psync_offset: int) -> bytes | None:
        repl = self.repl
        backlog = repl.backlog
        if backlog is None or psync_offset < 0:
            return None
        if wanted_id != repl.replid and (
            wanted_id != repl.replid2 or psync_offset > repl.second_repl_offset
        ):
            return None
        if not backlog.can_serve(psync_offset):
            return None
        return backlog.tail_from(psync_offset)

    # ---- WAIT ------------------------------------------------------------------------
    def count_acks(self, woff: int) -> int:
        return sum(
            1 for link in self.links.values() if not link.conn.closed and link.ack_offset >= woff
        )

    def wait(self, ctx: CommandContext, wanted: int, timeout_ms: int) -> Reply | Blocked:
        woff = ctx.client.woff
        acked = self.count_acks(woff)
        if acked >= wanted or ctx.client.multi is not None or ctx.in_exec:
            return acked
        loop = self.server.loop
        waiter = Waiter(woff, wanted, loop.create_future())
        if timeout_ms > 0:
            waiter.timer = loop.call_later(timeout_ms / 1000, self._time_out, waiter)
        self.waiters.append(waiter)
        self.request_acks()
        return Blocked(waiter.future)

    def request_acks(self) -> None:
        """Send ``REPLCONF GETACK *`` down the stream once, at the end of this iteration."""
        if not self._getack_scheduled:
            self._getack_scheduled = True
            self.server.loop.call_soon(self._send_getack)

    def _send_getack(self) -> None:
        self._getack_scheduled = False
        if self.repl.master is None and self.repl.failover.state == NO_FAILOVER:
            self.repl.feed_command([b"REPLCONF", b"GETACK", b"*"])

    def _time_out(self, waiter: Waiter) -> None:
        if waiter in self.waiters:
            self.waiters.remove(waiter)
        if not waiter.future.done():
            waiter.future.set_result(self.count_acks(waiter.woff))

    def check_waiters(self) -> None:
        if not self.waiters:
            return
        still: list[Waiter] = []
        for waiter in self.waiters:
            if waiter.future.done():
                if waiter.timer is not None:
                    waiter.timer.cancel()
                continue
            acked = self.count_acks(waiter.woff)
            if acked >= waiter.wanted:
                if waiter.timer is not None:
                    waiter.timer.cancel()
                waiter.future.set_result(acked)
            else:
                still.append(waiter)
        self.waiters = still

    def unblock_waiters(self, text: bytes) -> None:
        for waiter in self.waiters:
            if waiter.timer is not None:
                waiter.timer.cancel()
            if not waiter.future.done():
                waiter.future.set_result(Error(text))
        self.waiters = []
