"""Benchmark: set-full on a generated 100,000-element set history, and the list-append
checker on a 10,000-transaction history. Prints figures; exits 1 if a target is missed.

    .venv/bin/python -m benchmarks.setfull_bench [--seed N] [--elements N] [--txns N|0]

The histories are generated from a seeded ``random.Random`` with overlapping operations
(each operation completes a few operations after it was invoked, and takes effect when
invoked), info and failed operations, nemesis events, reads during the run and a final
read of every key. A few acknowledged elements are dropped from the final reads so the
lost-element path is exercised; the checker must find exactly those.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import deque
from typing import Any

from base.op import NEMESIS, Op, OpType, Process
from checkers.elle import ListAppendChecker
from checkers.setfull import SetFullChecker

MS = 1_000_000
SET_TARGET_S = 5.0


class _Recorder:
    def __init__(self) -> None:
        self.events: list[Op] = []

    def emit(self, op: Op) -> Op:
        n = len(self.events)
        stamped = Op(op.type, op.f, op.value, op.process, n, n * MS // 10, op.key, acks=op.acks)
        self.events.append(stamped)
        return stamped


def set_history(rng: random.Random, elements: int, keys: int, dropped: int) -> list[Op]:
    rec = _Recorder()
    store: dict[str, list[int]] = {f"k{i}": [] for i in range(keys)}
    in_flight: deque[tuple[Op, Any]] = deque()
    procs = 16
    next_process = procs
    free: list[Process] = list(range(procs))
    acked: list[tuple[str, int]] = []
    for i in range(elements):
        if i % 10_000 == 5_000:
            rec.emit(Op(OpType.INVOKE, "start-partition", "majority", NEMESIS))
            rec.emit(Op(OpType.INFO, "start-partition", "majority", NEMESIS))
        if i % 10_000 == 8_000:
            rec.emit(Op(OpType.INVOKE, "stop-partition", None, NEMESIS))
            rec.emit(Op(OpType.INFO, "stop-partition", None, NEMESIS))
        key = f"k{rng.randrange(keys)}"
        p = free.pop()
        if i % 500 == 250:
            inv = rec.emit(Op(OpType.INVOKE, "read", None, p, key=key))
            in_flight.append((inv, list(store[key])))
            p = free.pop()
        inv = rec.emit(Op(OpType.INVOKE, "add", i, p, key=key))
        roll = rng.random()
        outcome = OpType.FAIL if roll < 0.02 else OpType.INFO if roll < 0.07 else OpType.OK
        if outcome is not OpType.FAIL and (outcome is OpType.OK or rng.random() < 0.5):
            store[key].append(i)
        in_flight.append((inv, outcome))
        while len(in_flight) > 8:
            op, result = in_flight.popleft()
            if op.f == "read":
                rec.emit(op.complete(OpType.OK, value=result))
                free.append(op.process)
                continue
            acks = rng.choice((None, 0, 1)) if result is OpType.OK else None
            rec.emit(op.complete(result, acks=acks))
            if result is OpType.OK:
                acked.append((op.key or "", op.value))
            if result is OpType.INFO:
                free.append(next_process)
                next_process += 1
            else:
                free.append(op.process)
    for op, result in in_flight:
        rec.emit(op.complete(OpType.OK, value=result) if op.f == "read" else op.complete(result))
    lost = set(rng.sample(acked, dropped))
    for key, values in store.items():
        inv = rec.emit(Op(OpType.INVOKE, "read", None, 999, key=key))
        rec.emit(inv.complete(OpType.OK, value=[v for v in values if (key, v) not in lost]))
    return rec.events


def append_history(rng: random.Random, txns: int, keys: int) -> list[Op]:
    rec = _Recorder()
    lists: dict[int, list[int]] = {k: [] for k in range(keys)}
    in_flight: deque[tuple[Op, list[list[Any]]]] = deque()
    next_value = 0
    for i in range(txns):
        mops: list[list[Any]] = []
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(keys)
            if rng.random() < 0.5:
                mops.append(["append", k, next_value])
                next_value += 1
            else:
                mops.append(["r", k, None])
        inv = rec.emit(Op(OpType.INVOKE, "txn", mops, i % 10))
        done = []
        for f, k, v in mops:
            if f == "append":
                lists[k].append(v)
                done.append([f, k, v])
            else:
                done.append([f, k, list(lists[k])])
        in_flight.append((inv, done))
        if len(in_flight) > 5:
            op, result = in_flight.popleft()
            rec.emit(op.complete(OpType.OK, value=result))
    for op, result in in_flight:
        rec.emit(op.complete(OpType.OK, value=result))
    return rec.events


def main(argv: list[str] | None = None) -> int:
    start = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--elements", type=int, default=100_000)
    ap.add_argument("--keys", type=int, default=100)
    ap.add_argument("--txns", type=int, default=10_000, help="0 skips list-append")
    args = ap.parse_args(argv)
    print(f"seed={args.seed}")
    rng = random.Random(args.seed)
    dropped = 10

    t0 = time.perf_counter()
    history = set_history(rng, args.elements, args.keys, dropped)
    t1 = time.perf_counter()
    result = SetFullChecker().check(history)
    t2 = time.perf_counter()
    d = result.details
    print(
        f"set-full: {args.elements} elements, {args.keys} keys, {len(history)} events; "
        f"generate {t1 - t0:.2f} s, check {t2 - t1:.2f} s -> {result.verdict.value}: "
        f"acknowledged {d['acknowledged_count']}, lost {d['lost_count']} "
        f"(injected {dropped}), recovered {d['recovered_count']}, "
        f"stale {d['stale_count']}, never read {d['never_read_count']}"
    )
    set_ok = d["lost_count"] == dropped and d["unexpected_count"] == 0

    t3 = time.perf_counter()
    if args.txns <= 0:
        whole = time.perf_counter() - start
        print(f"whole process {whole:.2f} s (target < {SET_TARGET_S:g} s)")
        ok = set_ok and whole < SET_TARGET_S
        print("OK" if ok else "TARGET MISSED")
        return 0 if ok else 1
    txns = append_history(rng, args.txns, 10)
    t4 = time.perf_counter()
    serial = ListAppendChecker().check(txns)
    t5 = time.perf_counter()
    strict = ListAppendChecker(consistency="strict-serializable").check(txns)
    t6 = time.perf_counter()
    print(
        f"list-append: {args.txns} txns, {len(txns)} events; generate {t4 - t3:.2f} s, "
        f"serializable {t5 - t4:.2f} s -> {serial.verdict.value} "
        f"({serial.details['edge_count']} edges), strict-serializable {t6 - t5:.2f} s -> "
        f"{strict.verdict.value} ({strict.details['edge_count']} edges)"
    )
    append_ok = serial.details["anomaly_types"] == [] == strict.details["anomaly_types"]

    whole = time.perf_counter() - start
    set_process = whole - (t6 - t3)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"whole process {whole:.2f} s (set part {set_process:.2f} s, "
        f"target < {SET_TARGET_S:g} s); max RSS {rss_mb:.0f} MB"
    )
    ok = set_ok and append_ok and set_process < SET_TARGET_S
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
