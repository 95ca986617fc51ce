"""A store with a valid, two invalid and an unknown run, built once per session."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from base.op import Op
from checkers.linear import LinearizabilityChecker
from checkers.setfull import SetFullChecker
from tests.reports.runfolders import register_history, set_history, write_run

SEED = 20261122
"""The fixtures are deterministic; this seed makes their histories (printed below)."""


@dataclass(frozen=True)
class Store:
    root: Path
    valid: Path
    invalid_set: Path
    invalid_register: Path
    unknown: Path
    failing_key: str
    unplaceable: dict[str, Any]  # the operation the checker could not place, its JSON
    lost: list[dict[str, Any]]


def linearizable(history: list[Op]) -> dict[str, Any]:
    """The real linearizability checker's result, as the harness stores it."""
    return LinearizabilityChecker("cas-register", workers=1).check(history).to_json()


def build_store(root: Path, seed: int = SEED) -> Store:
    rng = random.Random(seed)
    history = register_history(rng, 1500, 30)
    # linearizable by construction (each operation takes effect inside its interval);
    # written as the checker words a valid result, without running it, so that these
    # tests judge the reports and not the checker of the day
    linear_ok = {"valid": True, "model": "cas-register", "operations": 1500, "keys": 5,
              "keys_checked": 5, "failing_key": None, "explanation": None}  # fmt: skip
    valid = write_run(
        root, "register-partition", "20261120T100000", history,
        {"valid": True, "checkers": {"linearizable": linear_ok, "stats": {"valid": True}}},
        seed=seed, workload="register", nemesis=["partition-minority", "kill"], duration_s=30,
    )  # fmt: skip
    stale_key = "r3"
    history = register_history(rng, 1500, 30, stale_key=stale_key)
    result = linearizable(history)
    assert result["valid"] is False, result
    # the real checker's explanation; the tests expect what it names, whatever it is
    (unplaceable,) = result["explanation"]["unplaceable"]
    invalid_register = write_run(
        root, "register-partition", "20261121T100000", history,
        {"valid": False, "checkers": {"linearizable": result, "stats": {"valid": True}}},
        seed=seed + 1, workload="register", nemesis=["partition-minority", "kill"],
        duration_s=30,
    )  # fmt: skip
    history, lost_values = set_history(rng, 1200, 30, lose=7)
    set_full = SetFullChecker().check(history).to_json()
    assert set_full["valid"] is False and set_full["lost_count"] == len(lost_values), set_full
    lost = set_full["lost"]
    assert sorted(w["value"] for w in lost) == sorted(lost_values)
    summary = ("acknowledged_count", "lost_count", "lost", "recovered_count",
               "unexpected_count", "stale_count", "never_read_count", "by_acks")  # fmt: skip
    invalid_set = write_run(
        root, "set-partition", "20261121T120000", history,
        {"valid": False, "checkers": {"set-full": set_full, "stats": {"valid": True}},
         "lost_writes": {k: set_full[k] for k in summary if k in set_full}},
        seed=seed + 2, workload="set", nemesis=["partition-minority"], duration_s=30,
    )  # fmt: skip
    history = register_history(rng, 800, 20)
    unknown = write_run(
        root, "register-partition", "20261122T100000", history,
        {"valid": "unknown", "checkers": {
            "linearizable": {
                "valid": "unknown",
                "reason": "timeout: the search did not finish before the deadline",
            },
            "stats": {"valid": True},
        }},
        seed=seed + 3, workload="register", nemesis=["partition-minority"], duration_s=20,
    )  # fmt: skip
    return Store(
        root, valid, invalid_set, invalid_register, unknown,
        failing_key=result["failing_key"], unplaceable=unplaceable, lost=lost,
    )  # fmt: skip


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    print(f"report fixtures seed={SEED}")
    yield build_store(tmp_path_factory.mktemp("store"))
