"""The clock hook: a process started with faketime_env follows the offsets the nemesis
writes (real libfaketime, real ``date`` processes)."""

from __future__ import annotations

import asyncio
import random
import subprocess
import time
from pathlib import Path

import pytest

from checkers.op import OpType
from harness.db import NodeHost
from nemesis import FaultEnv, NemesisOptions, build_package, faketime_env
from nemesis.clock import libfaketime
from nemesis.schedule import nemesis_invoke

HOSTS = [NodeHost(f"n{i}", "127.0.0.1", 7000 + i, 17000 + i) for i in range(1, 6)]


class FakeTimeDB:
    """Nodes are processes started under libfaketime, one timestamp file each."""

    def __init__(self, folder: Path) -> None:
        self.files = {h.name: folder / f"{h.name}.faketime" for h in HOSTS}
        for f in self.files.values():
            f.write_text("+0\n")

    hosts = HOSTS

    async def setup(self) -> None: ...

    async def teardown(self) -> None: ...

    def faketime_file(self, node: str) -> Path | None:
        return self.files[node]

    def node_clock(self, node: str) -> int:
        """What a process of this node sees as the time (``date +%s``)."""
        env = faketime_env(self.files[node])
        out = subprocess.run(["date", "+%s"], env=env, capture_output=True, text=True, check=True)
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
