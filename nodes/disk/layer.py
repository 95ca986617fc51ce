"""The file operations a node makes on its persistent files, in one injected object.

:class:`Disk` does them with plain ``os`` calls; given a :class:`~nodes.disk.ledger.Ledger`
it also records, after each, what is durable (an fsync: the length the file had when the
fsync began; a rename: the file that replaced the target; a create; a removal). Only the
files the node writes through it are recorded; everything else in ``dir`` is left alone
by a power loss.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from nodes.disk.ledger import Ledger

StrPath = str | os.PathLike[str]


class Disk:
    """The node's file layer. ``ledger`` None: no bookkeeping (the default)."""

    def __init__(self, ledger: Ledger | None = None) -> None:
        self.ledger = ledger
        self._paths: dict[int, str] = {}
        """Open fd -> its path (for the ledger's fsync lines)."""

    @classmethod
    def in_dir(cls, directory: StrPath, ledger: bool) -> Disk:
        """The layer of a node whose ``dir`` is ``directory``: with its ledger there if
        ``ledger`` (``splitbrain-fsync-ledger yes``)."""
        return cls(Ledger(Path(directory)) if ledger else None)

    # ---- descriptors -----------------------------------------------------------------
    def open_append(self, path: StrPath) -> int:
        """Open ``path`` for appending, creating it if missing; returns the fd."""
        existed = os.path.exists(path)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._opened(fd, path, created=not existed)
        return fd

    def create(self, path: StrPath) -> int:
        """Create (or truncate) ``path`` for writing; returns the fd."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self._opened(fd, path, created=True)
        return fd

    def _opened(self, fd: int, path: StrPath, *, created: bool) -> None:
        self._paths[fd] = os.fspath(path)
        if created and self.ledger is not None:
            self.ledger.created(path)

    def write(self, fd: int, data: bytes) -> None:
        """Write all of ``data`` (retrying short writes)."""
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    def fsync(self, fd: int, *, data_only: bool = False) -> None:
        """fsync (``fdatasync`` with ``data_only``) an fd this layer opened; the ledger
        then holds the length the file had when the sync began."""
        length = os.fstat(fd).st_size if self.ledger is not None else 0
        if data_only:
            os.fdatasync(fd)
        else:
            os.fsync(fd)
        path = self._paths.get(fd)
        if self.ledger is not None and path is not None:
            self.ledger.synced(path, length)

    def truncate(self, path: StrPath, length: int) -> None:
        """Cut ``path`` to ``length`` bytes and fsync it (the ledger: durable so)."""
        fd = os.open(path, os.O_WRONLY)
        try:
            os.ftruncate(fd, length)
            os.fsync(fd)
        finally:
            os.close(fd)
        if self.ledger is not None:
            self.ledger.synced(path, length)

    def close(self, fd: int) -> None:
        self._paths.pop(fd, None)
        os.close(fd)

    # ---- names -----------------------------------------------------------------------
    def replace(self, src: StrPath, dst: StrPath) -> None:
        """Rename ``src`` over ``dst`` (callers fsync the directory after)."""
        os.replace(src, dst)
        if self.ledger is not None:
            self.ledger.renamed(src, dst)

    def unlink(self, path: StrPath, *, missing_ok: bool = False) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            if not missing_ok:
                raise
            return
        if self.ledger is not None:
            self.ledger.removed(path)

    def fsync_dir(self, directory: StrPath) -> None:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    # ---- whole files -----------------------------------------------------------------
    def write_atomically(
        self,
        path: StrPath,
        temp: StrPath,
        write: Callable[[BinaryIO], int],
        *,
        fsync: bool = True,
    ) -> int:
        """Write ``path`` through ``temp``: ``write(f)``, fsync, rename over ``path``,
        fsync the directory (no fsyncs with ``fsync`` False). Returns what ``write``
        returned; the temp file is removed on failure."""
        try:
            fd = self.create(temp)
            try:
                with os.fdopen(fd, "wb", closefd=False) as f:
                    size = write(f)
                if fsync:
                    self.fsync(fd)
            finally:
                self.close(fd)
            self.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                self.unlink(temp)
            raise
        if fsync:
            self.fsync_dir(Path(os.path.abspath(path)).parent)
        return size

    def shut(self) -> None:
        """Close the ledger (at shutdown)."""
        if self.ledger is not None:
            self.ledger.close()
