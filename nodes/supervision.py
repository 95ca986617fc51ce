"""``supervised upstart|systemd|auto|no``: run under a service manager.

A supervised server does not daemonize (the manager keeps it in the foreground). Under
systemd (``NOTIFY_SOCKET`` set) the server sends ``READY=1`` once it listens, as redis
does with ``Type=notify`` units; upstart is detected by ``UPSTART_JOB`` (redis's
SIGSTOP hand-shake is not done: the job simply runs).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket

from nodes.config import Config

log = logging.getLogger("splitbrain")


def supervisor(config: Config) -> str | None:
    """``systemd``, ``upstart`` or None (not supervised), as redis decides it."""
    mode = config.get_str("supervised")
    if mode == "auto":
        if os.environ.get("UPSTART_JOB"):
            return "upstart"
        return "systemd" if os.environ.get("NOTIFY_SOCKET") else None
    if mode == "upstart":
        if not os.environ.get("UPSTART_JOB"):
            log.warning("Upstart supervision requested, but UPSTART_JOB not found!")
            return None
        return "upstart"
    if mode == "systemd":
        if not os.environ.get("NOTIFY_SOCKET"):
            log.warning(
                "systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found!"
            )
            return None
        return "systemd"
    return None


def notify_ready(config: Config) -> None:
    """Tell systemd the server accepts connections (nothing otherwise)."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if supervisor(config) != "systemd" or not address:
        return
    target = "\0" + address[1:] if address.startswith("@") else address
    message = b"STATUS=Ready to accept connections\nREADY=1\n"
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(message, target)
