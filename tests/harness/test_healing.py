"""Healing is guaranteed and recorded when the run fails: the final heal runs (and goes
into the history) after a harness error, before the nodes stop. Real redis-server nodes,
a real kill, in-process so that the failure can be injected where it hurts."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from base.op import Op
from harness.dbs.cluster_spec import ClusterSpec
from harness.leftovers import processes_in
from harness.options import RunOptions
from harness.runner import Runner
from nemesis import NemesisOptions, NemesisPackage

pytestmark = [pytest.mark.redis, pytest.mark.slow]


class FailingRunner(Runner):
    """A harness bug right after the first fault started: the schedule task raises."""

    async def _nemesis_op(self, package: NemesisPackage, op: Op) -> None:
        await super()._nemesis_op(package, op)
        if op.f == "start-kill" and op.value != "final-heal":
            raise RuntimeError("injected harness failure")


def test_an_error_after_a_kill_heals_recorded_then_stops_everything(tmp_path: Path, seed: int):
    options = RunOptions(
        cluster=ClusterSpec(db="redis", nodes=3, replicas=0, appendonly=False),
        workload="set", nemesis="kill", faults=("kill",), net="loopback",
        concurrency=3, rate=300, time_limit_s=2.0, recovery_time_s=0.0, seed=seed,
        store=tmp_path, nemesis_options=NemesisOptions(first_fault_s=0.2, interval_s=30),
    )  # fmt: skip
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    execution = asyncio.run(FailingRunner(options, run_dir, "sbtheal", io.StringIO()).execute())
    assert execution.error == "RuntimeError: injected harness failure"
    events = [(op.type.value, op.f, op.value) for op in execution.ops if op.process == "nemesis"]
    assert [e[:2] for e in events] == [
        ("invoke", "start-kill"),
        ("ok", "start-kill"),
        ("invoke", "stop-kill"),
        ("ok", "stop-kill"),
    ], events
    killed = events[1][2]
    assert events[2][2] == "final-heal" and events[3][2] == killed and len(killed) == 1
    assert processes_in(run_dir / "data") == {}, "node processes left behind"
