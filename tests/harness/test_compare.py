"""`harness compare` end to end as a subprocess: two short real runs with the same seed,
one on redis-server and one on splitbrain-server, compared by store name and by folder;
the printed table and compare.md; bad run names and folders without results.json exit
254 with a clear message, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.test_run import QUICK, harness, latest

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """(store, redis run, splitbrain run): set workload, no faults, 2 s each, seed 11."""
    store = tmp_path_factory.mktemp("compare") / "store"
    dirs = []
    for db in ("redis", "splitbrain"):
        args = ["run", "--db", db, "--net", "loopback", "--nemesis", "none", "--workload", "set"]
        done = harness(*args, *QUICK, "--time-limit", "2", "--store", str(store), "--seed", "11")
        assert done.returncode == 0, done.stderr[-3000:]
        dirs.append(latest(store))
    yield store, dirs[0], dirs[1]


def cells(table: str, label: str) -> list[str]:
    """The cells of the table row named ``label``."""
    for line in table.splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if parts[0] == label:
            return parts[1:]
    raise AssertionError(f"no row {label!r} in:\n{table}")


def test_compare_redis_and_splitbrain_runs_of_one_seed(two_runs: tuple[Path, Path, Path]) -> None:
    store, redis_run, ours = two_runs
    done = harness("compare", "--store", str(store), "redis-set-none", "splitbrain-set-none")
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    assert table.startswith(f"# compare: redis-set-none/{redis_run.name} vs ")
    assert cells(table, "db") == ["redis", "splitbrain", "differs"]
    assert cells(table, "seed") == ["11", "11", ""]
    assert cells(table, "verdict") == ["valid", "valid", ""]
    for run_dir, side in ((redis_run, 0), (ours, 1)):
        lost = json.loads((run_dir / "results.json").read_text())["lost_writes"]
        acked = cells(table, "acknowledged writes")[side]
        assert acked == f"{lost['acknowledged_count']:,}"
        assert cells(table, "lost writes")[side] == "0"
    assert cells(table, "WAIT none: lost / acknowledged")[0].startswith("0 / ")
    p50_p95_p99 = cells(table, "latency add ok ms: p50 / p95 / p99")
    assert all(len(side.split(" / ")) == 3 for side in p50_p95_p99[:2])
    written = ours / "compare.md"
    assert written.read_text() == table
    assert "Traceback" not in done.stderr and str(written) in done.stderr


def test_compare_by_folder_writes_output(two_runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, redis_run, ours = two_runs
    out = tmp_path / "cmp.md"
    done = harness("compare", str(ours), str(redis_run), "--output", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    assert out.read_text() == done.stdout
    assert cells(done.stdout, "db")[:2] == ["splitbrain", "redis"]


def test_missing_run_and_folder_without_results_exit_254(
    two_runs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    store, redis_run, _ = two_runs
    done = harness("compare", "--store", str(store), "no-such-test", "latest")
    assert done.returncode == 254
    assert "no-such-test: no such run folder" in done.stderr and "Traceback" not in done.stderr
    empty = tmp_path / "empty-run"
    empty.mkdir()
    (empty / "test.json").write_text("{}")
    done = harness("compare", str(redis_run), str(empty))
    assert done.returncode == 254
    assert "no results.json" in done.stderr and "Traceback" not in done.stderr
    (empty / "results.json").write_text("{not json")
    done = harness("compare", str(empty), str(redis_run))
    assert done.returncode == 254
    assert "cannot be read" in done.stderr and "Traceback" not in done.stderr
    assert not (redis_run / "compare.md").exists()
