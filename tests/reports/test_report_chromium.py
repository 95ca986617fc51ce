"""Reports rendered in real headless Chromium: no script errors, the verdict, the
timeline and the plots in the rendered page; a screenshot of each in test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import reports
from tests.reports.chromium import Rendered, render
from tests.reports.conftest import Store

pytestmark = pytest.mark.chromium


def load(run: Path, artifacts: Path, name: str, height: int = 2400) -> Rendered:
    report = reports.render_run(run)
    shot = artifacts / f"report-{name}.png"
    shot.unlink(missing_ok=True)
    page = render(report.as_uri(), screenshot=shot, size=(1400, height))
    assert shot.is_file() and shot.stat().st_size > 10_000, "no screenshot"
    assert 'data-ready="1"' in page.dom, "the report's script did not finish"
    errors = re.search(r'<pre id="js-errors"[^>]*>([^<]*)</pre>', page.dom)
    assert errors is not None and errors.group(1) == "", f"script errors: {errors}"
    assert page.console_errors == []
    return page


def drawn(dom: str, chart: str) -> int:
    m = re.search(rf'<canvas id="chart-{chart}"[^>]*data-drawn="(\d+)"', dom)
    assert m is not None, f"chart {chart} was not drawn"
    return int(m.group(1))


def verdict(dom: str) -> str:
    m = re.search(r'id="verdict" class="banner (\w+)"[^>]*><div class="verdict-word">(\w+)<', dom)
    assert m is not None
    assert m.group(1).upper() == m.group(2)
    return m.group(2)


def test_valid_report(store: Store, artifacts_dir: Path):
    page = load(store.valid, artifacts_dir, "valid")
    assert verdict(page.dom) == "VALID"
    assert drawn(page.dom, "timeline") > 1000
    for chart in ("latency", "quantiles", "throughput", "cpu", "rss"):
        assert drawn(page.dom, chart) > 0, chart
    assert "harness run --db redis --workload register" in page.dom
    assert 'href="nodes/n1/redis.log"' in page.dom
    assert 'href="history.jsonl"' in page.dom and 'href="results.json"' in page.dom
    assert "Fault periods" in page.dom and "n1,n4 | n2,n3,n5,n6" in page.dom


def test_invalid_register_report_names_key_and_operation(store: Store, artifacts_dir: Path):
    page = load(store.invalid_register, artifacts_dir, "invalid-register", 1800)
    assert verdict(page.dom) == "INVALID"
    key = re.search(r'<code id="lin-key">([^<]*)</code>', page.dom)
    assert key is not None and key.group(1) == store.failing_key
    failed = re.search(r'<b id="lin-failed">([^<]*)</b>', page.dom)
    op = store.unplaceable
    assert failed is not None, "the operation that cannot be linearized is not named"
    assert failed.group(1).startswith(op["f"])
    assert f"by process {op['process']} (op {op['id']})" in failed.group(1)
    assert re.search(r'class="lin-op t-\w+ failed"', page.dom)
    assert page.dom.count('class="lin-point"') >= 1
    assert drawn(page.dom, "timeline") > 0


def test_invalid_set_report_lists_lost_writes(store: Store, artifacts_dir: Path):
    page = load(store.invalid_set, artifacts_dir, "invalid-set", 3000)
    assert verdict(page.dom) == "INVALID"
    assert f"Lost writes: {len(store.lost)}" in page.dom
    for write in store.lost:
        assert f"<code>{write['value']}</code>" in page.dom
    levels = sorted({w["acks"] for w in store.lost})
    for level in levels:
        assert f"Lost with WAIT acks = {level}:" in page.dom, level
    assert "partition minority: n1,n4 | n2,n3,n5,n6" in page.dom  # the fault active when written


def test_unknown_report_says_why(store: Store, artifacts_dir: Path):
    page = load(store.unknown, artifacts_dir, "unknown")
    assert verdict(page.dom) == "UNKNOWN"
    assert "Why unknown" in page.dom
    assert "timeout: the search did not finish before the deadline" in page.dom
    assert drawn(page.dom, "timeline") > 0


def test_run_that_crashed_before_recording_still_renders(tmp_path: Path, artifacts_dir: Path):
    run = tmp_path / "t" / "20260101T000000"
    run.mkdir(parents=True)
    (run / "test.json").write_text('{"name": "t", "seed": 1, "error": "cluster never formed"}')
    page = load(run, artifacts_dir, "crashed", 1200)
    assert verdict(page.dom) == "UNKNOWN"
    assert "results.json is missing" in page.dom and "cluster never formed" in page.dom
    assert "undefined" not in page.dom.split('id="report-data"')[0]


def test_zoom_from_the_address_narrows_every_time_chart(store: Store, artifacts_dir: Path):
    whole = load(store.valid, artifacts_dir, "valid")
    report = store.valid / "report.html"
    zoomed = render(report.as_uri() + "#t=5-10", size=(1400, 1200))
    assert 'data-ready="1"' in zoomed.dom and zoomed.console_errors == []
    assert "5.00 s \u2013 10.00 s" in zoomed.dom
    for chart in ("timeline", "latency"):
        assert 0 < drawn(zoomed.dom, chart) < drawn(whole.dom, chart) / 3, chart


def test_a_script_error_is_caught_shown_and_spares_the_other_charts(tmp_path: Path, store: Store):
    report = reports.render_run(store.valid).read_text()
    assert '"lanes":[' in report
    broken = tmp_path / "broken.html"
    broken.write_text(report.replace('"lanes":[', '"lanes":7,"was":[', 1))
    page = render(broken.as_uri(), size=(1400, 1200))
    errors = re.search(r'<pre id="js-errors"[^>]*>([^<]*)</pre>', page.dom)
    assert errors is not None and "timelineChart" in errors.group(1)
    assert 'data-ready="1"' in page.dom and drawn(page.dom, "latency") > 0


INTERACT = """<script>
(function () {
  var canvas = document.getElementById('chart-timeline');
  var box = canvas.getBoundingClientRect();
  function fire(type, x, y) {
    canvas.dispatchEvent(new MouseEvent(type, {bubbles: true, clientX: box.left + x,
                                               clientY: box.top + y}));
  }
  for (var x = 70; x < box.width - 20; x += 1) {  // hover along the first lane
    fire('mousemove', x, 33);
    if (document.getElementById('timeline-hover').textContent.indexOf('process') === 0) break;
  }
  fire('mousedown', 200, 40); fire('mousemove', 400, 40); fire('mouseup', 400, 40);
  document.body.setAttribute('data-after-drag', location.hash);
}());
</script>"""


def test_hovering_names_an_operation_and_dragging_zooms(tmp_path: Path, store: Store):
    report = reports.render_run(store.valid).read_text()
    page_file = tmp_path / "interact.html"
    page_file.write_text(report.replace("</body>", INTERACT + "</body>"))
    page = render(page_file.as_uri(), size=(1400, 1200))
    assert page.console_errors == [] and 'data-ready="1"' in page.dom
    hover = re.search(r'<div id="timeline-hover" class="hover-panel">([^<]*)</div>', page.dom)
    assert hover is not None and re.match(r"process \d+ · \w+", hover.group(1)), hover
    assert " ms (" in hover.group(1)
    zoom = re.search(r'<b id="zoom-range">([^<]*)</b>', page.dom)
    assert zoom is not None and zoom.group(1) != "whole run"
    assert re.search(r'data-after-drag="#t=[\d.]+-[\d.]+"', page.dom)


def test_hovering_the_unplaceable_operation_shows_the_model_state(tmp_path: Path, store: Store):
    report = reports.render_run(store.invalid_register).read_text()
    script = (
        "<script>document.querySelector('.lin-op.failed')"
        ".dispatchEvent(new MouseEvent('mouseenter'));</script>"
    )
    page_file = tmp_path / "hover.html"
    page_file.write_text(report.replace("</body>", script + "</body>"))
    page = render(page_file.as_uri(), size=(1400, 1200))
    panel = re.search(r'<div id="lin-hover" class="hover-panel">([^<]*)</div>', page.dom)
    assert panel is not None and "CANNOT BE LINEARIZED here: model state is" in panel.group(1)
    assert f"process {store.unplaceable['process']}" in panel.group(1)
