"""Append-only file, redis 7.0's multi-part layout (:mod:`nodes.aof_manifest`): every
propagated write is appended as a RESP multibulk command to the current incr file.

- ``appendfsync always``: written and fsynced before the replies of the same event-loop
  iteration are sent (so an acknowledged write survives SIGKILL);
  ``everysec``: fsynced by the cron at most once a second; ``no``: left to the kernel.
- Loading replays the manifest's base and incr files in order (:mod:`nodes.aof_load`:
  truncated tail repair, errors naming file and offset). A redis 6 single
  ``<appendfilename>`` in ``dir`` is moved into the directory as the base, as redis
  7.0 upgrades it.
- A rewrite (BGREWRITEAOF, CONFIG SET appendonly yes, after a full sync) writes a new
  base (an RDB with ``aof-use-rdb-preamble yes``, else commands) and opens a new empty
  incr file; the manifest switches to them atomically and the old files are deleted.
  It runs synchronously on the event loop.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from nodes import aof_manifest
from nodes.aof_load import replay
from nodes.aof_manifest import BASE, INCR, AofInfo, Manifest
from nodes.errors import AofError
from nodes.rdb import file as rdb_file
from nodes.rdb import snapshot
from nodes.resp.parser import string2ll

if TYPE_CHECKING:
    from nodes.config import Config
    from nodes.server import Server

log = logging.getLogger("splitbrain.aof")

SnapshotWriter = Callable[[bytes, object], list[list[bytes]]]


def _string_cmds(key: bytes, value: object) -> list[list[bytes]]:
    assert isinstance(value, bytes)
    return [[b"SET", key, value]]


def _list_cmds(key: bytes, value: object) -> list[list[bytes]]:
    assert isinstance(value, deque)
    return [[b"RPUSH", key, *value]]


def _set_cmds(key: bytes, value: object) -> list[list[bytes]]:
    assert isinstance(value, set)
    return [[b"SADD", key, *sorted(value)]]


def _hash_cmds(key: bytes, value: object) -> list[list[bytes]]:
    assert isinstance(value, dict)
    argv = [b"HSET", key]
    for field, item in value.items():
        argv += [field, item]
    return [argv]


SNAPSHOT_WRITERS: dict[type, SnapshotWriter] = {
    bytes: _string_cmds,
    deque: _list_cmds,
    set: _set_cmds,
    dict: _hash_cmds,
}
"""Value type -> commands that recreate a key (for a rewrite); zsets register theirs."""


def encode_command(argv: list[bytes]) -> bytes:
    parts = [b"*%d\r\n" % len(argv)]
    for arg in argv:
        parts.append(b"$%d\r\n" % len(arg))
        parts.append(arg)
        parts.append(b"\r\n")
    return b"".join(parts)


class _Truncated(Exception):
    pass


def read_commands(
    data: bytes, name: str, start: int = 0
) -> tuple[list[tuple[int, list[bytes]]], int]:
    """Parse AOF bytes from ``start`` into ``(offset, argv)`` pairs; returns them and the
    length of the valid prefix (shorter than ``data`` when the tail is truncated).
    Raises :class:`AofError` for corruption."""
    commands: list[tuple[int, list[bytes]]] = []
    pos = start
    n = len(data)
    while pos < n:
        start = pos
        try:
            argv, pos = _read_one(data, pos)
        except _Truncated:
            return commands, start
        except ValueError as exc:
            raise AofError(
                f"Bad file format reading the append only file {name} at offset {start}: {exc}"
            ) from None
        commands.append((start, argv))
    return commands, pos


def _line(data: bytes, pos: int, marker: int) -> tuple[int, int]:
    if pos >= len(data):
        raise _Truncated
    if data[pos] != marker:
        raise ValueError(f"expected {chr(marker)!r}, found {data[pos : pos + 1]!r}")
    end = data.find(b"\r\n", pos)
    if end < 0:
        if len(data) - pos > 32:
            raise ValueError("length line without CRLF")
        raise _Truncated
    value = string2ll(data[pos + 1 : end])
    if value is None or value < 0:
        raise ValueError(f"bad length {data[pos + 1 : end]!r}")
    return value, end + 2


def _read_one(data: bytes, pos: int) -> tuple[list[bytes], int]:
    count, pos = _line(data, pos, ord("*"))
    if count < 1:
        raise ValueError("empty command")
    argv = []
    for _ in range(count):
        size, pos = _line(data, pos, ord("$"))
        end = pos + size
        if end + 2 > len(data):
            raise _Truncated
        if data[end : end + 2] != b"\r\n":
            raise ValueError("bulk string not terminated by CRLF")
        argv.append(data[pos:end])
        pos = end + 2
    return argv, pos


class AppendOnlyFile:
    """The AOF of one server: ``<dir>/<appenddirname>/`` with its manifest."""

    def __init__(self, config: Config, server: Server) -> None:
        self.config = config
        self.server = server
        self.prefix = config.get_str("appendfilename")
        self.directory = Path(config.get_str("appenddirname"))
        self.manifest = Manifest()
        self.fd = -1
        self.buf: list[bytes] = []
        self.size = 0
        """Bytes in the base and incr files (INFO ``aof_current_size``)."""
        self.healthy = True
        self._unsynced = False
        self._last_fsync = server.loop.time()
        self.disk = server.disk
        """The file layer every write, fsync and rename goes through."""

    @property
    def path(self) -> Path:
        """The incr file being appended to (the directory before one exists)."""
        if self.manifest.incrs:
            return self.directory / self.manifest.incrs[-1].name
        return self.directory

    @property
    def manifest_path(self) -> Path:
        return self.directory / f"{self.prefix}.manifest"

    # ---- loading -------------------------------------------------------------------
    def _read_manifest(self) -> None:
        path = self.manifest_path
        if path.exists():
            try:
                text = path.read_text()
            except (OSError, UnicodeDecodeError) as exc:
                raise AofError(f"Can't read the AOF manifest {path}: {exc}") from None
            self.manifest = aof_manifest.parse(text, path)
            return
        old = Path(self.prefix)
        if old.is_file():  # a redis 6 single file: it becomes the base
            self.directory.mkdir(exist_ok=True)
            self.disk.replace(old, self.directory / self.prefix)
            self.manifest = Manifest(base=AofInfo(self.prefix, 1, BASE))
            aof_manifest.persist(self.manifest, self.directory, self.prefix, self.disk)
            log.info("Moved the old AOF file %s into %s as its base", old, self.directory)

    def load_into(self, server: Server) -> int:
        """Replay the manifest's files into ``server``'s keyspace; returns the number
        of commands (and keys of RDB parts)."""
        self._read_manifest()
        files = self.manifest.files()
        total = 0
        for index, info in enumerate(files):
            total += replay(server, self.directory / info.name, last=index == len(files) - 1)
        if files:
            log.info("DB loaded from append only file: %d commands", total)
        return total

    # ---- writing -------------------------------------------------------------------
    def open(self) -> None:
        """Start appending: create a base (of the current dataset) and an incr file
        when the manifest has none, persist the manifest, open the last incr file."""
        self.directory.mkdir(exist_ok=True)
        if self.manifest.base is None and not self.manifest.incrs:
            self.rewrite()
            return
        if self.manifest.history:  # files an interrupted rewrite replaced
            for info in self.manifest.history:
                self.disk.unlink(self.directory / info.name, missing_ok=True)
            self.manifest.history = []
            aof_manifest.persist(self.manifest, self.directory, self.prefix, self.disk)
        if not self.manifest.incrs:
            self.manifest.incrs.append(AofInfo(self._name(1, INCR), 1, INCR))
            aof_manifest.persist(self.manifest, self.directory, self.prefix, self.disk)
        self._open_incr()

    def _name(self, seq: int, kind: str) -> str:
        if kind == BASE:
            rdb = self.config.get_bool("aof-use-rdb-preamble")
            return f"{self.prefix}.{seq}.base.{'rdb' if rdb else 'aof'}"
        return f"{self.prefix}.{seq}.incr.aof"

    def _open_incr(self) -> None:
        self.fd = self.disk.open_append(self.path)
        self.size = sum(
            (self.directory / info.name).stat().st_size
            for info in self.manifest.files()
            if (self.directory / info.name).exists()
        )

    def feed(self, batch: list[list[bytes]]) -> None:
        """Propagation listener: buffer the commands until :meth:`flush`."""
        for argv in batch:
            self.buf.append(encode_command(argv))

    def flush(self) -> None:
        """Write the buffer; fsync too with ``appendfsync always`` (before replies go)."""
        if not self.buf or self.fd < 0:
            return
        data = b"".join(self.buf)
        self.buf = []
        try:
            self.disk.write(self.fd, data)
            self.size += len(data)
            self._unsynced = True
            if self.config.get_str("appendfsync") == "always":
                self.disk.fsync(self.fd, data_only=True)
                self._unsynced = False
        except OSError as exc:
            self.healthy = False
            if self.config.get_str("appendfsync") == "always":
                log.critical(
                    "Can't recover from AOF write error when the AOF fsync policy is "
                    "'always' (%s). Exiting...",
                    exc,
                )
                os._exit(1)
            log.error("Error writing to the AOF file: %s", exc)

    def cron(self) -> None:
        """``everysec``: fsync once a second."""
        self.flush()
        now = self.server.loop.time()
        if (
            self._unsynced
            and self.config.get_str("appendfsync") == "everysec"
            and now - self._last_fsync >= 1.0
        ):
            self.disk.fsync(self.fd, data_only=True)
            self._unsynced = False
            self._last_fsync = now

    def _write_base(self, f: BinaryIO) -> int:
        """Every database: as an RDB preamble, or as commands, each database's after a
        ``SELECT`` (redis's ``rewriteAppendOnlyFileRio``)."""
        databases = self.server.databases
        if self.config.get_bool("aof-use-rdb-preamble"):
            frozen = snapshot.take_all(databases)
            aux = rdb_file.aux_fields(now_s=self.server.clock_ms() // 1000, aof_base=True)
            return rdb_file.write(f, frozen, aux)
        size = 0
        for index, ks in databases.live():
            keys = list(ks.live_keys())
            if not keys:
                continue
            size += f.write(encode_command([b"SELECT", str(index).encode()]))
            for key in keys:
                value = ks.data[key]
                argvs = SNAPSHOT_WRITERS[type(value)](key, value)
                when = ks.expires.get(key)
                if when is not None:
                    argvs.append([b"PEXPIREAT", key, str(when).encode()])
                for argv in argvs:
                    size += f.write(encode_command(argv))
        return size

    def rewrite(self) -> None:
        """A new base of the current dataset and a new empty incr file; the manifest
        switches to them atomically, then the old files are deleted."""
        self.directory.mkdir(exist_ok=True)
        self.flush()
        if self.manifest.base is None and not self.manifest.incrs and self.manifest_path.exists():
            try:  # enabled at run time: continue the sequence of the files on disk
                self.manifest = aof_manifest.parse(
                    self.manifest_path.read_text(), self.manifest_path
                )
            except (AofError, OSError, UnicodeDecodeError) as exc:
                log.warning("Ignoring the unreadable AOF manifest: %s", exc)
        old = self.manifest
        base_seq = (old.base.seq if old.base is not None else 0) + 1
        incr_seq = (old.incrs[-1].seq if old.incrs else 0) + 1
        base = AofInfo(self._name(base_seq, BASE), base_seq, BASE)
        incr = AofInfo(self._name(incr_seq, INCR), incr_seq, INCR)
        temp = self.directory / f"temp-rewriteaof-{os.getpid()}.aof"
        self.disk.write_atomically(self.directory / base.name, temp, self._write_base)
        fd = self.disk.create(self.directory / incr.name)
        self.disk.fsync(fd)
        self.disk.close(fd)
        self.manifest = Manifest(base=base, incrs=[incr])
        aof_manifest.persist(self.manifest, self.directory, self.prefix, self.disk)
        if self.fd >= 0:
            self.disk.close(self.fd)
            self.fd = -1
        self.buf = []
        for info in [*old.files(), *old.history]:
            if info.name not in (base.name, incr.name):
                self.disk.unlink(self.directory / info.name, missing_ok=True)
        self._open_incr()
        log.info("Background AOF rewrite finished: base %s, incr %s", base.name, incr.name)

    def close(self) -> None:
        if self.fd >= 0:
            self.flush()
            if self.config.get_str("appendfsync") != "no":
                self.disk.fsync(self.fd)
            self.disk.close(self.fd)
            self.fd = -1
