"""Fixtures for replication tests: standalone splitbrain-server (and redis-server)
processes on free ports, stopped by pid at teardown."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis

from tests.support.servers import ServerProcess, redis_server, splitbrain_server, wait_until


@dataclass
class Node:
    """A started server and a client to it."""

    process: ServerProcess
    client: Any

    @property
    def port(self) -> int:
        return self.process.port

    def info(self) -> dict[str, str]:
        """INFO replication as ``field -> raw value`` (strings, as printed)."""
        text = self.client.execute_command("INFO", "replication").decode()
        pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
        return {k: v for k, v in pairs}

    def log(self) -> str:
        """The whole server log (stdout) so far."""
        return self.process.log_path.read_text(errors="replace")

    def dataset(self) -> dict[bytes, object]:
        """Every key's value, read with the client (sets sorted, zsets with scores)."""
        c = self.client
        out: dict[bytes, object] = {}
        for key in sorted(c.keys("*")):
            kind = c.type(key)
            if kind == b"string":
                out[key] = c.get(key)
            elif kind == b"list":
                out[key] = c.lrange(key, 0, -1)
            elif kind == b"hash":
                out[key] = c.hgetall(key)
            elif kind == b"set":
                out[key] = sorted(c.smembers(key))
            elif kind == b"zset":
                out[key] = c.zrange(key, 0, -1, withscores=True)
        return out

    def replicaof(self, master: Node | None) -> None:
        if master is None:
            self.client.execute_command("REPLICAOF", "NO", "ONE")
        else:
            self.client.execute_command("REPLICAOF", "127.0.0.1", str(master.port))

    def wait_link_up(self, timeout: float = 10.0) -> None:
        wait_until(
            lambda: self.info().get("master_link_status") == "up",
            timeout,
            f"link up on replica {self.port}",
        )

    def wait_offset(self, master: Node, timeout: float = 10.0) -> None:
        """Until this replica has processed everything ``master`` has produced."""
        target = int(master.info()["master_repl_offset"])
        wait_until(
            lambda: int(self.info()["master_repl_offset"]) >= target,
            timeout,
            f"replica {self.port} reaching offset {target}",
        )

    def pause(self) -> None:
        """SIGSTOP, returning once the process is stopped (signals arrive asynchronously)."""
        self.process.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
        wait_until(self._stopped, 5, f"node {self.port} stopped")

    def resume(self) -> None:
        """SIGCONT, returning once the process runs again."""
        self.process.process.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
        wait_until(lambda: not self._stopped(), 5, f"node {self.port} running")

    def _stopped(self) -> bool:
        status = psutil.Process(self.process.pid).status()
        return status in (psutil.STATUS_STOPPED, psutil.STATUS_TRACING_STOP)


@dataclass
class Group:
    root: Path
    processes: list[ServerProcess] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)

    def _wrap(self, process: ServerProcess) -> Node:
        self.processes.append(process)
        process.start()
        client: Any = redis.Redis(port=process.port, socket_timeout=15)
        client.set_response_callback("INFO", lambda response, **_: response)
        self.clients.append(client)
        return Node(process, client)

    def ours(self, name: str, *args: str) -> Node:
        return self._wrap(splitbrain_server(self.root / name, args=args))

    def restart(self, node: Node) -> Node:
        """Start the same command line again (same port, same directory)."""
        process = ServerProcess(node.process.argv, node.port, node.process.workdir)
        return self._wrap(process)

    def real(self, name: str, *args: str) -> Node:
        return self._wrap(redis_server(self.root / name, args=args))

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        for process in self.processes:
            process.stop()


@pytest.fixture
def group(tmp_path: Path) -> Iterator[Group]:
    started = Group(tmp_path)
    try:
        yield started
    finally:
        started.stop()
