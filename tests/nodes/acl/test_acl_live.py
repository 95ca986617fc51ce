"""ACL, SLOWLOG, LATENCY and MONITOR on running servers: users declared at start,
requirepass, latency events from a slow command (DEBUG SLEEP) beside redis-server."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.servers import ServerProcess, redis_server, splitbrain_server

START_ARGS = ("--requirepass", "pw", "--user", "alice", "on", ">apw", "~a*", "+@all")
SLOW_ARGS = ("--latency-monitor-threshold", "1", "--enable-debug-command", "yes")


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[ServerProcess]:
    server = splitbrain_server(tmp_path, args=START_ARGS).start()
    try:
        yield server
    finally:
        server.stop()


def test_requirepass_and_declared_users(secured: ServerProcess) -> None:
    anonymous: Any = redis.Redis(port=secured.port)
    with pytest.raises(redis.AuthenticationError):
        anonymous.get("a1")
    default: Any = redis.Redis(port=secured.port, password="pw")
    assert default.acl_whoami() == "default"
    alice: Any = redis.Redis(port=secured.port, username="alice", password="apw")
    assert alice.set("a1", "v") is True
    with pytest.raises(redis.exceptions.NoPermissionError):
        alice.set("b1", "v")
    users = default.acl_list()
    assert users[0].startswith("user alice on #") and users[0].endswith("~a* resetchannels +@all")
    line = [c for c in default.client_list() if c["user"] == "alice"]
    assert len(line) == 1
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=secured.port, username="alice", password="nope").ping()
    log = default.acl_log()
    assert log[0]["reason"] == "auth" and log[0]["username"] == "alice"
    default.config_set("requirepass", "")
    assert redis.Redis(port=secured.port).ping() is True


def _slow_sample(port: int) -> tuple[Any, Any, Any, Any]:
    client: Any = redis.Redis(port=port)
    client.execute_command("DEBUG", "SLEEP", "0.03")
    latest = client.execute_command("LATENCY", "LATEST")
    graph = client.execute_command("LATENCY", "GRAPH", "command")
    doctor = client.execute_command("LATENCY", "DOCTOR")
    slow = client.execute_command("SLOWLOG", "GET", "1")
    return latest, graph, doctor, slow


def _shape(text: bytes) -> bytes:
    """A report with its numbers (durations, ages) replaced."""
    return re.sub(rb"\d+(\.\d+)?", b"N", text)


def test_latency_events_beside_redis(tmp_path: Path) -> None:
    ours = splitbrain_server(tmp_path / "ours", args=SLOW_ARGS)
    theirs = redis_server(tmp_path / "redis", args=SLOW_ARGS)
    (tmp_path / "ours").mkdir()
    (tmp_path / "redis").mkdir()
    ours.start()
    theirs.start()
    try:
        mine, reference = _slow_sample(ours.port), _slow_sample(theirs.port)
    finally:
        ours.stop()
        theirs.stop()
    latest, graph, doctor, slow = mine
    assert len(latest) == 1 and latest[0][0] == b"command"
    assert latest[0][2] >= 30 and latest[0][3] >= 30
    assert _shape(graph) == _shape(reference[1])
    assert _shape(doctor) == _shape(reference[2])
    assert slow[0][3] == [b"DEBUG", b"SLEEP", b"0.03"] and slow[0][2] >= 30_000


def test_monitor_sees_other_clients(our_server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", our_server.port), timeout=5) as watcher:
        watcher.sendall(b"MONITOR\r\n")
        assert watcher.recv(64) == b"+OK\r\n"
        client: Any = redis.Redis(port=our_server.port)
        client.set("key", "a b")
        deadline = time.monotonic() + 5
        seen = b""
        while b'"set" "key" "a b"' not in seen.lower() and time.monotonic() < deadline:
            seen += watcher.recv(4096)
        assert re.search(rb'\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "key" "a b"\r\n', seen)
