"""A 100,000-operation run: the report stays usable (size, render time in Chromium) and
draws every operation; past the drawing limit it downsamples and says so."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

import reports
from reports.loader import load_assets, load_run
from reports.page import render_report
from tests.reports.chromium import render
from tests.reports.conftest import Store
from tests.reports.runfolders import register_history, write_run

pytestmark = [pytest.mark.chromium, pytest.mark.slow]

OPERATIONS = 100_000
MAX_BYTES = 6 * 2**20
MAX_SCRIPT_MS = 3000


def test_report_of_100k_operations_is_usable(tmp_path: Path, artifacts_dir: Path):
    rng = random.Random(100_000)
    history = register_history(rng, OPERATIONS, 300)
    results = {"valid": True, "checkers": {"linearizability": {"valid": True}}}
    run = write_run(
        tmp_path, "register-large", "20261122T000000", history, results,
        seed=100_000, workload="register", nemesis=["partition-minority", "kill"],
        duration_s=300,
    )  # fmt: skip
    started = time.monotonic()
    report = reports.render_run(run)
    python_s = time.monotonic() - started
    size = report.stat().st_size
    shot = artifacts_dir / "report-100k.png"
    page = render(report.as_uri(), screenshot=shot, size=(1400, 1600))
    script_ms = float(re.findall(r'data-render-ms="([\d.]+)"', page.dom)[0])
    figures = (
        f"100k-op report: {size / 2**20:.2f} MiB, rendered by Python in {python_s:.1f} s, "
        f"charts drawn by Chromium's script in {script_ms:.0f} ms, whole headless "
        f"Chromium load + screenshot {page.seconds:.1f} s"
    )
    print(figures)
    (artifacts_dir / "report-100k.txt").write_text(figures + "\n")
    assert 'data-ready="1"' in page.dom and page.console_errors == []
    assert re.search(r'<pre id="js-errors"[^>]*></pre>', page.dom)
    assert "Downsampled" not in page.dom
    for chart in ("timeline", "latency"):
        drawn = re.search(rf'<canvas id="chart-{chart}"[^>]*data-drawn="(\d+)"', page.dom)
        assert drawn is not None and int(drawn.group(1)) == OPERATIONS, chart
    assert size < MAX_BYTES, figures
    assert script_ms < MAX_SCRIPT_MS, figures


def test_past_the_limit_the_drawing_is_downsampled_with_a_note(tmp_path: Path, store: Store):
    run = load_run(store.valid)
    html = render_report(run, load_assets(), limit=500)
    page_file = tmp_path / "sampled.html"
    page_file.write_text(html)
    page = render(page_file.as_uri(), size=(1400, 1000))
    assert 'data-ready="1"' in page.dom and page.console_errors == []
    assert f"Downsampled for drawing: 500 of {len(run.operations):,} operations shown" in page.dom
    drawn = re.search(r'<canvas id="chart-timeline"[^>]*data-drawn="(\d+)"', page.dom)
    assert drawn is not None and int(drawn.group(1)) == 500
