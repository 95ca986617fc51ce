"""One node process, controlled by pid: start, SIGKILL, SIGSTOP/SIGCONT, stop.

The process runs in its own session (so a Ctrl-C at the terminal reaches only the
harness, which then stops it deliberately), with its data dir as working directory and
its stdout/stderr appended to ``stdout.log`` there.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from base.db import NodeHost
from harness.client.resp import ping_problem


class NodeStartError(RuntimeError):
    """A node process exited or did not answer PING before its deadline."""


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """How to run one node: its address, full argv (namespace wrapper included) and
    data dir (which holds nodes.conf, the AOF, the log)."""

    host: NodeHost
    argv: tuple[str, ...]
    data_dir: Path
    env: Mapping[str, str] | None = None
    """Extra environment variables (libfaketime's for the clock fault)."""

    @property
    def name(self) -> str:
        return self.host.name


class NodeProcess:
    """A node's process across restarts. ``pid`` is None while it is not running."""

    def __init__(self, spec: NodeSpec) -> None:
        self.spec = spec
        self._popen: subprocess.Popen[bytes] | None = None
        self.paused = False
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self.running and self._popen is not None else None

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    async def start(self, timeout_s: float = 20.0) -> None:
        """Start the process unless it runs; return once it answers PING."""
        if self.running:
            return
        self.spec.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.spec.data_dir / "stdout.log", "ab") as out:
            self._popen = subprocess.Popen(
                list(self.spec.argv),
                cwd=self.spec.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **self.spec.env} if self.spec.env else None,
            )
        self.paused = False
        self.starts += 1
        await self._await_ping(timeout_s)

    async def _await_ping(self, timeout_s: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        host = self.spec.host
        last = "no answer"
        while loop.time() < deadline:
            if self._popen is None or self._popen.poll() is not None:
                code = None if self._popen is None else self._popen.returncode
                raise NodeStartError(
                    f"node {self.spec.name} exited with {code} at start: {self.output_tail()}"
                )
            problem = await ping_problem(host.ip, host.port)
            if problem is None:
                return
            last = problem
            await asyncio.sleep(0.05)
        await self.kill()
        raise NodeStartError(
            f"node {self.spec.name} did not answer PING in {timeout_s}s ({last}); "
            f"output: {self.output_tail(600) or 'none'}"
        )

    async def kill(self) -> None:
        """SIGKILL and reap; a process that is already gone is fine."""
        popen = self._popen
        if popen is None or popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            popen.send_signal(signal.SIGKILL)
        await self._reap(popen, 10.0)
        self.paused = False

    async def stop(self, grace_s: float = 5.0) -> None:
        """SIGCONT + SIGTERM, then SIGKILL after ``grace_s``."""
        popen = self._popen
        if popen is None or popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            popen.send_signal(signal.SIGCONT)
            popen.send_signal(signal.SIGTERM)
        if not await self._reap(popen, grace_s):
            await self.kill()
        self.paused = False

    def pause(self) -> None:
        pid = self.pid
        if pid is not None:
            os.kill(pid, signal.SIGSTOP)
            self.paused = True

    def resume(self) -> None:
        pid = self.pid
        if pid is not None:
            os.kill(pid, signal.SIGCONT)
        self.paused = False

    @staticmethod
    async def _reap(popen: subprocess.Popen[bytes], timeout_s: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while popen.poll() is None:
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    def output_tail(self, limit: int = 2000) -> str:
        """The ends of ``node.log`` and ``stdout.log``, stdout last: a node that dies at
        start says why there (a traceback's last line), not in its log."""
        texts = []
        for name in ("node.log", "stdout.log"):
            path = self.spec.data_dir / name
            with contextlib.suppress(OSError):
                texts.append(path.read_text(errors="replace")[-limit // 2 :])
        return " | ".join(t.strip() for t in texts if t.strip())


def redis_argv(
    binary: Sequence[str],
    *,
    host: NodeHost,
    node_timeout_ms: int,
    appendonly: bool,
    appendfsync: str,
    extra: Sequence[str],
) -> list[str]:
    """redis-server's options for one cluster node (splitbrain-server takes the same)."""
    return [
        *binary,
        "--port",
        str(host.port),
        "--bind",
        host.ip,
        "--protected-mode",
        "no",
        "--daemonize",
        "no",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        str(node_timeout_ms),
        "--dir",
        ".",
        "--logfile",
        "node.log",
        "--save",
        "",
        "--appendonly",
        "yes" if appendonly else "no",
        "--appendfsync",
        appendfsync,
        *extra,
    ]
