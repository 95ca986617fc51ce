"""Fixtures for the server-core tests: one splitbrain-server per module, raw sockets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from tests.support.servers import ServerProcess, splitbrain_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A standalone splitbrain-server shared by one test module."""
    proc = splitbrain_server(tmp_path_factory.mktemp("core")).start()
    try:
        yield proc
    finally:
        proc.stop()


def exchange(port: int, data: bytes, timeout: float = 2.0) -> bytes:
    """Send ``data``, half-close, and read until the server closes (or ``timeout``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return out


def connect(port: int, **options: Any) -> Any:
    """A redis-py client (typed ``Any``: redis-py's sync/async unions defeat mypy)."""
    return redis.Redis(port=port, **options)
