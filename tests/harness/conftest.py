"""Fixtures for the harness suite: a real 3-primary redis-server cluster on loopback,
and checks that a run left nothing behind."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.dbs.cluster import ClusterDB
from harness.dbs.cluster_spec import ClusterSpec
from harness.dbs.network import LoopbackNetwork
from harness.leftovers import processes_in
from harness.netns import find_leftovers


@pytest.fixture(scope="module")
def cluster3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterDB]:
    """Three redis-server primaries, no replicas (no 5 s first-sync delay), loopback."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server missing: run make setup")
    data = tmp_path_factory.mktemp("cluster3")
    db = ClusterDB(
        ClusterSpec(db="redis", nodes=3, replicas=0, appendonly=False, ready_timeout_s=30),
        LoopbackNetwork(),
        data,
        lambda _: None,
    )
    asyncio.run(db.setup())
    try:
        yield db
    finally:
        asyncio.run(db.teardown())
        assert not processes_in(data), "node processes left behind"


def assert_nothing_left(run_dir: Path, prefix: str | None) -> None:
    """No process runs inside the run's data folder; no namespace/link has its prefix."""
    data = run_dir / "data"
    if data.exists():
        assert processes_in(data) == {}, f"processes left in {data}"
    if prefix:
        assert find_leftovers(prefix).empty, f"network leftovers for {prefix}"
