"""Node resources sampled with psutil every second into resources.jsonl:
``{"time": ns since test start, "node", "cpu": percent, "rss": bytes, "connections": n}``.

``connections`` counts the process's open sockets (from /proc/<pid>/fd), which works
the same inside a network namespace as outside; it includes the listening sockets.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import psutil


def socket_count(pid: int) -> int:
    n = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                n += 1
        except OSError:
            continue
    return n


class ResourceSampler:
    """Samples ``pids()`` (node name -> pid, re-read each time: nodes restart)."""

    def __init__(
        self, path: Path, pids: Callable[[], Mapping[str, int]], now_ns: Callable[[], int]
    ) -> None:
        self.path = path
        self._pids = pids
        self._now_ns = now_ns
        self._procs: dict[int, psutil.Process] = {}

    def sample(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        t = self._now_ns()
        for node, pid in sorted(self._pids().items()):
            proc = self._procs.get(pid)
            try:
                if proc is None:
                    proc = self._procs[pid] = psutil.Process(pid)
                    proc.cpu_percent(None)  # the first call only starts the measurement
                    cpu = 0.0
                else:
                    cpu = proc.cpu_percent(None)
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            rows.append(
                {"time": t, "node": node, "cpu": cpu, "rss": rss, "connections": socket_count(pid)}
            )
        return rows

    async def run(self, interval_s: float = 1.0) -> None:
        """Sample forever (cancel to stop), appending to the file."""
        with open(self.path, "a", encoding="utf-8") as out:
            while True:
                rows = self.sample()
                if rows:
                    out.write("".join(json.dumps(r) + "\n" for r in rows))
                    out.flush()
                await asyncio.sleep(interval_s)
