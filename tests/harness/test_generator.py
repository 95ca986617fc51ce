"""The generator is pure and seeded: same seed, same invocations, whatever the timing."""

from __future__ import annotations

import itertools
import random

import pytest

from harness.generator import invocations, next_process, pace, parse_concurrency
from harness.workloads import WORKLOADS, WorkloadOptions, build_workload
from harness.workloads.base import spread_keys
from nodes.keyslot import keyslot


def take(workload_name: str, seed: int, worker: int, n: int, workers: int = 10) -> list[object]:
    workload = build_workload(workload_name, WorkloadOptions(workers=workers))
    return list(itertools.islice(invocations(workload, seed, worker), n))


@pytest.mark.parametrize("name", WORKLOADS)
def test_same_seed_same_invocations(name: str, seed: int) -> None:
    assert take(name, seed, 3, 300) == take(name, seed, 3, 300)


@pytest.mark.parametrize("name", WORKLOADS)
def test_workers_and_seeds_differ(name: str, seed: int) -> None:
    assert take(name, seed, 0, 200) != take(name, seed + 1, 0, 200)
    assert take(name, seed, 0, 200) != take(name, seed, 1, 200)


def test_worker_sequence_does_not_depend_on_other_workers(seed: int) -> None:
    # interleaving other workers' draws must not change a worker's own sequence
    workload = build_workload("register", WorkloadOptions(workers=4))
    alone = list(itertools.islice(invocations(workload, seed, 2), 50))
    gens = [invocations(workload, seed, w) for w in range(4)]
    mixed: list[object] = []
    rng = random.Random(seed)
    while len(mixed) < 50:
        w = rng.randrange(4)
        inv = next(gens[w])
        if w == 2:
            mixed.append(inv)
    assert mixed == alone


def test_set_values_unique_across_workers(seed: int) -> None:
    values = [inv.value for w in range(10) for inv in take("set", seed, w, 500)]  # type: ignore[attr-defined]
    assert len(values) == len(set(values)) == 5000


def test_register_keys_rotate_per_group(seed: int) -> None:
    opts = WorkloadOptions(workers=10, key_group=5, ops_per_key=20)
    workload = build_workload("register", opts)
    ops = list(itertools.islice(invocations(workload, seed, 7), 100))
    keys = [op.key for op in ops]
    assert len(set(keys)) == 5  # 100 ops / 20 per key
    assert keys[0] == keys[19] != keys[20]
    other = next(invocations(workload, seed, 5))
    assert other.key == keys[0]  # workers 5..9 share a group
    assert next(invocations(workload, seed, 4)).key != keys[0]


def test_register_ops_shapes(seed: int) -> None:
    fs = {inv.f for inv in take("register", seed, 0, 400)}  # type: ignore[attr-defined]
    assert fs == {"read", "write", "cas"}
    for inv in take("register", seed, 0, 400):
        if inv.f == "cas":  # type: ignore[attr-defined]
            assert isinstance(inv.value, list) and len(inv.value) == 2  # type: ignore[attr-defined]


def test_list_append_txn_shape(seed: int) -> None:
    for inv in take("list-append", seed, 1, 100):
        assert inv.f == "txn"  # type: ignore[attr-defined]
        (mop,) = inv.value  # type: ignore[attr-defined]
        assert mop[0] in ("append", "r") and mop[1] == inv.key  # type: ignore[attr-defined]


def test_spread_keys_cover_slot_slices() -> None:
    keys = spread_keys("s", 12)
    for i, key in enumerate(keys):
        assert i * 16384 // 12 <= keyslot(key) < (i + 1) * 16384 // 12 + 1


def test_concurrency_and_pace() -> None:
    assert parse_concurrency("7", 6) == 7
    assert parse_concurrency("2n", 6) == 12
    for bad in ("0", "x", "-1", "2m", ""):
        with pytest.raises(ValueError, match="concurrency"):
            parse_concurrency(bad, 6)
    p = pace(100.0, 10, 5)
    assert p.period_s == pytest.approx(0.1) and p.offset_s == pytest.approx(0.05)
    assert p.due(3) == pytest.approx(0.35)
    assert pace(0, 10, 5).period_s == 0
    assert next_process(3, 10) == 13
