"""The nemesis side of `harness run`: --nemesis-option, the preflight before any node
starts, and following the schedule up to and including the time limit."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
from pathlib import Path

import pytest

from base.op import Op
from harness.dbs.cluster_spec import ClusterSpec
from harness.faults import check_faults_possible, follow_schedule
from harness.netns import find_leftovers
from harness.options import BadArguments, add_run_arguments, from_args, nemesis_options
from nemesis import NemesisOptions, ScheduledOp, build_package
from tests.harness.test_run import harness


def test_nemesis_options_apply_settings_after_the_flags():
    flags = NemesisOptions(interval_s=4.0, recovery=False)
    options = nemesis_options(flags, ("packet_loss_percent=35", "flap-period-s=2"))
    assert options.interval_s == 4.0 and options.recovery is False
    assert options.packet_loss_percent == 35.0 and options.flap_period_s == 2.0
    assert nemesis_options(flags, ("interval_s=7",)).interval_s == 7.0


def test_the_run_options_hold_the_nemesis_options_built_from_the_flags():
    parser = argparse.ArgumentParser()
    add_run_arguments(parser)
    words = ["--net", "loopback", "--nemesis-interval", "4", "--no-recovery"]
    options = from_args(parser.parse_args([*words, "--nemesis-option", "delay_ms=7"]))
    assert options.nemesis_options == NemesisOptions(interval_s=4.0, recovery=False, delay_ms=7)
    defaults = from_args(parser.parse_args(["--net", "loopback"]))
    assert defaults.nemesis_options == NemesisOptions()
    assert defaults.cluster == ClusterSpec() and defaults.cluster.db == "splitbrain"


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("packet_loss_percnt=30", "packet_loss_percnt"),
        ("packet_loss_percent=lots", "packet_loss_percent"),
        ("packet_loss_percent=130", "packet_loss_percent=130': packet loss must be"),
        ("verify=maybe", "verify"),
        ("no-equals-sign", "no-equals-sign"),
    ],
)
def test_a_bad_nemesis_option_is_named(setting, named):
    with pytest.raises(BadArguments, match="--nemesis-option") as caught:
        nemesis_options(NemesisOptions(), (setting,))
    assert named in str(caught.value)


def test_run_with_a_bad_nemesis_option_exits_254_naming_it(tmp_path: Path):
    done = harness(
        "run", "--net", "loopback", "--nemesis", "kill",
        "--nemesis-option", "kill_everything=yes", "--store", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 254, done.stderr
    assert "--nemesis-option" in done.stderr and "kill_everything" in done.stderr
    assert "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir()), "no run folder for bad arguments"


@pytest.mark.netns
def test_preflight_refuses_delay_before_any_node_starts(tmp_path: Path):
    """This kernel has no netem: `--nemesis delay` is a bad argument, found before the
    run folder, the network or any node exists, and the scratch namespace is gone."""
    if os.geteuid() != 0:
        pytest.fail("needs root (network namespaces)")
    prefix = f"sbt{os.urandom(3).hex()}"
    try:
        check_faults_possible(["delay"], "redis", prefix)
    except BadArguments as e:
        assert "netem" in str(e) and "'delay'" in str(e)
    else:
        pytest.skip("this kernel has netem: nothing to refuse")
    assert find_leftovers(prefix).empty
    done = harness("run", "--nemesis", "partition-one,delay", "--store", str(tmp_path))
    assert done.returncode == 254, done.stderr
    assert "netem" in done.stderr and "Traceback" not in done.stderr
    assert "setting up" not in done.stderr and not any(tmp_path.iterdir())
    check_faults_possible(["partition-minority", "kill"], "redis", prefix)  # possible: fine


def run_plan(plan: list[ScheduledOp], time_limit_s: float, interrupt_after: int = -1):
    """Follow ``plan`` on a real event loop; (op, seconds since start) performed."""
    performed: list[tuple[Op, float]] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        stop = asyncio.Event()

        async def sleep(seconds: float) -> bool:
            if stop.is_set():
                return False
            await asyncio.sleep(max(seconds, 0))
            return True

        async def perform(op: Op) -> None:
            performed.append((op, loop.time() - start))
            if len(performed) == interrupt_after:
                stop.set()

        await follow_schedule(
            plan, start=start, time_limit_s=time_limit_s, clock=loop.time, sleep=sleep,
            perform=perform,
        )  # fmt: skip

    asyncio.run(main())
    return performed


def test_a_stop_planned_at_the_time_limit_still_runs():
    """The plan closes a fault at the limit when its interval would run past it."""
    options = NemesisOptions(interval_s=5.0, jitter=0.0, first_fault_s=0.05, recovery=False)
    plan = build_package(["partition-one"], options).schedule(random.Random(1), 0.2)
    assert [(s.at_s, s.op.f) for s in plan] == [(0.05, "start-partition"), (0.2, "stop-partition")]
    performed = run_plan(plan, 0.2)
    assert [op.f for op, _ in performed] == ["start-partition", "stop-partition"]
    assert performed[1][1] >= 0.2  # at its time, not early


def test_ops_after_the_limit_are_dropped_and_an_interrupt_stops_the_plan():
    options = NemesisOptions(interval_s=5.0, jitter=0.0, first_fault_s=0.0, recovery=False)
    start, stop = build_package(["kill"], options).schedule(random.Random(1), 0.1)
    late = ScheduledOp(0.15, start.op)
    assert [op.f for op, _ in run_plan([start, stop, late], 0.1)] == ["start-kill", "stop-kill"]
    assert [op.f for op, _ in run_plan([start, stop, late], 0.1, interrupt_after=1)] == [
        "start-kill"
    ]
