"""A passthrough FUSE file system that holds unsynced data back, so a power loss can drop it.

Mounted over a node's data folder (``BACKING`` seen at ``MOUNT``), it behaves like a disk
behind a page cache, the way Jepsen's LazyFS does:

- file data written is kept in memory (:class:`nemesis.lossyfs.pages.PendingFile`) until
  the program fsyncs (or fdatasyncs) the file, or until the kernel-like writeback makes it
  durable after ``writeback_s`` (the kernel's ``dirty_expire_centisecs``, 30 s);
- reads see the pending data, as on a real machine;
- metadata (create, mkdir, rename, unlink, chmod) goes to the backing folder at once: the
  loss model is "unsynced file data", not a torn directory tree;
- :meth:`LossyFS.drop` discards every pending change (the power loss), and
  :meth:`LossyFS.flush_all` makes everything durable (a clean unmount does it).

Attributes and entries are never cached by the kernel (timeouts 0) and files open
without ``keep_cache``, so after a drop the next open reads only what is durable.
Inode numbers are the backing files' own.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence
from typing import Any

import pyfuse3

from nemesis.lossyfs.pages import PendingFile

Clock = Callable[[], int]
"""Monotonic nanoseconds (the writeback clock)."""


def _fuse_error(e: OSError) -> pyfuse3.FUSEError:
    return pyfuse3.FUSEError(e.errno or errno.EIO)


class LossyFS(pyfuse3.Operations):
    """The file system: inode -> backing path, open handles, pending data per inode."""

    def __init__(self, backing: str, clock: Clock, writeback_s: float = 30.0) -> None:
        super().__init__()
        self._root = os.path.abspath(backing)
        self._clock = clock
        self._writeback_ns = int(writeback_s * 1e9)
        self._paths: dict[int, str] = {pyfuse3.ROOT_INODE: self._root}
        self._fds: dict[int, tuple[int, int]] = {}
        """fh (the backing fd) -> (inode, open count)."""
        self._pending: dict[int, PendingFile] = {}

    # ---- the power-loss controls

    def pending_bytes(self) -> int:
        return sum(p.pending_bytes for p in self._pending.values())

    def drop(self) -> tuple[int, int]:
        """Lose every unsynced change; ``(bytes lost, files)``."""
        lost = sum(p.drop() for p in self._pending.values())
        files = len(self._pending)
        self._pending.clear()
        return lost, files

    def flush_all(self) -> int:
        """Make every pending change durable; the bytes written."""
        return sum(self._flush(inode) for inode in list(self._pending))

    def writeback(self) -> int:
        """Make durable what has been pending longer than the writeback age."""
        now = self._clock()
        old = [
            i
            for i, p in self._pending.items()
            if p.since_ns is not None and now - p.since_ns >= self._writeback_ns
        ]
        return sum(self._flush(inode) for inode in old)

    def _flush(self, inode: int, fd: int | None = None, datasync: bool = False) -> int:
        pending = self._pending.pop(inode, None)
        if pending is None or not pending.dirty:
            return 0
        own = fd is None
        if fd is None:
            fd = os.open(self._path(inode), os.O_WRONLY)
        try:
            written = pending.flush(
                lambda off, data: _pwrite_all(fd, data, off), lambda size: os.ftruncate(fd, size)
            )
            (os.fdatasync if datasync else os.fsync)(fd)
        finally:
            if own:
                os.close(fd)
        return written

    # ---- helpers

    def _path(self, inode: int) -> str:
        try:
            return self._paths[inode]
        except KeyError:
            raise pyfuse3.FUSEError(errno.ENOENT) from None

    def _child(self, parent: int, name: bytes) -> str:
        return os.path.join(self._path(parent), os.fsdecode(name))

    def _attrs(self, path: str) -> pyfuse3.EntryAttributes:
        try:
            st = os.lstat(path)
        except OSError as e:
            raise _fuse_error(e) from e
        self._paths[st.st_ino] = path
        entry = pyfuse3.EntryAttributes()
        for name in ("st_ino", "st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev"):
            setattr(entry, name, getattr(st, name))
        pending = self._pending.get(st.st_ino)
        entry.st_size = pending.size if pending is not None else st.st_size
        entry.st_blksize = 4096
        entry.st_blocks = (entry.st_size + 511) // 512
        entry.st_atime_ns, entry.st_mtime_ns, entry.st_ctime_ns = (
            st.st_atime_ns,
            st.st_mtime_ns,
            st.st_ctime_ns,
        )
        entry.generation = 0
        entry.entry_timeout = 0
        entry.attr_timeout = 0
        return entry

    def _pending_for(self, inode: int, fd: int) -> PendingFile:
        pending = self._pending.get(inode)
        if pending is None:
            pending = PendingFile(durable_size=os.fstat(fd).st_size)
            self._pending[inode] = pending
        return pending

    def _renamed(self, old: str, new: str) -> None:
        for inode, path in list(self._paths.items()):
            if path == old or path.startswith(old + os.sep):
                self._paths[inode] = new + path[len(old) :]

    def _open_fd(self, path: str, flags: int, mode: int = 0) -> int:
        # Data reaches the backing file only through _flush, so open it read-write and
        # let O_TRUNC be a pending change like any other.
        base = (flags & ~(os.O_TRUNC | os.O_APPEND | os.O_WRONLY | os.O_ACCMODE)) | os.O_RDWR
        try:
            return os.open(path, base, mode)
        except OSError as e:
            raise _fuse_error(e) from e

    # ---- entries

    async def lookup(self, parent_inode: int, name: bytes, ctx: Any = None) -> Any:
        return self._attrs(self._child(parent_inode, name))

    async def getattr(self, inode: int, ctx: Any = None) -> Any:
        return self._attrs(self._path(inode))

    async def setattr(self, inode: int, attr: Any, fields: Any, fh: int | None, ctx: Any) -> Any:
        path = self._path(inode)
        try:
            if fields.update_size:
                fd = fh if fh is not None else os.open(path, os.O_RDONLY)
                try:
                    self._pending_for(inode, fd).truncate(attr.st_size, self._clock())
                finally:
                    if fh is None:
                        os.close(fd)
            if fields.update_mode:
                os.chmod(path, stat.S_IMODE(attr.st_mode))
            if fields.update_uid or fields.update_gid:
                os.chown(
                    path,
                    attr.st_uid if fields.update_uid else -1,
                    attr.st_gid if fields.update_gid else -1,
                )
            if fields.update_atime or fields.update_mtime:
                st = os.lstat(path)
                os.utime(
                    path,
                    ns=(
                        attr.st_atime_ns if fields.update_atime else st.st_atime_ns,
                        attr.st_mtime_ns if fields.update_mtime else st.st_mtime_ns,
                    ),
                )
        except OSError as e:
            raise _fuse_error(e) from e
        return self._attrs(path)

    async def mkdir(self, parent_inode: int, name: bytes, mode: int, ctx: Any) -> Any:
        path = self._child(parent_inode, name)
        try:
            os.mkdir(path, mode)
        except OSError as e:
            raise _fuse_error(e) from e
        return self._attrs(path)

    async def rmdir(self, parent_inode: int, name: bytes, ctx: Any) -> None:
        try:
            os.rmdir(self._child(parent_inode, name))
        except OSError as e:
            raise _fuse_error(e) from e

    async def unlink(self, parent_inode: int, name: bytes, ctx: Any) -> None:
        path = self._child(parent_inode, name)
        try:
            st = os.lstat(path)
            os.unlink(path)
        except OSError as e:
            raise _fuse_error(e) from e
        if st.st_nlink <= 1 and not any(i == st.st_ino for i, _ in self._fds.values()):
            self._pending.pop(st.st_ino, None)

    async def rename(  # noqa: PLR0917 (pyfuse3's signature)
        self,
        parent_inode_old: int,
        name_old: bytes,
        parent_inode_new: int,
        name_new: bytes,
        flags: int,
        ctx: Any,
    ) -> None:
        if flags:
            raise pyfuse3.FUSEError(errno.EINVAL)
        old = self._child(parent_inode_old, name_old)
        new = self._child(parent_inode_new, name_new)
        try:
            replaced = os.lstat(new).st_ino if os.path.lexists(new) else None
            os.rename(old, new)
        except OSError as e:
            raise _fuse_error(e) from e
        if replaced is not None:
            self._pending.pop(replaced, None)
        self._renamed(old, new)

    async def symlink(self, parent_inode: int, name: bytes, target: bytes, ctx: Any) -> Any:
        path = self._child(parent_inode, name)
        try:
            os.symlink(target, path)
        except OSError as e:
            raise _fuse_error(e) from e
        return self._attrs(path)

    async def readlink(self, inode: int, ctx: Any) -> bytes:
        try:
            return os.fsencode(os.readlink(self._path(inode)))
        except OSError as e:
            raise _fuse_error(e) from e

    async def statfs(self, ctx: Any) -> Any:
        st = os.statvfs(self._root)
        data = pyfuse3.StatvfsData()
        for name in ("f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files"):
            setattr(data, name, getattr(st, name))
        data.f_ffree, data.f_favail, data.f_namemax = st.f_ffree, st.f_favail, st.f_namemax
        return data

    # ---- directories

    async def opendir(self, inode: int, ctx: Any) -> int:
        return inode

    async def readdir(self, fh: int, start_id: int, token: Any) -> None:
        path = self._path(fh)
        names = sorted(os.listdir(path))
        for i, name in enumerate(names[start_id:], start=start_id):
            attrs = self._attrs(os.path.join(path, name))
            if not pyfuse3.readdir_reply(token, os.fsencode(name), attrs, i + 1):
                break

    async def releasedir(self, fh: int) -> None:
        return None

    async def fsyncdir(self, fh: int, datasync: bool) -> None:
        return None

    # ---- files

    async def open(self, inode: int, flags: int, ctx: Any) -> Any:
        fd = self._open_fd(self._path(inode), flags)
        self._fds[fd] = (inode, 1)
        if flags & os.O_TRUNC:
            self._pending_for(inode, fd).truncate(0, self._clock())
        return pyfuse3.FileInfo(fh=fd, keep_cache=False)

    async def create(self, parent_inode: int, name: bytes, mode: int, flags: int, ctx: Any) -> Any:
        path = self._child(parent_inode, name)
        fd = self._open_fd(path, flags | os.O_CREAT, mode)
        attrs = self._attrs(path)
        self._fds[fd] = (attrs.st_ino, 1)
        if flags & os.O_TRUNC:
            self._pending_for(attrs.st_ino, fd).truncate(0, self._clock())
            attrs = self._attrs(path)
        return (pyfuse3.FileInfo(fh=fd, keep_cache=False), attrs)

    async def read(self, fh: int, off: int, size: int) -> bytes:
        inode = self._fds[fh][0]
        pending = self._pending.get(inode)
        if pending is None:
            return os.pread(fh, size, off)
        return pending.read(off, size, lambda o, s: os.pread(fh, s, o))

    async def write(self, fh: int, off: int, buf: bytes) -> int:
        inode = self._fds[fh][0]
        self._pending_for(inode, fh).write(off, buf, self._clock())
        return len(buf)

    async def fsync(self, fh: int, datasync: bool) -> None:
        inode = self._fds[fh][0]
        try:
            self._flush(inode, fh, datasync)
        except OSError as e:
            raise _fuse_error(e) from e

    async def flush(self, fh: int) -> None:
        return None

    async def release(self, fh: int) -> None:
        self._fds.pop(fh, None)
        os.close(fh)

    async def forget(self, inode_list: Sequence[tuple[int, int]]) -> None:
        return None


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n
