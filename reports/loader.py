"""Read a run folder into :class:`reports.rundata.RunData`: the only place reports read
run files. Missing or malformed inputs become notes in ``problems``, never a crash and
never a silent drop."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from base.op import Op
from checkers.history.formats import read_jsonl_history
from checkers.history.pairing import pair_attempts
from checkers.results.run import RunResults
from checkers.results.setfull import LostWrite
from reports.history import client_operations, end_time_ns, read_faults
from reports.index import RunFiles, RunSummary, newest_first, summarize
from reports.rundata import Assets, ResourceSample, RunData, RunFile
from reports.summary import SUMMARY_JSON

GENERATED = ("report.html", "results.xml", "summary.md", SUMMARY_JSON)
"""Files the reports write themselves (linked, but not read)."""

_MAX_PROBLEMS_PER_FILE = 5


class RunFolderError(Exception):
    """The folder given is not a run folder at all (the user's mistake)."""


def load_run(run_dir: Path) -> RunData:
    """Read ``run_dir``. Raises :class:`RunFolderError` when it is not a directory or holds
    none of test.json, results.json, history.jsonl."""
    if not run_dir.is_dir():
        raise RunFolderError(f"{run_dir}: not a directory")
    markers = ("test.json", "results.json", "history.jsonl")
    if not any((run_dir / m).is_file() for m in markers):
        raise RunFolderError(
            f"{run_dir}: not a run folder (no test.json, results.json or history.jsonl)"
        )
    problems: list[str] = []
    test = _read_json_object(run_dir / "test.json", problems)
    results = _read_results(run_dir / "results.json", problems)
    history = _read_history(run_dir / "history.jsonl", problems)
    resources = _read_resources(run_dir / "resources.jsonl", problems)
    end_ns = max(end_time_ns(history), max((s.time_ns for s in resources), default=0))
    attempts = pair_attempts(history)
    return RunData(
        name=run_dir.name,
        test=test,
        results=results,
        history=tuple(history),
        operations=tuple(client_operations(attempts)),
        faults=tuple(read_faults(history, attempts, end_ns)),
        resources=tuple(resources),
        end_ns=end_ns,
        files=tuple(list_files(run_dir)),
        every_lost=_read_lost(run_dir, results, problems),
        problems=tuple(problems),
    )


def _read_json_object(path: Path, problems: list[str]) -> dict[str, Any]:
    if not path.is_file():
        problems.append(f"{path.name} is missing")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        problems.append(f"{path.name} could not be read: {e}")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path.name} is not a JSON object")
        return {}
    return data


def _jsonl(path: Path, problems: list[str]) -> list[tuple[int, Mapping[str, Any]]]:
    """(line number, object) for each good line; bad lines are counted in ``problems``."""
    if not path.is_file():
        problems.append(f"{path.name} is missing")
        return []
    rows: list[tuple[int, Mapping[str, Any]]] = []
    bad: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as e:
                bad.append(f"line {number}: {e.msg}")
                continue
            if not isinstance(data, dict):
                bad.append(f"line {number}: not a JSON object")
                continue
            rows.append((number, data))
    _note_bad(path, bad, problems)
    return rows


def _note_bad(path: Path, bad: list[str], problems: list[str]) -> None:
    if bad:
        shown = "; ".join(bad[:_MAX_PROBLEMS_PER_FILE])
        more = f" (and {len(bad) - _MAX_PROBLEMS_PER_FILE} more)" if len(bad) > 5 else ""
        problems.append(f"{path.name}: {len(bad)} malformed line(s) skipped: {shown}{more}")


def _read_results(path: Path, problems: list[str]) -> RunResults | None:
    """results.json through the checkers' :class:`RunResults`; None (and a note) when it
    is missing or not results."""
    if not path.is_file():
        problems.append(f"{path.name} is missing")
        return None
    data = _read_json_object(path, problems)
    if not data:
        return None
    try:
        return RunResults.from_json(data)
    except ValueError as e:
        problems.append(f"{path.name} is not checker results: {e}")
        return None


