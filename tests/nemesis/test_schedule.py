"""The pure schedule and the fault catalog."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from base.op import NEMESIS, OpType
from nemesis import FAULTS, SPECS, NemesisOptions, build_package, parse_faults, with_settings


def test_parse_faults_accepts_names_and_rejects_unknown_ones():
    assert parse_faults("partition-minority, kill,kill") == ["partition-minority", "kill"]
    assert parse_faults("") == [] and parse_faults("none") == []
    with pytest.raises(ValueError, match="unknown nemesis fault 'partition-mars'"):
        parse_faults("kill,partition-mars")
    assert len(set(FAULTS)) == len(FAULTS)


def test_same_seed_same_plan_other_seed_other_plan(seed):
    package = build_package("partition-minority,kill,failover,packet-loss", NemesisOptions())
    plan = package.schedule(random.Random(seed), 120)
    again = package.schedule(random.Random(seed), 120)
    assert [(s.at_s, s.op) for s in plan] == [(s.at_s, s.op) for s in again]
    other = package.schedule(random.Random(seed + 1), 120)
    assert [s.at_s for s in plan] != [s.at_s for s in other]


@given(
    faults=st.lists(st.sampled_from(FAULTS), min_size=1, max_size=5, unique=True),
    seed=st.integers(0, 2**32 - 1),
    limit=st.floats(1, 300),
    interval=st.floats(0.5, 20),
    recovery=st.booleans(),
)
def test_plan_alternates_within_limit_and_ends_stopped(faults, seed, limit, interval, recovery):
    options = NemesisOptions(interval_s=interval, recovery=recovery)
    plan = build_package(faults, options).schedule(random.Random(seed), limit)
    times = [s.at_s for s in plan]
    assert times == sorted(times) and all(0 <= t <= limit for t in times)
    active: str | None = None
    last_stop = None
    for s in plan:
        op = s.op
        assert op.process == NEMESIS and op.type is OpType.INVOKE
        json.dumps(op.to_json())
        spec = SPECS[op.value]
        if op.f == spec.start_f:
            assert active is None, "a fault started while another was active"
            if recovery and last_stop is not None:
                assert s.at_s - last_stop >= interval * (1 - options.jitter) - 1e-6
            if spec.stop_f is not None:
                active = op.value
        else:
            assert op.f == spec.stop_f and active == op.value
            active = None
            last_stop = s.at_s
    assert active is None, "the plan ends with a fault still active"


def test_final_ops_heal_every_family_in_use():
    package = build_package("partition-one,pause-primaries,kill,failover", NemesisOptions())
    assert [op.f for op in package.final_ops()] == ["stop-partition", "stop-pause", "stop-kill"]
    assert {op.f for op in package.final_ops()} <= package.nemesis.fs


def test_options_are_checked():
    with pytest.raises(ValueError, match="interval"):
        NemesisOptions(interval_s=0)
    with pytest.raises(ValueError, match="packet loss"):
        NemesisOptions(packet_loss_percent=120)


def test_nemesis_option_settings_parse_and_name_what_is_wrong():
    options = with_settings(
        NemesisOptions(), ["packet-loss-percent=35", "recovery=no", "recovery_s=none"]
    )
    assert options.packet_loss_percent == 35.0 and options.recovery is False
    assert options.recovery_s is None and options.recovery_window_s == 0.0
    for bad, message in [
        ("warp=9", "want NAME=VALUE"),
        ("interval_s=soon", "not a valid float"),
        ("reshard_slots=2.5", "not a valid int"),
        ("verify=maybe", "want yes or no"),
        ("jitter=1.5", "option 'jitter=1.5': nemesis jitter"),
    ]:
        with pytest.raises(ValueError, match=message):
            with_settings(NemesisOptions(), [bad])


@given(
    faults=st.lists(st.sampled_from(FAULTS), min_size=1, max_size=6, unique=True),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_fault_runs_once_per_round(faults, seed):
    plan = build_package(faults, NemesisOptions(interval_s=1)).schedule(random.Random(seed), 600)
    started = [s.op.value for s in plan if s.op.f == SPECS[s.op.value].start_f]
    for i in range(0, len(started) - len(faults) + 1, len(faults)):
        assert sorted(started[i : i + len(faults)]) == sorted(faults)


def test_every_spec_names_real_options_and_its_part_handles_its_fs():
    known = {f.name for f in dataclasses.fields(NemesisOptions)}
    for spec in SPECS.values():
        assert set(spec.options) <= known, spec.name
        part = spec.part(NemesisOptions(), [spec])
        assert spec.start_f in part.fs and (spec.stop_f is None or spec.stop_f in part.fs)
