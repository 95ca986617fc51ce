"""Benchmark: whole-process times of ``harness check`` for linearizability.

    .venv/bin/python -m benchmarks.checkers_bench [--seed N] [--ops N] [--keys N] [--runs N]
        [--porcupine PATH] [--easy N] [--hard N] [--hard-ops N] [--corpus-only]

Each figure is the wall time of a fresh ``python -m harness.commands.check`` process
(start-up, reading, checking, printing), the best of ``--runs``, and its peak RSS
(largest process of the tree). Cases: the 102 etcd logs of Porcupine's corpus in one
command, kv c50-bad and c50-ok, and a generated register history (``--ops`` operations
over ``--keys`` keys, 5% info, seeded). Then a generated corpus of single-register cas
histories (``--easy`` and ``--hard`` files), class by class, against the Porcupine
binary ``--porcupine`` when given, else against the issue's figures
(``benchmarks.porcupine_compare``). Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from base.op import Op, OpType
from benchmarks.porcupine_compare import compare
from checkers.history import write_history

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "porcupine"
MS = 1_000_000


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    target_s: float | None
    output: str

    @property
    def met(self) -> bool:
        return self.target_s is None or self.wall_s <= self.target_s


def run_check(
    model: str, files: list[Path], runs: int, extra: tuple[str, ...] = ()
) -> tuple[float, float, float, str]:
    """(best wall seconds, its CPU seconds, peak RSS MB, stdout) of ``harness check`` in
    fresh processes. CPU time counts the whole tree: on a busy machine it says more than
    wall time. The peak is the largest process of the tree (the kernel folds waited-for
    children into the rusage that ``wait4`` reports)."""
    argv = [sys.executable, "-m", "harness.commands.check", "--model", model, *extra]
    argv += map(str, files)
    best, cpu, peak, out = float("inf"), 0.0, 0.0, ""
    for _ in range(runs):
        with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, text=True)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            stderr.seek(0)
            if proc.returncode not in (0, 1, 2):
                raise SystemExit(
                    f"harness check failed ({proc.returncode}): {stderr.read().strip()}"
                )
            if wall < best:
                best, cpu = wall, usage.ru_utime + usage.ru_stime
            peak = max(peak, usage.ru_maxrss / 1024)
            out = stdout.read()
    return best, cpu, peak, out


def register_history(seed: int, n_ops: int, n_keys: int, info_rate: float = 0.05) -> list[Op]:
    """A linearizable register history: groups of 5 workers take the keys in turn, 100
    operations per key, operations overlap, a few end ``info`` (half of those took
    effect) and their process is replaced."""
    rng = random.Random(seed)
    per_key = max(1, n_ops // n_keys)
    groups, group_size = 10, 5
    keys_of = [list(range(g, n_keys, groups)) for g in range(groups)]
    issued = [0] * groups
    key_at = [0] * groups
    process = list(range(groups * group_size))
    next_process = len(process)
    heap = [(rng.random() * MS, w) for w in range(len(process))]
    heapq.heapify(heap)
    planned: list[tuple[int, int, int, int, str, int | None, int, bool]] = []
    while heap:
        start, w = heapq.heappop(heap)
        g = w // group_size
        if key_at[g] >= len(keys_of[g]):
            continue
        key = keys_of[g][key_at[g]]
        issued[g] += 1
        if issued[g] == per_key:
            issued[g], key_at[g] = 0, key_at[g] + 1
        duration = rng.expovariate(1 / (2 * MS)) + 0.1 * MS
        point = start + rng.random() * duration
        f = "write" if rng.random() < 0.5 else "read"
        value = rng.randrange(10) if f == "write" else None
        info = rng.random() < info_rate
        planned.append(
            (int(point), int(start), int(start + duration), key, f, value, process[w], info)
        )
        if info:
            process[w] = next_process
            next_process += 1
        heapq.heappush(heap, (start + duration + rng.random() * 0.2 * MS, w))
    state: dict[int, int | None] = {}
    events: list[tuple[int, int, Op]] = []
    for _point, start, end, key, f, value, proc, info in sorted(planned):
        applies = not info or rng.random() < 0.5
        result = value
        if f == "write" and applies:
            state[key] = value
        elif f == "read":
            result = state.get(key)
        k = str(key)
        events.append((start, 1, Op(OpType.INVOKE, f, value, proc, time_ns=start, key=k)))
        done = OpType.INFO if info else OpType.OK
        out = value if f == "write" or info else result
        events.append((end, 0, Op(done, f, out, proc, time_ns=end, key=k)))
    events.sort(key=lambda e: (e[0], e[1]))  # at equal times, completions first
    return [
        Op(op.type, op.f, op.value, op.process, i, op.time_ns, op.key)
        for i, (_, _, op) in enumerate(events)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SPLITBRAIN_SEED", "7")))
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--porcupine", metavar="PATH", help="a Porcupine driver binary")
    parser.add_argument("--easy", type=int, default=600, help="easy corpus files (600)")
    parser.add_argument("--hard", type=int, default=6, help="hard corpus files (6)")
    parser.add_argument("--hard-ops", type=int, default=2_000, help="per hard file (2000)")
    parser.add_argument("--timeout", type=float, default=60.0, help="per corpus file (60 s)")
    parser.add_argument("--corpus-only", action="store_true", help="only the corpus")
    args = parser.parse_args()
    if args.porcupine is not None and not os.access(args.porcupine, os.X_OK):
        parser.error(f"--porcupine {args.porcupine}: not an executable file")
    corpus_ok = compare(
        args.porcupine,
        seed=args.seed,
        easy=args.easy,
        hard=args.hard,
        hard_ops=args.hard_ops,
        runs=args.runs,
        timeout_s=args.timeout,
    )
    if args.corpus_only:
        return 0 if corpus_ok else 1
    expected = json.loads((CORPUS / "expected.json").read_text())
    etcd = sorted(
        CORPUS / path
        for group in expected.values()
        if isinstance(group, dict)
        for path in group
        if path.startswith("jepsen/")
    )
    figures: list[Figure] = []
    wall, cpu, rss, out = run_check("cas-register", etcd, args.runs)
    figures.append(Figure(f"etcd x{len(etcd)} (cas-register)", wall, cpu, rss, 0.4, out))
    for name, target in (("c50-bad", 0.1), ("c50-ok", None)):
        wall, cpu, rss, out = run_check("kv", [CORPUS / "kv" / f"{name}.txt"], args.runs)
        figures.append(Figure(f"kv {name}", wall, cpu, rss, target, out))
    print(f"generating {args.ops} register operations over {args.keys} keys (seed {args.seed})")
    history = register_history(args.seed, args.ops, args.keys)
    with tempfile.TemporaryDirectory(prefix="checkers-bench-") as tmp:
        path = Path(tmp) / "history.jsonl"
        with path.open("w") as f:
            f.writelines(write_history(history, "jsonl"))
        wall, cpu, rss, out = run_check("register", [path], 1)
        name = f"register {args.ops} ops / {args.keys} keys"
        figures.append(Figure(name, wall, cpu, rss, 30.0, out))
    ok = True
    print(f"{'case':<34} {'wall s':>7} {'target':>6} {'cpu s':>6} {'peak MB':>7}  verdicts")
    for fig in figures:
        verdicts = [line.split("\t")[1] for line in fig.output.splitlines() if "\t" in line]
        summary = ", ".join(f"{v} {verdicts.count(v)}" for v in sorted(set(verdicts)))
        goal = "-" if fig.target_s is None else f"{fig.target_s:g}"
        mark = "" if fig.met else "  MISSED"
        print(
            f"{fig.name:<34} {fig.wall_s:>7.3f} {goal:>6} {fig.cpu_s:>6.2f} "
            f"{fig.peak_rss_mb:>7.0f}  {summary}{mark}"
        )
        ok = ok and fig.met
    return 0 if ok and corpus_ok else 1


if __name__ == "__main__":
    sys.exit(main())
