"""Issue 16's acceptance, end to end on splitbrain-server through ``harness run``: a set
run under partition-minority keeps every lost write in lost.jsonl, places them in loss
windows that close about when the cut-off primary's node timeout expires, lists the
availability of every shard for every fault period, and its report shows the histogram
and the availability table in headless Chromium; a run with no fault shows no outage.

Why the margin on the window: a primary cut off stops taking writes once it marks the
majority's primaries PFAIL. Redis marks a node PFAIL when a ping to it went unanswered
for node-timeout, and sends that ping once the last pong is older than node-timeout / 2
(cluster.c's clusterCron), so the last acknowledgement can come up to 1.5 x node-timeout
after the cut, plus the cron's 100 ms and this loaded machine's scheduling."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import reports
from tests.harness.conftest import assert_nothing_left
from tests.harness.test_run import harness, latest, needs_netns, prefix_of
from tests.reports.chromium import render

NODE_TIMEOUT_MS = 2000
MARGIN_S = 0.6
"""Scheduling slack on top of 1.5 x node-timeout (see the module's docstring)."""


def rendered(run_dir: Path, artifacts: Path, name: str) -> str:
    report = reports.render_run(run_dir)
    shot = artifacts / f"report-{name}.png"
    shot.unlink(missing_ok=True)
    page = render(report.as_uri(), screenshot=shot, size=(1400, 3000))
    assert 'data-ready="1"' in page.dom, "the report's script did not finish"
    assert page.console_errors == []
    return page.dom


@needs_netns
@pytest.mark.netns
@pytest.mark.slow
@pytest.mark.chromium
def test_partition_minority_loss_windows_and_availability(
    tmp_path: Path, seed: int, artifacts_dir: Path
) -> None:
    for attempt in range(2):  # the partition may (rarely) miss every primary with writes
        store = tmp_path / f"store{attempt}"
        done = harness(
            "run", "--db", "splitbrain", "--workload", "set", "--nemesis",
            "partition-minority", "--nodes", "6", "--replicas", "1", "--node-timeout",
            str(NODE_TIMEOUT_MS), "--nemesis-interval", "6", "--time-limit", "20",
            "--recovery-time", "4", "--store", str(store), "--seed", str(seed + attempt),
            timeout=240,
        )  # fmt: skip
        run_dir = latest(store)
        assert_nothing_left(run_dir, prefix_of(run_dir))
        if done.returncode == 0:
            continue
        assert done.returncode == 1, done.stderr[-3000:]
        break
    else:
        pytest.fail("two partition-minority runs lost no acknowledged write")
    results = json.loads((run_dir / "results.json").read_text())
    lost = results["lost_writes"]
    every = [json.loads(line) for line in (run_dir / lost["file"]).open()]
    assert len(every) == lost["lost_count"] == lost["file_count"] > 0
    assert all(isinstance(w["process"], int) for w in every)
    assert {w["lost_by"]["fault"] for w in every} == {"partition"}  # the fault that lost it
    assert lost["node_timeout_ms"] == NODE_TIMEOUT_MS
    assert lost["by_fsync"] == {"everysec": {"none": lost["lost_count"]}}  # the defaults

    windows = lost["windows"]
    assert sum(w["count"] for w in windows) == lost["lost_count"]
    bound = 1.5 * NODE_TIMEOUT_MS / 1000 + MARGIN_S
    for window in windows:
        assert window["fault"] == "partition", window
        assert -0.2 <= window["first_s"] <= window["p50_s"] <= window["last_s"] <= bound, window
        assert window["summary"].endswith("node timeout 2.00 s")
    assert lost["summary"].startswith(f"{windows[0]['count']:,} writes acknowledged by")

    test = json.loads((run_dir / "test.json").read_text())
    shards = results["availability"]["shards"]
    assert set(shards) == set(test["shards"]) and len(shards) == 3  # 3 primaries
    partitions = [
        op
        for op in map(json.loads, (run_dir / "history.jsonl").open())
        if op["process"] == "nemesis"
        and op["f"] == "start-partition"
        and op["type"] not in ("invoke", "fail")
    ]
    periods = results["availability"]["faults"]
    assert len(periods) == len(partitions) >= 1
    for period in periods:
        assert {s["shard"] for s in period["shards"]} == set(shards)  # every shard, every fault
        for entry in period["shards"]:
            if entry["first_failure"] is not None:
                assert entry["first_failure"] >= period["start"] and entry["seconds"] >= 0
    # The shards whose primary was cut off failed writes for a while.
    assert any(s["seconds"] > 0 for p in periods for s in p["shards"])

    dom = rendered(run_dir, artifacts_dir, "loss-windows")
    assert f"- loss windows: {lost['summary']}" in (run_dir / "summary.md").read_text()
    svg = re.search(r'<svg id="loss-histogram"[^>]*data-total="(\d+)"', dom)
    assert svg is not None and int(svg.group(1)) == lost["lost_count"]
    assert re.search(rf'<line id="node-timeout"[^>]*data-ms="{NODE_TIMEOUT_MS}"', dom)
    assert "node timeout 2.00 s" in dom
    assert "<td>everysec</td><td>no WAIT</td>" in dom
    assert re.search(r"<td>partition minority: [^<]* from [\d.]+ s \(\+[\d.]+ s\)</td>", dom)
    table = re.search(r'<table class="availability-table">.*?</table>', dom, re.S)
    assert table is not None
    assert len(re.findall(r"<tr><td>partition</td>", table.group(0))) == 3 * len(periods)


@pytest.mark.slow
@pytest.mark.chromium
def test_a_run_with_no_fault_shows_no_outage(
    tmp_path: Path, seed: int, artifacts_dir: Path
) -> None:
    store = tmp_path / "store"
    done = harness(
        "run", "--db", "splitbrain", "--net", "loopback", "--nemesis", "none",
        "--workload", "set", "--nodes", "3", "--replicas", "0", "--rate", "300",
        "--time-limit", "3", "--recovery-time", "2", "--store", str(store),
        "--seed", str(seed),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    run_dir = latest(store)
    results = json.loads((run_dir / "results.json").read_text())
    assert results["availability"]["faults"] == []
    assert results["lost_writes"]["windows"] == [] and results["lost_writes"]["file_count"] == 0
    dom = rendered(run_dir, artifacts_dir, "no-fault")
    assert 'id="no-outage"' in dom
    # The 2 s quiet recovery after the workload is no outage.
    assert "never more than 1 s without a successful operation" in dom
    assert "no operation succeeded for" not in dom