def _read_lost(
    run_dir: Path, results: RunResults | None, problems: list[str]
) -> tuple[LostWrite, ...] | None:
    """Every lost write from the file results.json names (lost.jsonl); None when it
    names none. A bad line becomes a note; a file shorter than results.json says too."""
    loss = None if results is None else results.loss
    if loss is None or loss.file is None:
        return None
    path = run_dir / Path(loss.file).name  # never outside the run folder
    writes: list[LostWrite] = []
    bad: list[str] = []
    for number, data in _jsonl(path, problems):
        try:
            writes.append(LostWrite.from_json(data))
        except ValueError as e:
            bad.append(f"line {number}: {e}")
    _note_bad(path, bad, problems)
    if loss.file_count is not None and len(writes) != loss.file_count:
        problems.append(
            f"{path.name}: {len(writes):,} lost writes read, results.json says {loss.file_count:,}"
        )
    return tuple(writes)


def _read_history(path: Path, problems: list[str]) -> list[Op]:
    """history.jsonl through ``checkers.history`` (the one reader); bad lines become a
    note."""
    if not path.is_file():
        problems.append(f"{path.name} is missing")
        return []
    try:
        ops, skipped = read_jsonl_history(path)
    except OSError as e:
        problems.append(f"{path.name} could not be read: {e}")
        return []
    _note_bad(path, [f"line {e.line}: {e.message}" for e in skipped], problems)
    return ops


def _read_resources(path: Path, problems: list[str]) -> list[ResourceSample]:
    if not path.is_file():
        problems.append("resources.jsonl is missing: no CPU / memory plots")
        return []
    samples: list[ResourceSample] = []
    bad: list[str] = []
    for number, data in _jsonl(path, problems):
        try:
            samples.append(
                ResourceSample(
                    time_ns=int(data["time"]),
                    node=str(data["node"]),
                    cpu=_float(data.get("cpu")),
                    rss=_int(data.get("rss")),
                    connections=_int(data.get("connections")),
                )
            )
        except (KeyError, ValueError, TypeError) as e:
            bad.append(f"line {number}: {type(e).__name__}: {e}")
    _note_bad(path, bad, problems)
    return samples


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def find_runs(store_dir: Path) -> list[RunSummary]:
    """Every run folder ``store/<test>/<stamp>/`` (``latest`` links skipped), newest first."""
    runs: list[RunSummary] = []
    if not store_dir.is_dir():
        return runs
    for test_dir in sorted(store_dir.iterdir()):
        if not test_dir.is_dir() or test_dir.is_symlink():
            continue
        for run_dir in test_dir.iterdir():
            if run_dir.is_symlink() or not run_dir.is_dir():
                continue
            if (run_dir / "test.json").is_file() or (run_dir / "results.json").is_file():
                files = RunFiles(
                    path=run_dir.relative_to(store_dir).as_posix(),
                    test=_quiet_json(run_dir / "test.json"),
                    results=_quiet_results(run_dir / "results.json"),
                    figures=_quiet_json(run_dir / SUMMARY_JSON),
                    has_report=(run_dir / "report.html").is_file(),
                )
                runs.append(summarize(files))
    return newest_first(runs)


def _quiet_json(path: Path) -> dict[str, Any]:
    """A JSON object file, or {} if it is missing or broken (the index shows 'unknown')."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _quiet_results(path: Path) -> RunResults | None:
    """results.json, or None if it is missing or not results (the index shows 'unknown')."""
    try:
        return RunResults.from_json(_quiet_json(path))
    except ValueError:
        return None


def load_assets() -> Assets:
    """The report's stylesheet and script, from the package data (reports/assets/)."""
    folder = resources.files("reports") / "assets"
    return Assets(
        css=(folder / "report.css").read_text(encoding="utf-8"),
        js=(folder / "report.js").read_text(encoding="utf-8"),
    )


def list_files(run_dir: Path) -> list[RunFile]:
    """Files worth linking from the report: the run's own files first, then each node's."""
    files: list[RunFile] = []
    for path in sorted(run_dir.iterdir()):
        if path.is_file() and path.name not in GENERATED:
            group = "history" if path.name.startswith("history") else "run"
            files.append(RunFile(path.name, path.stat().st_size, group))
    nodes = run_dir / "nodes"
    if nodes.is_dir():
        for path in sorted(nodes.rglob("*")):
            if path.is_file():
                rel = path.relative_to(run_dir)
                node = rel.parts[1] if len(rel.parts) > 2 else "nodes"
                files.append(RunFile(rel.as_posix(), path.stat().st_size, f"node {node}"))
    return files
