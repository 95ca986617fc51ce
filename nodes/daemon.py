"""``daemonize yes`` and the pidfile.

:func:`daemonize` detaches like a classic Unix daemon (fork, ``setsid``, fork again, so
the server is no session leader and is reparented to init), points stdin, stdout and
stderr at ``/dev/null`` (the log goes to ``logfile``; with an empty ``logfile`` it goes
nowhere, as in redis), and keeps the original process waiting on a pipe: it exits 0 once
the server reports it is listening (:meth:`Daemon.ready`), or 1 if the server died first.
So ``splitbrain-server --daemonize yes ...`` returns when the node can be used.

The pidfile is written when ``pidfile`` is set, or when daemonized (then redis's default
``/var/run/redis.pid``), and removed at a clean exit.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DEFAULT_PIDFILE = "/var/run/redis.pid"


class Daemon:
    """The detached server's end of the readiness pipe (a no-op when not daemonized)."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def ready(self) -> None:
        """Tell the waiting parent the server is listening; it exits 0."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.write(self._fd, b"1")
                os.close(self._fd)
            self._fd = None


def daemonize() -> Daemon:
    """Detach; returns in the daemon only (the caller's process exits from here)."""
    read_end, write_end = os.pipe()
    if os.fork() > 0:
        os.close(write_end)
        status = os.read(read_end, 1)
        os._exit(0 if status == b"1" else 1)
    os.close(read_end)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    if null > 2:
        os.close(null)
    return Daemon(write_end)


def pidfile_path(pidfile: str, daemonized: bool) -> Path | None:
    """Where the pid goes: ``pidfile``, redis's default when daemonized, or nowhere."""
    if pidfile:
        return Path(pidfile)
    return Path(DEFAULT_PIDFILE) if daemonized else None


def write_pidfile(path: Path) -> None:
    """Best effort, as redis: a pidfile that cannot be written is not fatal."""
    with contextlib.suppress(OSError):
        path.write_text(f"{os.getpid()}\n")


def remove_pidfile(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
