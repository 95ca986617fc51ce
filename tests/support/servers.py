"""Real server processes for tests: redis-server and splitbrain-server on free ports.

Processes are started in their own session and stopped by pid; nothing is killed by name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")


def free_port(*, with_bus: bool = False) -> int:
    """A TCP port on 127.0.0.1 that is free now (and port+10000 too when ``with_bus``)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port: int = s.getsockname()[1]
        if port + 10000 > 65535 and with_bus:
            continue
        if with_bus:
            try:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port found")


def ping(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """True when a RESP server answers ``PING`` with ``+PONG`` (or an auth error)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            data = s.recv(64)
            return data.startswith(b"+PONG") or data.startswith(b"-NOAUTH")
    except OSError:
        return False


def wait_until(predicate: object, timeout: float, what: str, interval: float = 0.02) -> None:
    """Poll ``predicate()`` until true; raise ``TimeoutError`` naming ``what`` at the deadline."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class ServerProcess:
    """A started server; :meth:`stop` ends it by pid (SIGTERM, then SIGKILL)."""

    argv: list[str]
    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.workdir / f"server-{self.port}.out"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 15.0) -> ServerProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until(
                lambda: ping(self.port) or self.process is None or self.process.poll() is not None,
                timeout,
                f"{self.argv[0]} on port {self.port}",
            )
        except TimeoutError:
            self.stop()
            raise
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.argv} exited with {self.process.returncode}: {self.output()}"
            )
        return self

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL and reap."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def redis_server(workdir: Path, port: int | None = None, args: Sequence[str] = ()) -> ServerProcess:
    """A real redis-server on 127.0.0.1 (not started yet: call ``.start()``)."""
    if REDIS_SERVER is None:
        raise RuntimeError("redis-server is not installed (make setup installs it)")
    port = port or free_port(with_bus=True)
    argv = [
        REDIS_SERVER,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        *args,
    ]
    return ServerProcess(argv, port, workdir)


def splitbrain_server(
    workdir: Path, port: int | None = None, args: Sequence[str] = ()
) -> ServerProcess:
    """A splitbrain-server on 127.0.0.1 (not started yet: call ``.start()``)."""
    port = port or free_port(with_bus=True)
    argv = [
        sys.executable,
        "-m",
        "nodes",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--dir",
        str(workdir),
        *args,
    ]
    env_note = os.environ.get("SPLITBRAIN_SERVER_ARGS")
    if env_note:
        argv.extend(env_note.split())
    return ServerProcess(argv, port, workdir)
