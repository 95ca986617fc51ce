"""A small database for process-fault tests: each node is a real ``sleep`` process.

Implements Killable, Pausable and HasPrimaries over processes it started itself (by
pid), with fixed roles, so the tests can check that the nemesis hits the right pids.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Callable, Sequence

import psutil

from base.db import NodeHost, Topology


class SleeperDB:
    def __init__(self, hosts: Sequence[NodeHost], topology: Topology | None = None) -> None:
        self._hosts = tuple(hosts)
        self._topology = topology
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.started: list[int] = []

    @property
    def hosts(self) -> Sequence[NodeHost]:
        return self._hosts

    async def setup(self) -> None:
        for h in self._hosts:
            await self.start(h.name)

    async def teardown(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait(5)

    async def topology(self) -> Topology:
        if self._topology is None:
            raise ConnectionError("no roles")
        return self._topology

    def pid(self, node: str) -> int:
        return self.procs[node].pid

    def alive(self, node: str) -> bool:
        return self.procs[node].poll() is None

    def stopped(self, node: str) -> bool:
        return psutil.Process(self.pid(node)).status() == psutil.STATUS_STOPPED

    async def kill(self, node: str) -> None:
        proc = self.procs[node]
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)

    async def start(self, node: str) -> None:
        old = self.procs.get(node)
        if old is not None and old.poll() is None:
            return
        proc = subprocess.Popen(["sleep", "300"], start_new_session=True)
        self.procs[node] = proc
        self.started.append(proc.pid)

    async def pause(self, node: str) -> None:
        os.kill(self.pid(node), signal.SIGSTOP)
        await self._until(lambda: self.stopped(node), f"{node} stopped")

    async def resume(self, node: str) -> None:
        os.kill(self.pid(node), signal.SIGCONT)
        await self._until(lambda: not self.stopped(node), f"{node} running")

    @staticmethod
    async def _until(predicate: Callable[[], bool], what: str) -> None:
        """Signals arrive asynchronously: wait (5 s at most) for the state to show."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while not predicate():
            if loop.time() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.005)
