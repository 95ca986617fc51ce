"""The report's loss-window and availability sections, from typed findings: the summary
line, the windows table, the SVG histogram with the node timeout marked, and one
availability row per fault period and shard."""

from __future__ import annotations

import re

from checkers.availability import FaultAvailability, ShardOutage
from checkers.faults import FaultWindow
from checkers.loss_windows import loss_windows as find_windows
from checkers.results.loss import AvailabilityFindings, LossFindings
from checkers.results.setfull import LostWrite
from reports.loss_sections import availability, bin_width_s, histogram_svg, loss_windows

S = 1_000_000_000
PARTITION = FaultWindow("partition", 10 * S, 20 * S)


def lost(ack_s: float, node: str = "n2") -> LostWrite:
    ack = int(ack_s * S)
    return LostWrite("k", ack, node, 3, 1, "ok", ack - S // 100, ack, None, (), None, 2)


def test_histogram_counts_every_write_and_marks_the_node_timeout() -> None:
    writes = [lost(10.0 + i / 100) for i in range(250)]  # +0.00 .. +2.49 s
    windows = tuple(find_windows(writes, [PARTITION]))
    loss = LossFindings("lost.jsonl", 250, 2000, windows, "everysec", {"none": 250})
    html = loss_windows(loss, writes, writes[:100], [PARTITION])
    assert "<td>everysec</td><td>no WAIT</td><td>250</td>" in html
    assert "250 writes acknowledged by n2 between +0.00 s and +2.49 s after partition" in html
    assert "node timeout 2.00 s" in html
    total = sum(int(n) for n in re.findall(r'class="loss-bin"[^>]*data-count="(\d+)"', html))
    assert total == 250  # every write, not the sample
    marker = re.search(r'<line id="node-timeout"[^>]*x1="([\d.]+)"[^>]*data-ms="2000"', html)
    assert marker is not None
    bars = [float(x) for x in re.findall(r'class="loss-bin" x="([\d.]+)"', html)]
    assert bars[0] < float(marker.group(1)) < bars[-1]  # 2.00 s drawn inside the bars' span
    assert "the run folder has no file" not in html


def test_without_lost_jsonl_the_sample_is_drawn_and_said() -> None:
    sample = [lost(10.5), lost(11.0)]
    loss = LossFindings(None, None, 2000, tuple(find_windows(sample, [PARTITION])))
    html = loss_windows(loss, None, sample, [PARTITION])
    assert "the run folder has no file of every lost write" in html
    assert 'data-total="2"' in html


def test_bins_stay_few() -> None:
    writes = [lost(10.0 + i / 10) for i in range(100)]  # over 10 s
    width = bin_width_s(writes, [PARTITION])
    assert width == 0.2
    assert histogram_svg([(0.0, 1)], 0.5, None).count("node-timeout") == 0


def test_availability_a_row_per_fault_and_shard() -> None:
    period = FaultAvailability(
        "partition",
        10 * S,
        20 * S,
        (
            ShardOutage("n1", None, None, True, 0, 0),
            ShardOutage("n2", 12 * S, 15 * S, True, 40, 2),
        ),
        0.5,
    )
    html = availability(AvailabilityFindings({"n1": "0-8191", "n2": "8192-16383"}, (period,)))
    rows = re.findall(r"<tr><td>partition</td>.*?</tr>", html)
    assert len(rows) == 2
    assert "n1 (0-8191)" in rows[0] and "no outage" in rows[0]
    assert "n2 (8192-16383)" in rows[1] and "+2.00 s" in rows[1] and "3.00 s" in rows[1]
    assert "0.50 s" in rows[1]
    none = availability(AvailabilityFindings({"n1": "0-16383"}, ()))
    assert 'id="no-outage"' in none
    assert availability(None) == ""
