"""Fixtures for migration tests: cluster nodes whose files live on tmpfs (a reshard
rewrites nodes.conf thousands of times: once per CLUSTER SETSLOT)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.nodes.cluster.conftest import Nodes


@pytest.fixture
def shm_nodes() -> Iterator[Nodes]:
    base = "/dev/shm" if Path("/dev/shm").is_dir() else None
    root = Path(tempfile.mkdtemp(prefix="splitbrain-migration-", dir=base))
    group = Nodes(root)
    try:
        yield group
    finally:
        group.stop()
        shutil.rmtree(root, ignore_errors=True)
