"""The replica side: the link to our master (handshake, PSYNC, snapshot load, stream).

The link runs as one asyncio task: connect, ``PING``, ``REPLCONF listening-port``,
``REPLCONF capa eof capa psync2``, ``PSYNC <replid> <offset+1>`` (``PSYNC ? -1`` when
we have no history), then either load a snapshot (``+FULLRESYNC``) or continue
(``+CONTINUE``), then apply the stream through the command table without replying.
A broken link is retried with a backoff of 100 ms doubling to 1 s, as long as we follow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from nodes.aof import encode_command
from nodes.client import MASTER_FLAGS, Client
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import call, resolve
from nodes.commands.registry import Command
from nodes.replication.rdb import RdbError, load_rdb, load_rdb_paced
from nodes.replication.stream import StreamError, StreamParser

if TYPE_CHECKING:
    from nodes.replication.component import Replication

log = logging.getLogger("splitbrain.replication")


def _never() -> int:
    return 0


class LinkError(Exception):
    """The master answered something we cannot go on with."""


class MasterLink:
    """Following ``host:port``. ``state`` is what ROLE shows: connect, connecting,
    handshake, sync, connected."""

    def __init__(self, repl: Replication, host: str, port: int) -> None:
        self.repl = repl
        self.server = repl.server
        self.host = host
        self.port = port
        self.state = "connect"
        self.last_io_ms = 0
        self.down_since_ms = 0
        """When the link last went down (epoch ms); 0 while it never was up."""
        self.read_offset = repl.offset
        self.full_syncs = 0
        self.partial_syncs = 0
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        client = Client(
            id=self.server.new_client_id(),
            addr=f"{host}:{port}",
            laddr="",
            fd=-1,
            created_ms=self.server.clock_ms(),
            flags=MASTER_FLAGS,
        )
        self._ctx = CommandContext(self.server, client)
        self._multi: list[list[bytes]] | None = None

    @property
    def connected(self) -> bool:
        return self.state == "connected"

    @property
    def closing(self) -> bool:
        return self._closing

    def start(self) -> None:
        self._task = self.server.loop.create_task(self._run())

    def close(self) -> None:
        """Stop following now (the task ends in the background)."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
        self._drop_writer()

    async def aclose(self) -> None:
        self.close()
        if self._task is not None:
            with contextlib.suppress(BaseException):
                await self._task

    @property
    def client(self) -> Client:
        """The link's client as CLIENT LIST / CLIENT KILL see it (type master)."""
        return self._ctx.client

    def drop_connection(self) -> None:
        """CLIENT KILL of the master link: close the connection now (the link is down from
        this moment, as redis's ``repl_down_since``, even if the loop is busy until the
        session notices); the link reconnects."""
        if self.state == "connected":
            self.down_since_ms = self.server.clock_ms()
        self.state = "connect"
        self._drop_writer()

    def _drop_writer(self) -> None:
        if self._writer is not None:
            self._writer.transport.abort()
            self._writer = None

    def send_ack(self) -> None:
        if self._writer is not None and self.connected:
            ack = [b"REPLCONF", b"ACK", str(self.repl.offset).encode()]
            self._writer.write(encode_command(ack))

    # ---- the task --------------------------------------------------------------------
    async def _run(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except (OSError, EOFError, asyncio.IncompleteReadError, LinkError) as exc:
                if self.state == "connected":
                    log.warning("Connection with master lost: %s", exc or type(exc).__name__)
                    delay = 0.1
                else:
                    log.info("Master %s:%d: %s", self.host, self.port, exc or type(exc).__name__)
            except Exception:
                log.exception("replication link failed")
            finally:
                self._drop_writer()
                if self.state == "connected":
                    self.down_since_ms = self.server.clock_ms()
                self.state = "connect"
            if self.closing:
                return
            await asyncio.sleep(delay)
            delay = min(1.0, delay * 2)

    async def _session(self) -> None:
        self.state = "connecting"
        timeout = self.server.config.get_int("repl-timeout")
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), timeout
        )
        self._writer = writer
        self.state = "handshake"
        masterauth = self.server.config.get_str("masterauth")
        if masterauth:
            await self._command(reader, writer, [b"AUTH", masterauth.encode()], timeout)
        reply = await self._command(reader, writer, [b"PING"], timeout)
        if reply.startswith(b"-") and not reply.startswith(b"-NOAUTH"):
            raise LinkError(f"error reply to PING: {reply.decode(errors='replace')}")
        port = str(self.server.config.get_int("port")).encode()
        await self._command(reader, writer, [b"REPLCONF", b"listening-port", port], timeout)
        capa = [b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]
        await self._command(reader, writer, capa, timeout)
        repl = self.repl
        if repl.backlog is not None:
            psync = [b"PSYNC", repl.replid.encode(), str(repl.offset + 1).encode()]
        else:
            psync = [b"PSYNC", b"?", b"-1"]
        failover = repl.failover
        if failover.in_progress:  # our FAILOVER: the target turns master on this PSYNC
            psync.append(b"FAILOVER")
        writer.write(encode_command(psync))
        line = await self._line(reader, timeout)
        failover.psync_answered(line.startswith((b"+FULLRESYNC", b"+CONTINUE")))
        if line.startswith(b"+FULLRESYNC"):
            parts = line.split()
            if len(parts) != 3 or not parts[2].isdigit():
                raise LinkError(f"bad FULLRESYNC line {line!r}")
            self.state = "sync"
            await self._full_sync(reader, parts[1].decode(), int(parts[2]), timeout)
        elif line.startswith(b"+CONTINUE"):
            self._continue(line)
        else:
            raise LinkError(f"PSYNC refused: {line.decode(errors='replace')}")
        self.state = "connected"
        self.last_io_ms = self.server.clock_ms()
        self.read_offset = repl.offset
        self.send_ack()
        await self._stream(reader, timeout)

    async def _command(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        argv: list[bytes],
        timeout: float,
    ) -> bytes:
        writer.write(encode_command(argv))
        line = await self._line(reader, timeout)
        if line.startswith(b"-") and argv[0] == b"REPLCONF" and argv[1] == b"listening-port":
            raise LinkError(f"REPLCONF refused: {line.decode(errors='replace')}")
        return line

    async def _line(self, reader: asyncio.StreamReader, timeout: float) -> bytes:
        while True:
            line = await asyncio.wait_for(reader.readuntil(b"\n"), timeout)
            line = line.rstrip(b"\r\n")
            if line:  # a bare newline is a keepalive
                return line

    # ---- sync ------------------------------------------------------------------------
    async def _full_sync(
        self, reader: asyncio.StreamReader, replid: str, offset: int, timeout: float
    ) -> None:
        log.info("Full resync from master: %s:%d", replid, offset)
        server = self.server
        mode = server.config.get_str("repl-diskless-load")
        from_socket = mode == "swapdb" or (mode == "on-empty-db" and server.databases.empty())
        # redis's readSyncBulkPayload: a swapdb load of the history we already hold keeps
        # serving the old data (async loading); any other load from the socket refuses
        # clients with -LOADING for the whole transfer.
        background = from_socket and mode == "swapdb" and replid == self.repl.replid
        if background:
            log.info("MASTER <-> REPLICA sync: Loading DB in memory, serving old data meanwhile")
        try:
            head = await self._line(reader, timeout)
            server.async_loading = background  # from the snapshot's first line on
            server.loading = from_socket and not background
            if head.startswith(b"$EOF:") and len(head) == 45:
                payload = await self._read_to_mark(reader, head[5:], timeout)
            elif head.startswith(b"$") and head[1:].isdigit():
                payload = await self._read_exactly(reader, int(head[1:]), timeout)
            else:
                raise LinkError(f"bad snapshot header {head!r}")
            server.loading = not background  # clients get -LOADING, the bus gossips offset 0
            try:
                if background:
                    keys = load_rdb(server.databases, payload)
                else:
                    delay = server.config.get_int("key-load-delay")
                    keys = await load_rdb_paced(server.databases, payload, delay)
            except RdbError as exc:
                raise LinkError(f"RDB from master rejected: {exc}") from None
        except BaseException:
            if from_socket:
                log.warning("Failed trying to load the MASTER synchronization DB from socket")
            raise
        finally:
            server.loading = False
            server.async_loading = False
        server.pending_propagation.clear()
        repl = self.repl
        repl.primary.disconnect_links()
        repl.reset_history(replid, offset)
        self.full_syncs += 1
        if server.aof is not None:
            server.aof.rewrite()
        log.info("MASTER <-> REPLICA sync: Finished with success (%d keys)", keys)

    async def _read_exactly(self, reader: asyncio.StreamReader, size: int, timeout: float) -> bytes:
        """``size`` bytes; ``repl-timeout`` bounds each read, not the whole transfer."""
        chunks = bytearray()
        while len(chunks) < size:
            data = await asyncio.wait_for(reader.read(min(1 << 20, size - len(chunks))), timeout)
            if not data:
                raise EOFError("master closed the connection during the transfer")
            chunks += data
            self.last_io_ms = self.server.clock_ms()
        return bytes(chunks)

    async def _read_to_mark(
        self, reader: asyncio.StreamReader, mark: bytes, timeout: float
    ) -> bytes:
        """A diskless transfer (``$EOF:<40 bytes>``): the payload ends with the mark."""
        chunks = bytearray()
        while not chunks.endswith(mark):
            data = await asyncio.wait_for(reader.read(1 << 17), timeout)
            if not data:
                raise EOFError("master closed the connection during the transfer")
            chunks += data
        return bytes(chunks[: -len(mark)])

    def _continue(self, line: bytes) -> None:
        repl = self.repl
        parts = line.split()
        self.partial_syncs += 1
        if len(parts) == 2 and parts[1].decode() != repl.replid:
            repl.shift_replid(parts[1].decode())
            repl.primary.disconnect_links()
        log.info("Successful partial resynchronization with master.")
        log.info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")

    # ---- the stream ------------------------------------------------------------------
    async def _stream(self, reader: asyncio.StreamReader, timeout: float) -> None:
        parser = StreamParser()
        repl = self.repl
        server = self.server
        keyspace = server.keyspace
        while True:
            data = await asyncio.wait_for(reader.read(1 << 17), timeout)
            if not data:
                raise EOFError("master closed the connection")
            self.last_io_ms = server.clock_ms()
            self.read_offset += len(data)
            try:
                commands = parser.feed(data)
            except StreamError as exc:
                raise LinkError(str(exc)) from None
            if not commands:
                continue
            ack = False
            repl.applying = True
            clock = keyspace.clock_ms
            # As in redis, the master's commands see no key as expired on a replica: an
            # expired key goes only when the master's DEL comes (a frozen clock at 0).
            keyspace.clock_ms = _never
            try:
                for argv in commands:
                    if argv[0].lower() == b"replconf" and len(argv) > 1:
                        ack = ack or argv[1].lower() == b"getack"
                    else:
                        self._apply(argv)
                if server.pending_propagation:
                    server.flush_propagation()
            finally:
                keyspace.clock_ms = clock
                repl.applying = False
            try:
                repl.feed(parser.take())
            except StreamError as exc:
                raise LinkError(str(exc)) from None
            for hook in server.before_reply:  # the AOF is written (and fsynced) before ACKs
                hook()
            if ack:
                self.send_ack()

    def _apply(self, argv: list[bytes]) -> None:
        name = argv[0].lower()
        if name == b"multi":
            self._multi = []
        elif name == b"exec":
            queued = self._multi or []
            self._multi = None
            for item in queued:
                self._apply_one(item)
        elif self._multi is not None:
            self._multi.append(argv)
            return
        else:
            self._apply_one(argv)
        blocking = self.server.blocking  # a replica's XREAD BLOCK wakes on the master's XADD
        if blocking.spaces and blocking.has_ready():
            blocking.serve_ready()

    def _apply_one(self, argv: list[bytes]) -> None:
        cmd = resolve(argv)
        if not isinstance(cmd, Command):
            log.warning("Master sent a command we cannot run: %r", argv[:2])
            return
        call(self._ctx, cmd, argv)
        if self._ctx.client.multi is not None:
            self._ctx.client.multi = None
