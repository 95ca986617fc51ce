"""Replaying one AOF file (a base or an incr file of the multi-part AOF, or a redis 6
single file): an RDB part first when the file starts with ``REDIS`` (``.base.rdb``, or
an old file's preamble), then RESP commands.

A last command cut short (EOF inside it, or inside an unfinished MULTI) is dropped and
the file truncated to the last complete command, with a warning (redis's
``aof-load-truncated yes``; ``no`` refuses to start); only the last file may be cut
short. Anything else malformed is an :class:`AofError` naming the file and offset.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from nodes.client import Client
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import call as call_command
from nodes.commands.dispatch import resolve
from nodes.commands.registry import Command
from nodes.errors import AofError
from nodes.rdb import file as rdb_file
from nodes.rdb.format import RdbError
from nodes.rdb.load import install

if TYPE_CHECKING:
    from nodes.server import Server

log = logging.getLogger("splitbrain.aof")


def replay(server: Server, path: Path, *, last: bool) -> int:
    """Apply ``path`` to ``server``'s keyspace; returns the number of commands (keys of
    an RDB part count one each). :class:`AofError` for anything it cannot load."""
    from nodes.aof import read_commands  # noqa: PLC0415  (nodes.aof imports this module)

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AofError(f"The AOF file {path} doesn't exist") from None
    except OSError as exc:
        raise AofError(f"Can't read the append only file {path}: {exc.strerror}") from None
    loaded = 0
    start = 0
    if data.startswith(b"REDIS"):
        try:
            contents = rdb_file.read(data, trailing=True)
            loaded += install(server.databases, contents)
        except RdbError as exc:
            raise AofError(f"Bad RDB part of the append only file {path}: {exc}") from None
        start = contents.end
    commands, valid = read_commands(data, str(path), start)
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
        log.warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", path)
    if valid < len(data):
        if not last or not server.config.get_bool("aof-load-truncated"):
            raise AofError(
                f"Unexpected end of file reading the append only file {path} at offset {valid}"
            )
        log.warning(
            "!!! Warning: short read while loading the AOF file %s at offset %d "
            "(%d bytes dropped) !!! AOF loaded anyway because aof-load-truncated "
            "is enabled",
            path,
            valid,
            len(data) - valid,
        )
        server.disk.truncate(path, valid)
    loader = Client(id=0, addr="aof", laddr="", fd=-1, created_ms=0)
    ctx = CommandContext(server, loader)
    for offset, argv in commands:
        if argv[0].lower() in (b"multi", b"exec"):
            continue
        cmd = resolve(argv)
        if not isinstance(cmd, Command):
            raise AofError(
                f"Bad command {argv[0]!r} in the append only file {path} at offset {offset}"
            )
        call_command(ctx, cmd, argv)
    server.pending_propagation.clear()
    return loaded + len(commands)
