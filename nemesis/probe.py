"""TCP reachability probes from inside a node's network namespace.

A socket belongs to the network namespace its creating thread was in when it was made,
and keeps it for life. :func:`socket_in` creates one in a short-lived thread that joins
the namespace with ``setns(2)`` (per thread for network namespaces), so the caller's
threads never change namespace and no ``ip netns exec`` process is needed per probe.

A probe tells a dropped path (no answer before the deadline: a partition) from a
refused one (an RST came back: the path is open, nothing listens), which is what the
nemesis checks after cutting and after healing.
"""

from __future__ import annotations

import asyncio
import ctypes
import enum
import os
import socket
import threading
from pathlib import Path

CLONE_NEWNET = 0x40000000
NETNS_RUN_DIR = Path("/run/netns")


class ProbeError(OSError):
    """Could not create a socket in the namespace (it does not exist, or no privilege)."""


class Reach(enum.Enum):
    OPEN = "open"
    """The connection was accepted."""
    REFUSED = "refused"
    """An RST came back: packets pass, nothing listens."""
    DROPPED = "dropped"
    """No answer before the deadline: packets are dropped (or the host is gone)."""
    UNREACHABLE = "unreachable"
    """The kernel said no route / host unreachable."""

    @property
    def passes(self) -> bool:
        return self in (Reach.OPEN, Reach.REFUSED)


_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise ProbeError(err, f"setns: {os.strerror(err)}")


def socket_in(
    netns: str | None,
    family: socket.AddressFamily = socket.AF_INET,
    kind: socket.SocketKind = socket.SOCK_STREAM,
) -> socket.socket:
    """A new socket in namespace ``netns`` (``None``: the caller's namespace)."""
    if netns is None:
        return socket.socket(family, kind)
    path = NETNS_RUN_DIR / netns
    result: list[socket.socket | BaseException] = []

    def make() -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as e:
            result.append(ProbeError(e.errno, f"network namespace {netns}: {e.strerror}"))
            return
        try:
            _setns(fd)  # this thread only; it ends right after
            result.append(socket.socket(family, kind))
        except BaseException as e:
            result.append(e)
        finally:
            os.close(fd)

    thread = threading.Thread(target=make, name=f"socket-in-{netns}")
    thread.start()
    thread.join()
    out = result[0]
    if isinstance(out, BaseException):
        raise out
    return out


async def tcp_probe(netns: str | None, ip: str, port: int, timeout_s: float = 0.5) -> Reach:
    """Try a TCP connection from ``netns`` to ``ip:port`` and say how it went."""
    sock = socket_in(netns)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout_s):
            await loop.sock_connect(sock, (ip, port))
        return Reach.OPEN
    except TimeoutError:
        return Reach.DROPPED
    except ConnectionRefusedError:
        return Reach.REFUSED
    except OSError as e:
        if e.errno in (113, 101):  # EHOSTUNREACH, ENETUNREACH
            return Reach.UNREACHABLE
        raise
    finally:
        sock.close()
