"""Fixtures shared by every suite: seeds, real servers on free ports, artifact folder."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import REDIS_SERVER, ServerProcess, redis_server, splitbrain_server

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    """A seed for this test: $SPLITBRAIN_SEED or a fresh one, printed so a failure replays."""
    value = int(os.environ.get("SPLITBRAIN_SEED", random.SystemRandom().randrange(2**32)))
    print(f"seed={value} (rerun with SPLITBRAIN_SEED={value})")
    return value


@pytest.fixture
def rng(seed: int) -> random.Random:
    return random.Random(seed)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave files for a person to look at (screenshots); git-ignored."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def real_redis(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real redis-server 7.0 on a free port."""
    if REDIS_SERVER is None:
        pytest.fail("redis-server missing: run make setup")
    server = redis_server(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def our_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A standalone splitbrain-server on a free port."""
    server = splitbrain_server(tmp_path / "splitbrain").start()
    try:
        yield server
    finally:
        server.stop()
