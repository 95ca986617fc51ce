"""`harness test-all`'s plan and outputs without running a test: the cross product and
its seeds, the options passed through (from the one declaration), the time budget, the
exit code of a matrix, the combined JUnit read back by a JUnit parser, summary.md."""

from __future__ import annotations

import argparse
import random
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from base.exits import EXIT_INTERNAL, EXIT_INVALID, EXIT_UNKNOWN, EXIT_VALID
from harness.cli import build_parser
from harness.commands.test_all import _run_parser
from harness.flags import BadArguments
from harness.matrix import AXES, axis_dest, budget_allows, passthrough_argv, plan, split_axis
from harness.test_all import matrix_exit_code
from harness.workloads import WORKLOADS
from reports.matrix import NOT_RUN, MatrixEntry, render_matrix_summary
from reports.matrix_junit import render_matrix_junit


def parse_test_all(*words: str) -> argparse.Namespace:
    return build_parser("test-all").parse_args(["test-all", *words])


def axes_of(args: argparse.Namespace) -> list[list[str | None]]:
    return [split_axis(axis, getattr(args, axis_dest(axis))) for axis in AXES]


def test_cross_product_in_order_with_one_seed_per_repetition(seed: int) -> None:
    args = parse_test_all(
        "--db", "redis,splitbrain", "--workload", "set,register",
        "--nemesis", "partition-minority;kill,pause;none", "--wait", "0,1",
    )  # fmt: skip
    tests = plan(axes_of(args), test_count=2, base_seed=seed, passthrough=["--nodes", "6"])
    assert len(tests) == 2 * 2 * 2 * 3 * 2
    assert [t.number for t in tests] == list(range(1, 49))
    first, last = tests[0], tests[-1]
    assert first.values == ("redis", "set", "partition-minority", "0")
    assert tests[1].values == ("redis", "set", "partition-minority", "1")  # the last axis fastest
    assert last.values == ("splitbrain", "register", "none", "1") and last.repetition == 1
    assert {t.seed for t in tests[:24]} == {seed} and {t.seed for t in tests[24:]} == {seed + 1}
    assert first.argv == (
        "--nodes", "6", "--db", "redis", "--workload", "set",
        "--nemesis", "partition-minority", "--wait", "0", "--seed", str(seed),
    )  # fmt: skip
    assert tests[2].values[2] == "kill,pause"  # a fault set is one value


def test_an_axis_not_given_is_left_to_harness_run() -> None:
    tests = plan(axes_of(parse_test_all()), test_count=1, base_seed=7, passthrough=[])
    assert len(tests) == 1 and tests[0].argv == ("--seed", "7")


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["--workload", "set,,register"], "empty item"),
        (["--nemesis", "kill;"], "empty item"),
    ],
)
def test_empty_axis_items_are_refused(words: list[str], message: str) -> None:
    with pytest.raises(BadArguments, match=message):
        axes_of(parse_test_all(*words))


def test_repeated_axis_value_is_one_test() -> None:
    assert split_axis(AXES[1], "set,set,register") == ["set", "register"]


def test_every_other_run_option_passes_through_as_given() -> None:
    args = parse_test_all(
        "--db", "redis", "--nodes", "9", "--time-limit", "15", "--rate", "250.5",
        "--no-recovery", "--wait-strict", "--nemesis-option", "recovery_s=2",
        "--nemesis-option", "flap_period_s=1", "--store", "/tmp/s", "--seed", "5",
        "--test-name", "nightly",
    )  # fmt: skip
    words = passthrough_argv(args, _run_parser().parse_args([]))
    assert words == [
        "--nodes", "9", "--rate", "250.5", "--time-limit", "15", "--wait-strict",
        "--no-recovery", "--nemesis-option", "recovery_s=2", "--nemesis-option",
        "flap_period_s=1", "--store", "/tmp/s",
    ]  # fmt: skip
    # and harness run's own parser reads them back to the same values
    again = _run_parser().parse_args(words)
    assert again.time_limit_s == 15 and again.rate == 250.5 and again.wait_strict


