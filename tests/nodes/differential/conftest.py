"""One redis-server and one splitbrain-server per test module, shared by its scripts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import REDIS_SERVER, ServerProcess, redis_server, splitbrain_server

SAME_AS_REDIS = ("--save", "", "--appendonly", "no")
"""The options tests.support gives redis-server, so that CONFIG GET compares like with like."""

NOT_WRITTEN_YET = "splitbrain-server: not implemented yet"


@dataclass(frozen=True, slots=True)
class ServerPair:
    """The reference (``theirs``, always redis-server) and the server under test."""

    theirs: ServerProcess
    ours: ServerProcess


def _need_redis() -> None:
    if REDIS_SERVER is None:
        pytest.fail("redis-server missing: run make setup")


def start_pair(
    base: Path, redis_args: Sequence[str] = (), our_args: Sequence[str] = SAME_AS_REDIS
) -> Iterator[ServerPair]:
    """Start redis-server and splitbrain-server under ``base``; yield them; stop both."""
    _need_redis()
    theirs = redis_server(base / "redis", args=redis_args).start()
    try:
        try:
            ours = splitbrain_server(base / "splitbrain", args=our_args).start()
        except RuntimeError as e:
            # Only while the standalone core is being written (its placeholder command
            # line says so): once `python -m nodes` serves, every test here runs and
            # must pass; any other start failure is a failure.
            if NOT_WRITTEN_YET not in str(e):
                raise
            pytest.skip("splitbrain-server core not written yet (placeholder command line)")
        try:
            yield ServerPair(theirs, ours)
        finally:
            ours.stop()
    finally:
        theirs.stop()


@pytest.fixture(scope="module")
def server_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPair]:
    """redis-server 7.0 and splitbrain-server, started once for the module."""
    yield from start_pair(tmp_path_factory.mktemp("differential"))


@pytest.fixture(scope="module")
def redis_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPair]:
    """Two redis-servers: the scripts must agree with themselves before they judge us."""
    _need_redis()
    base = tmp_path_factory.mktemp("differential-self")
    first = redis_server(base / "a").start()
    try:
        second = redis_server(base / "b").start()
        try:
            yield ServerPair(first, second)
        finally:
            second.stop()
    finally:
        first.stop()
