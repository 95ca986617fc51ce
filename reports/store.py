"""The reports' file I/O: read a run folder, write its report.html, results.xml and
summary.md; write a store's index.html. Everything else in the package is pure."""

from __future__ import annotations

import json
import os
from pathlib import Path

from reports.index import render_index
from reports.junit import render_junit
from reports.loader import find_runs, load_assets, load_run
from reports.page import findings, render_report
from reports.summary import SUMMARY_JSON, render_summary, summary_figures


def render_run(run_dir: Path) -> Path:
    """Write ``report.html``, ``results.xml``, ``summary.md`` and ``report-summary.json``
    (figures for the index) into ``run_dir``; return
    the report's path. Raises :class:`reports.loader.RunFolderError` for a folder that is
    not a run folder."""
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    report = run_dir / "report.html"
    found = findings(run)
    _write(report, render_report(run, load_assets(), found))
    _write(run_dir / "results.xml", render_junit(run))
    figures = summary_figures(run, found.lost, found.availability, found.outage)
    _write(run_dir / SUMMARY_JSON, json.dumps(figures, indent=1) + "\n")
    _write(
        run_dir / "summary.md",
        render_summary(run, found.lost, found.availability, found.outage, found.failing),
    )
    return report


def update_index(store_dir: Path) -> Path:
    """Write ``store_dir/index.html`` listing every run folder in the store."""
    store_dir = Path(store_dir)
    store_dir.mkdir(parents=True, exist_ok=True)
    index = store_dir / "index.html"
    _write(index, render_index(find_runs(store_dir)))
    return index


def _write(path: Path, text: str) -> None:
    """Replace ``path`` atomically, so a reader never sees half a report."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
