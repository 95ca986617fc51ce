"""Each workload module's checkers (``harness.workloads``: its own, then stats and perf),
and a throwaway workload module, declared in this file only, registered and run through
the generator and its checkers."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from typing import Any

import pytest

from checkers.elle import ElleCliChecker
from checkers.elle.elle_cli import ElleCliError
from checkers.models import CheckOptions, checker_for
from checkers.setfull import SetFullChecker
from checkers.verdict import Checker, Verdict, run_checkers
from harness.client.outcome import Outcome
from harness.client.resp import pack
from harness.generator import invocations
from harness.workloads import (
    WorkloadOptions,
    WorkloadSpec,
    build_workload,
    checkers_for,
    registry_of,
)
from harness.workloads.base import Command, Invocation
from harness.workloads.registry import MODULES
from tests.checkers.builder import History
from tests.checkers.test_elle_cli_and_workloads import fake_elle, small_history


def test_elle_cli_verdict_merges_with_ours(tmp_path):
    opts = CheckOptions(elle_cli=fake_elle(tmp_path, "false"))
    checkers = checkers_for("list-append", opts)
    verdict, results = run_checkers(checkers, small_history().events)
    assert results["list-append"].verdict is Verdict.VALID
    assert results["elle-cli"].verdict is Verdict.INVALID
    assert verdict is Verdict.INVALID


def test_missing_elle_cli_is_unknown_with_a_reason(tmp_path):
    checkers = checkers_for("list-append", CheckOptions(elle_cli=tmp_path / "nope"))
    _, results = run_checkers(checkers, small_history().events)
    assert results["elle-cli"].verdict is Verdict.UNKNOWN
    assert "elle-cli not found" in (results["elle-cli"].reason or "")
    with pytest.raises(ElleCliError):
        ElleCliChecker(tmp_path / "nope").check([])


def test_checkers_for_each_workload():
    names = {w: [c.name for c in checkers_for(w)] for w in ("set", "list-append", "counter")}
    assert names == {
        "set": ["set-full", "stats", "perf"],
        "list-append": ["list-append", "stats", "perf"],
        "counter": ["counter", "stats", "perf"],
    }
    with pytest.raises(ValueError, match="unknown workload"):
        checkers_for("queue")


def test_set_workload_end_to_end_through_run_checkers():
    h = History()
    h.add(0, 1, acks=1)
    h.add(0, 2, acks=1)
    h.read(1, [1])
    verdict, results = run_checkers(checkers_for("set"), h.events)
    assert verdict is Verdict.INVALID
    assert results["set-full"].details["lost_count"] == 1
    assert results["stats"].verdict is Verdict.VALID
    json.dumps({k: r.to_json() for k, r in results.items()})  # JSON-able


def test_register_workload_uses_the_linearizability_checker():
    pytest.importorskip("checkers.linear", reason="checkers/linear not in this tree yet")
    names = [c.name for c in checkers_for("register", CheckOptions(model="register"))]
    assert names[1:] == ["stats", "perf"]
    assert names[0].startswith("linear")
    h = History()
    h.invoke(0, "write", 1)
    h.ok(0)
    h.invoke(1, "read", None)
    h.ok(1, 2)
    verdict, _ = run_checkers(checkers_for("register", CheckOptions(model="register")), h.events)
    assert verdict is Verdict.INVALID
    with pytest.raises(ValueError, match="unknown model"):
        checkers_for("register", CheckOptions(model="nope"))


class EchoWorkload:
    """The throwaway workload: SET then GET of one key per worker."""

    name = "echo"

    def __init__(self, options: WorkloadOptions) -> None:
        self.options = options

    def invocation(self, rng: random.Random, worker: int, seq: int) -> Invocation:
        if seq % 2:
            return Invocation("read", f"e{worker}", None)
        return Invocation("add", f"e{worker}", rng.randrange(100))

    def command(self, inv: Invocation) -> Command:
        if inv.f == "add":
            return Command(pack(b"SADD", inv.key, inv.value), write=True)
        return Command(pack(b"SMEMBERS", inv.key), write=False)

    def completion(self, inv: Invocation, reply: Any) -> tuple[Outcome, Any]:
        return Outcome.OK, inv.value if inv.f == "add" else sorted(int(v) for v in reply)

    def final_reads(self) -> Sequence[Invocation]:
        return [Invocation("read", f"e{w}", None) for w in range(self.options.workers)]


def echo_checkers(options: CheckOptions) -> list[Checker]:
    return [checker_for("set-full", options)]


WORKLOAD = WorkloadSpec("echo", EchoWorkload, echo_checkers, "a test's own workload")


def test_a_workload_module_of_its_own_is_registered_built_and_checked(seed: int):
    registry = registry_of([*MODULES, sys.modules[__name__]])
    assert list(registry)[-1] == "echo" and list(registry)[:4] == [m.WORKLOAD.name for m in MODULES]
    workload = build_workload("echo", WorkloadOptions(workers=2), registry)
    gen = invocations(workload, seed, 1)
    first, second = next(gen), next(gen)
    assert (first.f, first.key, second.f) == ("add", "e1", "read")
    names = [c.name for c in checkers_for("echo", CheckOptions(), registry)]
    assert names == ["set-full", "stats", "perf"]
    h = History()
    h.add(0, 1, acks=1)
    h.read(1, [])
    verdict, _ = run_checkers(checkers_for("echo", registry=registry), h.events)
    assert verdict is Verdict.INVALID
    with pytest.raises(ValueError, match="unknown workload 'echo'"):
        build_workload("echo", WorkloadOptions(workers=2))
    with pytest.raises(ValueError, match="two workload modules are called 'echo'"):
        registry_of([sys.modules[__name__], sys.modules[__name__]])


def test_every_lost_write_is_kept_beyond_the_listing_cap():
    """results.json lists a sample; lost.jsonl (from every_lost_write) holds them all."""
    h = History()
    for value in range(1, 8):
        h.add(0, value, acks=0)
    h.read(1, [1])
    checker = SetFullChecker(max_listed=2)
    result = checker.check(h.events)
    assert result.details["lost_count"] == 6 and len(result.details["lost"]) == 2
    every = checker.every_lost_write(h.events)
    assert sorted(w.value for w in every) == [2, 3, 4, 5, 6, 7]
    assert all(w.acks == 0 for w in every)