def test_time_budget_allows_a_test_only_with_the_largest_overhead_seen() -> None:
    assert budget_allows(elapsed_s=0, budget_s=None, planned_s=1e9, overheads_s=[])
    assert budget_allows(elapsed_s=0, budget_s=20, planned_s=20, overheads_s=[])
    assert not budget_allows(elapsed_s=0, budget_s=19, planned_s=20, overheads_s=[])
    assert budget_allows(elapsed_s=30, budget_s=60, planned_s=20, overheads_s=[5, 10])
    assert not budget_allows(elapsed_s=31, budget_s=60, planned_s=20, overheads_s=[5, 10])


def entry(number: int, status: str, **more: Any) -> MatrixEntry:
    return MatrixEntry(number, f"t{number}", 42, status, f"harness run --seed {number}", **more)


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        (["valid", "valid"], EXIT_VALID),
        (["valid", "unknown"], EXIT_UNKNOWN),
        (["unknown", "invalid", "crashed"], EXIT_INVALID),
        (["valid", "crashed", "unknown"], EXIT_INTERNAL),
        (["valid", NOT_RUN], EXIT_VALID),
        ([NOT_RUN, NOT_RUN], EXIT_UNKNOWN),
        ([], EXIT_UNKNOWN),
    ],
)
def test_exit_code_is_the_worst_verdict(statuses: list[str], code: int) -> None:
    assert matrix_exit_code([entry(i, s) for i, s in enumerate(statuses, 1)]) == code


def test_combined_junit_has_a_suite_per_test_named_after_its_run(seed: int) -> None:
    rng = random.Random(seed)
    own = render_junit_for("t1")
    entries = [
        entry(1, "invalid", run="t1/20260101T000000", results_xml=own, duration_s=3.0),
        entry(2, "crashed", run="t2/20260101T000100", exit_code=255, reason="exit 255"),
        entry(3, NOT_RUN, reason="time budget"),
    ]
    rng.shuffle(entries)
    root = ET.fromstring(render_matrix_junit(entries, "m").split("\n", 1)[1])
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"t1/20260101T000000", "t2/20260101T000100", "t3 #3"}
    first = suites["t1/20260101T000000"]
    assert first.find("testcase/failure") is not None and first.get("failures") == "1"
    assert suites["t2/20260101T000100"].find("testcase/error").get("message") == "exit 255"  # type: ignore[union-attr]
    assert "time budget" in suites["t3 #3"].find("testcase/skipped").get("message")  # type: ignore[union-attr, operator]
    assert root.get("failures") == "1" and root.get("errors") == "1" and root.get("skipped") == "1"
    assert root.get("tests") == str(sum(int(s.get("tests") or 0) for s in suites.values()))


def render_junit_for(name: str) -> str:
    """A run's own results.xml (reports.junit's shape): one invalid checker."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="{name}" tests="1" failures="1" errors="0" skipped="0" time="3">'
        f'<testcase classname="{name}" name="set-full"><failure message="lost" type="invalid"/>'
        "</testcase></testsuite>"
    )


def test_summary_lists_every_test_and_those_not_run() -> None:
    text = render_matrix_summary(
        [
            entry(1, "invalid", run="t1/a", lost=3, acknowledged=900, duration_s=21.4),
            entry(2, "valid", run="t2/b", lost=0, acknowledged=800, reason="interrupted"),
            entry(3, NOT_RUN, reason="the matrix was interrupted (SIGINT)"),
        ],
        "matrix",
    )
    assert "3 tests: 1 valid, 1 invalid, 1 not run." in text
    assert "| 1 | t1 | 42 | invalid | 3 / 900 | 21 s | t1/a | `harness run --seed 1` |" in text
    assert "| valid (interrupted) |" in text
    assert "## Not run\n\n- #3 t3 (seed 42): the matrix was interrupted (SIGINT)" in text


def test_the_axes_replace_the_run_options_and_list_their_choices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        parse_test_all("--help")
    text = " ".join(capsys.readouterr().out.split())
    assert "--workload LIST comma list of workloads" in text
    assert ", ".join(WORKLOADS) in text and "--time-budget S" in text
    assert "--db {" not in text and "--wait N" not in text  # the run's own are gone
