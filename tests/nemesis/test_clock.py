"""The clock hook: a process started with faketime_env follows the offsets the nemesis
writes (real libfaketime, real ``date`` processes)."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from base.db import NodeHost
from base.faketime import libfaketime
from base.op import OpType
from nemesis import FaultEnv, NemesisOptions, build_package
from nemesis.clock import FaketimeFiles, faketime_problem
from nemesis.schedule import nemesis_invoke

HOSTS = [NodeHost(f"n{i}", "127.0.0.1", 7000 + i, 17000 + i) for i in range(1, 6)]


class FakeTimeDB:
    """Nodes are processes started under libfaketime, one timestamp file each."""

    def __init__(self, folder: Path) -> None:
        self.clock = FaketimeFiles(folder)
        self.env = {h.name: self.clock.env_for(h.name) for h in HOSTS}

    hosts = HOSTS

    async def setup(self) -> None: ...

    async def teardown(self) -> None: ...

    def faketime_file(self, node: str) -> Path | None:
        return self.clock.faketime_file(node)

    def node_clock(self, node: str) -> int:
        """What a process of this node sees as the time (``date +%s``)."""
        out = subprocess.run(
            ["date", "+%s"], env=self.env[node], capture_output=True, text=True, check=True
        )
        return int(out.stdout)


def test_clock_skews_a_minority_and_resets(tmp_path, seed):
    if libfaketime() is None:
        pytest.fail("libfaketime missing: run make setup (Debian package faketime)")
    db = FakeTimeDB(tmp_path)

    async def scenario() -> None:
        package = build_package("clock", NemesisOptions(clock_offset_s=3600))
        await package.nemesis.setup(FaultEnv(db, HOSTS, random.Random(seed), print))
        done = await package.nemesis.invoke(nemesis_invoke("start-clock", "clock"))
        assert done.type is OpType.OK and len(done.value) == 2
        for h in HOSTS:
            expected = done.value.get(h.name, 0)
            assert abs(db.node_clock(h.name) - time.time() - expected) < 5, h.name
        await package.nemesis.teardown()
        assert all(abs(db.node_clock(h.name) - time.time()) < 5 for h in HOSTS)

    asyncio.run(scenario())


def test_faketime_problem_tells_which_binaries_can_be_skewed():
    assert faketime_problem([sys.executable, "-c", "import time; print(time.time())"]) is None
    # Debian's redis-server links jemalloc, which hangs under libfaketime.
    reason = faketime_problem(["redis-server", "--version"], timeout_s=2)
    assert reason is not None and reason.startswith("redis-server ")
