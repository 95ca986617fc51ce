"""harness/run_names.py: a run named by folder or by its name in the store, in a store
laid out by harness/store.py (latest links included)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.run_names import RunNotFound, display_name, resolve_run
from harness.store import new_run_dir


def test_names_in_the_store_and_folders_resolve(tmp_path: Path) -> None:
    store = tmp_path / "store"
    older = new_run_dir(store, "redis-set-none", datetime(2026, 12, 1, tzinfo=UTC))
    newer = new_run_dir(store, "redis-set-none", datetime(2026, 12, 2, tzinfo=UTC))
    other = new_run_dir(store, "splitbrain-set-none", datetime(2026, 12, 3, tzinfo=UTC))
    assert resolve_run("latest", store) == other.resolve()
    assert resolve_run("redis-set-none", store) == newer.resolve()
    assert resolve_run("redis-set-none/latest", store) == newer.resolve()
    assert resolve_run(f"redis-set-none/{older.name}", store) == older.resolve()
    assert resolve_run(str(older), tmp_path / "elsewhere") == older.resolve()
    assert resolve_run(str(store / "redis-set-none"), tmp_path) == newer.resolve()
    assert display_name(older.resolve(), store) == f"redis-set-none/{older.name}"
    assert display_name(older.resolve(), tmp_path / "elsewhere") == str(older.resolve())


def test_an_unknown_name_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(RunNotFound, match="no-such: no such run folder") as found:
        resolve_run("no-such", tmp_path / "store")
    assert str(tmp_path / "store" / "no-such") in str(found.value)
    with pytest.raises(RunNotFound, match=r"\(/no/such/run does not exist\)"):
        resolve_run("/no/such/run", tmp_path)
