"""Listening sockets for a ``bind`` list, with redis-server's rules.

``bind`` words are addresses; ``*`` is every IPv4 address, ``::*`` every IPv6 address,
and a leading ``-`` makes an address optional: when it cannot be bound because it does
not exist here (``EADDRNOTAVAIL``) it is skipped. An address family the machine lacks
(no IPv6) is skipped too, optional or not. Every failure is logged as redis logs it
(``Warning: Could not create server TCP listening socket ::*:6379: bind: Address already
in use``); any other failure closes what was opened and raises :class:`ListenError`.
An empty bind list listens nowhere. The client port and the cluster bus (port + 10000)
both go through :func:`open_sockets`.
"""

from __future__ import annotations

import errno
import logging
import socket

log = logging.getLogger("splitbrain.server")

_SKIPPED_ALWAYS = {
    errno.ENOPROTOOPT,
    errno.EPROTONOSUPPORT,
    errno.ESOCKTNOSUPPORT,
    errno.EPFNOSUPPORT,
    errno.EAFNOSUPPORT,
}


class ListenError(OSError):
    """An address of the bind list could not be listened on."""


def _resolve(
    address: str, port: int
) -> list[tuple[int, tuple[str, int] | tuple[str, int, int, int]]]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    host: str | None = None if address in ("*", "::*") else address
    infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    return [(info[0], info[4]) for info in infos]  # type: ignore[misc]


def _listen_one(address: str, port: int, backlog: int) -> socket.socket:
    """One listening socket (redis's ``anetTcpServer``); OSError with redis's text."""
    try:
        candidates = _resolve(address, port)
    except socket.gaierror as exc:
        raise OSError(exc.errno, exc.strerror) from None
    last: OSError | None = None
    for family, sockaddr in candidates:
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            last = exc
            continue
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(sockaddr)
            except OSError as exc:
                raise OSError(exc.errno, f"bind: {exc.strerror}") from None
            try:
                sock.listen(backlog)
            except OSError as exc:
                raise OSError(exc.errno, f"listen: {exc.strerror}") from None
            sock.setblocking(False)
            return sock
        except BaseException:
            sock.close()
            raise
    code = last.errno if last is not None and last.errno else errno.EINVAL
    raise OSError(code, f"unable to bind socket, errno: {code}")


def open_sockets(bind: list[str], port: int, backlog: int) -> list[socket.socket]:
    """Listening sockets for every usable address of ``bind`` on ``port``."""
    return list(open_socket_map(bind, port, backlog).values())


def open_socket_map(
    bind: list[str], port: int, backlog: int, *, skip: frozenset[str] = frozenset()
) -> dict[str, socket.socket]:
    """Address (without its ``-``) -> listening socket, for the addresses of ``bind``
    that are usable and not in ``skip`` (already listening)."""
    sockets: dict[str, socket.socket] = {}
    for word in bind:
        optional = word.startswith("-")
        address = word[1:] if optional else word
        if address in skip or address in sockets:
            continue
        try:
            sockets[address] = _listen_one(address, port, backlog)
        except OSError as exc:
            log.warning(
                "Warning: Could not create server TCP listening socket %s:%d: %s",
                address,
                port,
                exc.strerror,
            )
            if (exc.errno == errno.EADDRNOTAVAIL and optional) or exc.errno in _SKIPPED_ALWAYS:
                continue
            for sock in sockets.values():
                sock.close()
            raise ListenError(exc.errno, exc.strerror) from None
    return sockets
