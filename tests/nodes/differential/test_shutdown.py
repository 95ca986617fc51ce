"""SHUTDOWN [NOSAVE|SAVE]: bad arguments answer like redis-server 7.0; a good one ends the
process (exit status 0) and closes the connection without a reply, on both servers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.nodes.differential.conftest import ServerPair, start_pair
from tests.nodes.differential.runner import REPLY_TIMEOUT, Script, cmd, report, run_pair, script
from tests.support.servers import ServerProcess, wait_until

pytestmark = pytest.mark.redis

BAD_ARGUMENTS: Script = script(
    "shutdown-bad-arguments",
    cmd("SHUTDOWN", "FOO"),
    cmd("SHUTDOWN", "NOSAVE", "SAVE"),
    cmd("SHUTDOWN", "NOSAVE", "FOO"),
    cmd("MULTI"),
    cmd("SHUTDOWN"),
    cmd("EXEC"),
    cmd("PING"),
)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[ServerPair]:
    yield from start_pair(tmp_path)


def _shutdown(server: ServerProcess, *args: str) -> bytes:
    """Send SHUTDOWN; return what the server sent before closing (b"" expected)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=REPLY_TIMEOUT) as sock:
        sock.sendall(cmd("SHUTDOWN", *args).request())
        received = b""
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
    process = server.process
    assert process is not None
    wait_until(lambda: process.poll() is not None, 10, f"{server.argv[0]} to exit")
    assert process.returncode == 0, server.output()
    return received


@pytest.mark.parametrize("mode", [(), ("NOSAVE",), ("SAVE",)], ids=lambda m: " ".join(m) or "plain")
def test_shutdown_like_redis(pair: ServerPair, mode: tuple[str, ...]) -> None:
    diffs = run_pair(BAD_ARGUMENTS, pair.theirs.port, pair.ours.port)
    assert not diffs, report(BAD_ARGUMENTS, diffs)
    assert _shutdown(pair.theirs, *mode) == b""
    assert _shutdown(pair.ours, *mode) == b""
