"""Append-only file: every propagated write is appended as a RESP multibulk command.

- ``appendfsync always``: written and fsynced before the replies of the same event-loop
  iteration are sent (so an acknowledged write survives SIGKILL);
  ``everysec``: fsynced by the cron at most once a second; ``no``: left to the kernel.
- Loading replays the file at start. A last command cut short (EOF inside it, or inside
  an unfinished MULTI) is dropped and the file truncated to the last complete command,
  with a warning in the log (redis's ``aof-load-truncated yes``; with ``no`` the server
  refuses to start). Anything else malformed refuses to start, naming the file and the
  byte offset of the bad command.

One file, ``<dir>/<appendfilename>`` (redis 7's multi-part AOF directory is not used).
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from nodes.client import Client
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import call as call_command
from nodes.commands.dispatch import resolve
from nodes.commands.registry import Command
from nodes.errors import AofError
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


def read_commands(data: bytes, name: str) -> tuple[list[tuple[int, list[bytes]]], int]:
    """Parse AOF bytes into ``(offset, argv)`` pairs; returns them and the length of the
    valid prefix (shorter than ``data`` when the tail is truncated). Raises
    :class:`AofError` for corruption."""
    commands: list[tuple[int, list[bytes]]] = []
    pos = 0
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
    def __init__(self, config: Config, server: Server) -> None:
        self.config = config
        self.server = server
        self.path = Path(config.get_str("appendfilename"))
        self.fd = -1
        self.buf: list[bytes] = []
        self.size = 0
        self.healthy = True
        self._unsynced = False
        self._last_fsync = server.loop.time()

    # ---- loading -------------------------------------------------------------------
    def load_into(self, server: Server) -> int:
        """Replay the file into ``server``'s keyspace; returns the number of commands."""

        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        commands, valid = read_commands(data, str(self.path))
        # An unfinished MULTI at the end counts as truncated.
        multi_at: int | None = None
        for offset, argv in commands:
            name = argv[0].lower()
            if name == b"multi":
                multi_at = offset
            elif name == b"exec":
                multi_at = None
        if multi_at is not None:
            commands = [c for c in commands if c[0] < multi_at]
            valid = multi_at
            log.warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", self.path)
        if valid < len(data):
            if not self.config.get_bool("aof-load-truncated"):
                raise AofError(
                    f"Unexpected end of file reading the append only file {self.path} "
                    f"at offset {valid}"
                )
            log.warning(
                "!!! Warning: short read while loading the AOF file %s at offset %d "
                "(%d bytes dropped) !!! AOF loaded anyway because aof-load-truncated "
                "is enabled",
                self.path,
                valid,
                len(data) - valid,
            )
            with open(self.path, "r+b") as f:
                f.truncate(valid)
                os.fsync(f.fileno())
        loader = Client(id=0, addr="aof", laddr="", fd=-1, created_ms=0)
        ctx = CommandContext(server, loader)
        for offset, argv in commands:
            if argv[0].lower() in (b"multi", b"exec"):
                continue
            cmd = resolve(argv)
            if not isinstance(cmd, Command):
                raise AofError(
                    f"Bad command {argv[0]!r} in the append only file {self.path} "
                    f"at offset {offset}"
                )
            call_command(ctx, cmd, argv)
        server.pending_propagation.clear()
        self.size = valid
        log.info("DB loaded from append only file: %d commands", len(commands))
        return len(commands)

    # ---- writing -------------------------------------------------------------------
    def open(self) -> None:
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.size = os.fstat(self.fd).st_size

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
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
            self.size += len(data)
            self._unsynced = True
            if self.config.get_str("appendfsync") == "always":
                os.fdatasync(self.fd)
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
            os.fdatasync(self.fd)
            self._unsynced = False
            self._last_fsync = now

    def rewrite(self) -> None:
        """Replace the file with the commands that recreate the current dataset."""
        ks = self.server.keyspace
        tmp = self.path.with_name(self.path.name + ".rewrite.tmp")
        with open(tmp, "wb") as f:
            for key in list(ks.live_keys()):
                value = ks.data[key]
                for argv in SNAPSHOT_WRITERS[type(value)](key, value):
                    f.write(encode_command(argv))
                when = ks.expires.get(key)
                if when is not None:
                    f.write(encode_command([b"PEXPIREAT", key, str(when).encode()]))
            f.flush()
            os.fsync(f.fileno())
        self.buf = []
        if self.fd >= 0:
            os.close(self.fd)
        os.replace(tmp, self.path)
        self.open()

    def close(self) -> None:
        if self.fd >= 0:
            self.flush()
            if self.config.get_str("appendfsync") != "no":
                os.fsync(self.fd)
            os.close(self.fd)
            self.fd = -1
