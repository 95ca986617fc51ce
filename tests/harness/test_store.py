"""Run folder layout: store/<test>/<timestamp>/ with latest links."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from harness import store
from harness.store import new_run_dir, run_dirs, write_json


def test_layout_and_latest_links(tmp_path: Path) -> None:
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    name = store.test_name("redis", "set", "partition-minority,kill")
    assert name == "redis-set-partition-minority+kill"
    first = new_run_dir(tmp_path, name, started)
    assert first == tmp_path / name / "20260102T030405"
    second = new_run_dir(tmp_path, name, started)  # same second: a distinct folder
    assert second != first and second.parent == first.parent
    assert (tmp_path / "latest").resolve() == second.resolve()
    assert (tmp_path / name / "latest").resolve() == second.resolve()
    assert not (tmp_path / "latest").readlink().is_absolute()  # the store can move
    other = new_run_dir(tmp_path, "redis-register-none", started)
    assert (tmp_path / "latest").resolve() == other.resolve()
    assert (tmp_path / name / "latest").resolve() == second.resolve()
    for run in (first, second, other):
        write_json(run / "test.json", {"name": run.name})
    assert run_dirs(tmp_path) == sorted([first, second, other])
