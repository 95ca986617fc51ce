"""The store index marks a run whose verdict or lost-write rate changed against the
previous run of the same test (reports/index.py change_marks, rule in reports/changes.py),
from the run folders' test.json and results.json as the harness writes them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import reports
from reports.index import change_marks
from reports.loader import find_runs
from tests.reports.test_compare import results

TEST = "redis-set-partition-minority"


def write_run(store: Path, test: str, stamp: str, valid: bool, counts: tuple[int, int]) -> str:
    """A run folder of ``test``; ``counts``: (acknowledged, lost)."""
    run = store / test / stamp
    run.mkdir(parents=True)
    described = {"name": test, "db": "redis", "workload": "set", "nemesis": "partition-minority"}
    (run / "test.json").write_text(json.dumps(described))
    (run / "results.json").write_text(json.dumps(results(valid, {"none": counts})))
    return f"{test}/{stamp}"


def change_cells(index: str) -> dict[str, str]:
    """Run path -> the text of its change cell (tags stripped)."""
    rows = re.findall(r'<a href="([^"]+)/">.*?<td class="change">(.*?)</td></tr>', index)
    return {path: re.sub(r"<[^>]+>", "", cell).strip() for path, cell in rows}


def test_verdict_and_lost_rate_changes_are_marked(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = write_run(store, TEST, "20261201T010000", True, (1000, 0))
    broke = write_run(store, TEST, "20261202T010000", False, (1000, 10))
    same = write_run(store, TEST, "20261203T010000", False, (900, 12))  # 1.0% -> 1.33%
    worse = write_run(store, TEST, "20261204T010000", False, (1000, 40))  # 1.33% -> 4%
    other = write_run(store, "redis-set-none", "20261204T020000", True, (1000, 0))
    marks = change_marks(find_runs(store))
    assert marks == {
        broke: ("verdict valid → invalid", "lost rate 0% → 1%"),
        worse: ("lost rate 1.33% → 4%",),
    }
    index = reports.update_index(store).read_text()
    cells = change_cells(index)
    assert cells[first] == "" and cells[same] == "" and cells[other] == ""
    assert cells[broke] == "changed verdict valid → invalid; lost rate 0% → 1%"
    assert cells[worse] == "changed lost rate 1.33% → 4%"
    assert index.count('class="pill changed"') == 3  # two runs, and the test's trend heading
    assert f'<h3>{TEST} <span class="pill changed"' in index
    assert "<h3>redis-set-none</h3>" in index


def test_a_run_without_set_full_changes_only_by_verdict(tmp_path: Path) -> None:
    store = tmp_path / "store"
    write_run(store, TEST, "20261201T010000", True, (1000, 0))
    run = store / TEST / "20261202T010000"
    run.mkdir()
    (run / "test.json").write_text(json.dumps({"name": TEST}))
    (run / "results.json").write_text(json.dumps({"valid": True, "checkers": {}}))
    assert change_marks(find_runs(store)) == {}
    (run / "results.json").write_text(json.dumps({"valid": "unknown", "checkers": {}}))
    marks = change_marks(find_runs(store))
    assert marks == {f"{TEST}/20261202T010000": ("verdict valid → unknown",)}
