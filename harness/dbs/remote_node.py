"""One node process on an SSH host, controlled by pid over its host's connection: start,
SIGKILL, SIGSTOP/SIGCONT, stop (the remote twin of :class:`harness.dbs.node.NodeProcess`).

The process runs in a session of its own on the host (``setsid``), in its remote data
folder, its output appended to ``stdout.log`` there. Whether it answers is checked from
the harness (PING over TCP), as for a local node.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Sequence

from base.db import NodeHost
from harness.client.resp import ping_problem
from harness.dbs.node import NodeStartError
from harness.ssh import SSHHost

POLL_S = 0.1


class RemoteNode:
    """A node's process on ``ssh``'s host across restarts; ``pid`` is None while it is
    not running (as far as the harness knows: a kill or a stop it made)."""

    def __init__(self, ssh: SSHHost, host: NodeHost, argv: Sequence[str], folder: str) -> None:
        self.ssh = ssh
        self.host = host
        self.argv = tuple(argv)
        self.folder = folder
        self.pid: int | None = None
        self.paused = False
        self.starts = 0

    @property
    def name(self) -> str:
        return self.host.name

    @property
    def running(self) -> bool:
        return self.pid is not None

    async def start(self, timeout_s: float = 30.0) -> None:
        """Start the process unless it runs; return once it answers PING."""
        if self.pid is not None:
            return
        await self.ssh.run(["mkdir", "-p", self.folder])
        self.pid = await self.ssh.start(self.argv, f"{self.folder}/stdout.log", cwd=self.folder)
        self.paused = False
        self.starts += 1
        await self._await_ping(timeout_s)

    async def _await_ping(self, timeout_s: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        last = "no answer"
        next_alive_check = loop.time()
        while loop.time() < deadline:
            if loop.time() >= next_alive_check:
                assert self.pid is not None
                if not await self.ssh.alive(self.pid):
                    self.pid = None
                    raise NodeStartError(
                        f"node {self.name} on {self.ssh.target} exited at start: "
                        f"{await self.output_tail()}"
                    )
                next_alive_check = loop.time() + 1.0
            problem = await ping_problem(self.host.ip, self.host.port)
            if problem is None:
                return
            last = problem
            await asyncio.sleep(POLL_S)
        await self.kill()
        raise NodeStartError(
            f"node {self.name} on {self.ssh.target} did not answer PING in {timeout_s:g}s "
            f"({last}); output: {await self.output_tail() or 'none'}"
        )

    async def kill(self, timeout_s: float = 10.0) -> None:
        """SIGKILL and wait until the pid is gone; a process already gone is fine."""
        pid = self.pid
        if pid is None:
            return
        await self.ssh.signal(pid, "KILL")
        await self._gone(pid, timeout_s)
        self.pid = None
        self.paused = False

    async def stop(self, grace_s: float = 5.0) -> None:
        """SIGCONT + SIGTERM, then SIGKILL after ``grace_s``."""
        pid = self.pid
        if pid is None:
            return
        await self.ssh.signal(pid, "CONT")
        await self.ssh.signal(pid, "TERM")
        if not await self._gone(pid, grace_s):
            await self.kill()
        self.pid = None
        self.paused = False

    async def pause(self) -> None:
        if self.pid is not None:
            await self.ssh.signal(self.pid, "STOP")
            self.paused = True

    async def resume(self) -> None:
        if self.pid is not None:
            await self.ssh.signal(self.pid, "CONT")
        self.paused = False

    async def _gone(self, pid: int, timeout_s: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while await self.ssh.alive(pid):
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(POLL_S)
        return True

    async def output_tail(self, limit: int = 1000) -> str:
        """The ends of the node's log and stdout on its host (best effort)."""
        files = " ".join(shlex.quote(f"{self.folder}/{f}") for f in ("node.log", "stdout.log"))
        try:
            done = await self.ssh.run(
                ["sh", "-c", f"tail -c {limit // 2} {files} 2>/dev/null"], check=False
            )
        except Exception as e:  # the host stopped answering: say so
            return f"(cannot read the output: {e})"
        return " | ".join(line for line in done.stdout.strip().splitlines() if line.strip())
