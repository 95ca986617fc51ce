"""results.xml, summary.md, index.html and the `harness report` / `harness serve` commands
on the fixture store."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import reports
from harness.cli import main as harness
from tests.reports.conftest import Store
from tests.support.servers import free_port, wait_until


def junit(run: Path) -> ET.Element:
    reports.render_run(run)
    return ET.parse(run / "results.xml").getroot()


def test_junit_has_one_testcase_per_checker_and_the_right_failures(store: Store):
    root = junit(store.invalid_set)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"set-full", "stats"}
    failure = cases["set-full"].find("failure")
    assert failure is not None and "7 lost" in (failure.get("message") or "")
    assert cases["stats"].find("failure") is None
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("1", "0", "0")
    root = junit(store.unknown)
    skipped = [c for c in root.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == ["linearizable"]
    assert root.get("failures") == "0"
    root = junit(store.valid)
    assert root.get("failures") == "0" and root.get("skipped") == "0"


def test_junit_crashed_checker_is_an_error(tmp_path: Path, store: Store):
    run = tmp_path / "t" / "20260101T000000"
    shutil.copytree(store.unknown, run)
    crashed = {"valid": "unknown", "reason": "checker crashed: KeyError: 1"}
    results = {"valid": "unknown", "checkers": {"x": crashed}}
    (run / "results.json").write_text(json.dumps(results))
    root = junit(run)
    assert root.get("errors") == "1"


def test_summary_names_the_verdict_and_the_failing_key(store: Store):
    reports.render_run(store.invalid_register)
    text = (store.invalid_register / "summary.md").read_text()
    assert text.startswith("# register-partition: INVALID")
    op = store.unplaceable
    assert f"not linearizable: key {store.failing_key}, cannot linearize {op['f']}" in text
    assert f"by process {op['process']}" in text
    assert "harness run --db redis --workload register" in text


def test_index_lists_runs_newest_first_with_trends(store: Store):
    for run in (store.valid, store.invalid_set, store.invalid_register, store.unknown):
        reports.render_run(run)
    index = reports.update_index(store.root).read_text()
    assert '<td class="num">1,500</td>' in index  # operations, from report-summary.json
    stamps = re.findall(r'<tr class="run (\w+)"><td><a href="([^"]+)"', index)
    paths = [p for _v, p in stamps]
    assert [p.split("/")[1] for p in paths] == sorted(
        (p.split("/")[1] for p in paths), reverse=True
    )
    assert len(paths) == 4
    assert stamps[0][0] == "unknown" and stamps[0][1].startswith(
        "register-partition/20261122T100000"
    )
    assert "set-partition" in index and ">7<" in index  # lost-write count of the set run
    assert index.count('class="trend-row"') == 2


def test_harness_report_writes_files_and_rejects_a_non_run(tmp_path: Path, store: Store, capsys):
    run = tmp_path / "store" / "t" / "20260101T000000"
    shutil.copytree(store.valid, run)
    assert harness(["report", str(run)]) == 0
    assert (run / "report.html").is_file() and (run / "results.xml").is_file()
    assert (tmp_path / "store" / "index.html").is_file()
    assert harness(["report", str(tmp_path)]) == 254
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a run folder" in err[0]


_IGNORING_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, '-m', 'harness.cli', *sys.argv[1:]])"
)
"""Starts the harness as a shell starts a background job (SIGINT ignored, kept over
exec): Ctrl-C must stop it all the same."""


def test_harness_serve_serves_the_store_on_localhost_and_exits_0_on_ctrl_c(store: Store):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", _IGNORING_SIGINT, "serve", "--store", str(store.root), "--port",
         str(port), "--duration", "60"],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:

        def index() -> bytes | None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2) as r:
                    body: bytes = r.read()
                    return body
            except OSError:
                return None

        wait_until(lambda: index() is not None, 15, "harness serve to answer")
        assert b"splitbrain runs" in (index() or b"")
        late = store.root / "late-test" / "20261123T000000"  # a run finished after start
        late.mkdir(parents=True)
        (late / "test.json").write_text('{"name": "late-test"}')
        try:
            assert b"late-test" in (index() or b"")
        finally:
            shutil.rmtree(late.parent)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
