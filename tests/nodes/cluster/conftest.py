"""Fixtures for cluster tests: groups of cluster-enabled nodes (ours and redis-server)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.servers import REDIS_CLI, ServerProcess, redis_server, splitbrain_server

NODE_TIMEOUT = "1500"


def cluster_args(extra: tuple[str, ...] = ()) -> list[str]:
    return ["--cluster-enabled", "yes", "--cluster-node-timeout", NODE_TIMEOUT, *extra]


@dataclass
class Nodes:
    """Started servers, stopped by pid at teardown."""

    root: Path
    servers: list[ServerProcess] = field(default_factory=list)

    def ours(self, count: int = 1, extra: tuple[str, ...] = ()) -> list[ServerProcess]:
        started = []
        for _ in range(count):
            index = len(self.servers)
            server = splitbrain_server(self.root / f"sb{index}", args=cluster_args(extra))
            self.servers.append(server)
            started.append(server.start())
        return started

    def real(self, count: int = 1, extra: tuple[str, ...] = ()) -> list[ServerProcess]:
        started = []
        for _ in range(count):
            index = len(self.servers)
            server = redis_server(self.root / f"redis{index}", args=cluster_args(extra))
            self.servers.append(server)
            started.append(server.start())
        return started

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Nodes]:
    group = Nodes(tmp_path)
    try:
        yield group
    finally:
        group.stop()


def client(server: ServerProcess) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=5)


def command(server: ServerProcess, *args: str | int) -> Any:
    """One command on a fresh connection; the raw reply."""
    conn = client(server)
    try:
        return conn.execute_command(*args)  # type: ignore[no-untyped-call]
    finally:
        conn.close()


def cluster_info(server: ServerProcess) -> dict[str, str]:
    text = command(server, "CLUSTER", "INFO")
    if isinstance(text, bytes):
        text = text.decode()
    assert isinstance(text, str)
    return dict(line.split(":", 1) for line in text.strip().split("\r\n"))


def cluster_nodes(server: ServerProcess) -> list[list[str]]:
    raw = command(server, "CLUSTER", "NODES")
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    return [line.split() for line in text.strip().split("\n")]


def redis_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    if REDIS_CLI is None:
        pytest.fail("redis-cli missing: run make setup")
    return subprocess.run(
        [REDIS_CLI, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def slot_maps_agree(servers: list[ServerProcess], known: int | None = None) -> bool:
    """Every server knows ``known`` nodes (default: just these) and the same slot owners
    (what --cluster check compares)."""
    maps = set()
    for server in servers:
        lines = cluster_nodes(server)
        if len(lines) != (len(servers) if known is None else known):
            return False
        maps.add(tuple(sorted((line[0], tuple(line[8:])) for line in lines if line[8:])))
    return len(maps) == 1
