"""Start, drive and unmount a lossyfs over a node's data folder (from asyncio code).

A :class:`LossyMount` runs ``python -m nemesis.lossyfs`` as a child process, waits for its
``ready`` line with a deadline, talks to its control socket, and on :meth:`stop` asks it
to flush and unmount, falling back to ``fusermount3 -u -z`` and SIGKILL by pid. A mount
left by a killed harness is found in ``/proc/mounts`` (type ``fuse.lossyfs``) under the
folders the harness created and removed by :func:`unmount`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

FSTYPE = "fuse.lossyfs"


class LossyFSError(RuntimeError):
    """A lossyfs could not be mounted, answered wrongly, or could not be unmounted."""


def fuse_problem() -> str | None:
    """None if this machine can mount a lossyfs, else why not (one line)."""
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing (no FUSE in this kernel or container)"
    if shutil.which("fusermount3") is None:
        return "fusermount3 is missing (Debian package fuse3)"
    try:
        import pyfuse3  # noqa: F401, PLC0415 (only to learn whether it imports)
    except ImportError as e:
        return f"pyfuse3 does not import ({e}): run make setup (needs libfuse3-dev)"
    return None


class LossyMount:
    """One lossyfs: ``backing`` (durable data) seen at ``mount``."""

    def __init__(self, backing: Path, mount: Path, log: Path, *, writeback_s: float = 30.0) -> None:
        self.backing = backing.absolute()
        self.mount = mount.absolute()
        self.control = f"@splitbrain-lossyfs-{os.getpid()}-{secrets.token_hex(6)}"
        """An abstract socket name: run folders are deeper than a socket path may be."""
        self.writeback_s = writeback_s
        self.log = log.absolute()
        """The file system's own messages (stderr)."""
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    async def start(self, timeout_s: float = 15.0) -> None:
        """Mount; returns once the mount and the control socket answer."""
        self.backing.mkdir(parents=True, exist_ok=True)
        self.mount.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "nemesis.lossyfs",
                str(self.backing),
                str(self.mount),
                "--control",
                self.control,
                "--writeback-s",
                str(self.writeback_s),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                # Inside the folder that holds both, so that whoever cleans up a killed
                # run by working directory finds the file system too.
                cwd=self.backing.parent,
            )
        assert self._proc.stdout is not None
        try:
            line = await asyncio.wait_for(self._proc.stdout.readline(), timeout_s)
        except TimeoutError:
            await self.stop()
            raise LossyFSError(f"lossyfs on {self.mount} not ready after {timeout_s} s") from None
        if line.strip() != b"ready":
            await self.stop()
            lines = self.log.read_text(errors="replace").strip().splitlines()
            why = lines[-1] if lines else "it exited"
            raise LossyFSError(f"lossyfs on {self.mount} did not start: {why}")

    async def command(self, command: str, timeout_s: float = 10.0) -> dict[str, object]:
        """Send one control command; its JSON reply."""
        # Connected by hand: event loops differ in how they take an abstract name.
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(loop.sock_connect(sock, "\0" + self.control[1:]), timeout_s)
            reader, writer = await asyncio.open_unix_connection(sock=sock)
        except (OSError, TimeoutError) as e:
            sock.close()
            raise LossyFSError(f"lossyfs control {self.control}: {e}") from e
        try:
            writer.write(command.encode() + b"\n")
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), timeout_s)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        reply = json.loads(line)
        if not isinstance(reply, dict) or "error" in reply:
            raise LossyFSError(f"lossyfs control {command!r}: {reply}")
        return reply

    async def drop(self) -> tuple[int, int]:
        """Lose every unsynced change: ``(bytes, files)`` lost."""
        reply = await self.command("drop")
        return int(str(reply["dropped_bytes"])), int(str(reply["files"]))

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Flush and unmount (idempotent); a hung file system is killed by pid and its
        mount removed lazily."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), timeout_s)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if is_mounted(self.mount):
            unmount(self.mount)


def mounts_under(folder: Path) -> list[Path]:
    """The lossyfs mount points at or below ``folder``."""
    root = str(folder.resolve())
    found: list[Path] = []
    with open("/proc/mounts") as table:
        for line in table:
            fields = line.split()
            if len(fields) >= 3 and fields[2] == FSTYPE:
                point = fields[1].replace("\\040", " ")
                if point == root or point.startswith(root + os.sep):
                    found.append(Path(point))
    return found


def is_mounted(path: Path) -> bool:
    return path.resolve() in mounts_under(path)


def unmount(path: Path) -> None:
    """Detach a lossyfs mount (lazily, so a dead file system cannot hang us)."""
    done = subprocess.run(
        ["fusermount3", "-u", "-z", str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 and is_mounted(path):
        raise LossyFSError(f"cannot unmount {path}: {done.stderr.strip()}")
