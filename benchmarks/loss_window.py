"""Fidelity: do our nodes lose writes in the same window as redis-server?

    .venv/bin/python -m benchmarks.loss_window [--rounds 2] [--time-limit 60] [--seed N]

Each round runs ``harness run`` (the real CLI, as root: namespaces and partitions) with the
set workload under ``partition-minority``, ``cluster-node-timeout 2000``, on redis-server
and then on splitbrain-server with the same seed, and reads every lost write
(``lost.jsonl``, each with the fault period that lost it and its offset after the cut).
Printed side by side: lost / acknowledged, and the loss window over all partition
periods (first, last and p50 of the acknowledgement times after the cut), then
splitbrain's figures over redis's. The target: the same window within 25%.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checkers.quantiles import quantile
from harness.finish import LOST_FILE

DBS = ("redis", "splitbrain")


@dataclass(frozen=True, slots=True)
class RoundResult:
    db: str
    seed: int
    acknowledged: int
    lost: int
    offsets_s: tuple[float, ...]
    """Every partition-explained lost write's acknowledgement time after the cut."""
    summary: str
    """results.json's loss windows in words."""


def run_once(db: str, seed: int, time_limit: float, store: Path) -> RoundResult:
    name = f"loss-window-{db}-{seed}"
    argv = [
        sys.executable, "-m", "harness.cli", "run", "--db", db, "--workload", "set",
        "--nemesis", "partition-minority", "--node-timeout", "2000", "--seed", str(seed),
        "--time-limit", str(time_limit), "--store", str(store), "--test-name", name,
    ]  # fmt: skip
    done = subprocess.run(
        argv, check=False, capture_output=True, text=True, timeout=time_limit + 300
    )
    if done.returncode not in (0, 1, 2):
        raise RuntimeError(
            f"harness run --db {db} failed ({done.returncode}): {done.stderr[-500:]}"
        )
    run = max(p for p in (store / name).iterdir() if not p.is_symlink())
    results = json.loads((run / "results.json").read_text())
    lines = [json.loads(line) for line in (run / LOST_FILE).open() if line.strip()]
    offsets = [
        float(line["lost_by"]["offset_s"])
        for line in lines
        if line.get("lost_by") and line["lost_by"]["fault"] == "partition"
    ]
    return RoundResult(
        db,
        seed,
        int(results["lost_writes"]["acknowledged_count"]),
        int(results["lost_writes"]["lost_count"]),
        tuple(sorted(offsets)),
        str(results["lost_writes"].get("summary", "")),
    )


def window_figures(offsets: Sequence[float]) -> tuple[float, float, float] | None:
    if not offsets:
        return None
    ordered = sorted(offsets)
    return ordered[0], ordered[-1], quantile(ordered, 0.5)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loss_window")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=None, help="first round's seed")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    print(f"seed={seed} (rerun with --seed {seed})", flush=True)
    results: dict[str, list[RoundResult]] = {db: [] for db in DBS}
    with tempfile.TemporaryDirectory(prefix="loss-window-") as tmp:
        for r in range(args.rounds):
            for db in DBS:
                result = run_once(db, seed + r, args.time_limit, Path(tmp))
                results[db].append(result)
                figures = window_figures(result.offsets_s)
                where = (
                    "no loss window"
                    if figures is None
                    else "window first {:+.2f} s, last {:+.2f} s, p50 {:+.2f} s".format(*figures)
                )
                print(
                    f"round {r + 1} {db:<10} seed {result.seed}: lost {result.lost:>6} of "
                    f"{result.acknowledged:>6} acknowledged; {where}",
                    flush=True,
                )
                print(f"  {result.summary}", flush=True)
    pooled = {
        db: window_figures([o for x in rs for o in x.offsets_s]) for db, rs in results.items()
    }
    print()
    for db in DBS:
        lost = sum(x.lost for x in results[db])
        acked = sum(x.acknowledged for x in results[db])
        figures = pooled[db]
        text = (
            "-"
            if figures is None
            else "first {:+.2f} s  last {:+.2f} s  p50 {:+.2f} s".format(*figures)
        )
        print(f"{db:<10} lost {lost:>6} / {acked:>6} ({lost / max(acked, 1):.2%})  {text}")
    ours, ref = pooled["splitbrain"], pooled["redis"]
    if ours is not None and ref is not None:
        ratios = [o / r if r else float("nan") for o, r in zip(ours, ref, strict=True)]
        print(
            "splitbrain/redis: first {:.2f}  last {:.2f}  p50 {:.2f} (target 0.75-1.25)".format(
                *ratios
            )
        )
        gaps = [o - r for o, r in zip(ours, ref, strict=True)]
        print(
            "splitbrain-redis: first {:+.2f} s  last {:+.2f} s  p50 {:+.2f} s (first is a"
            " few writes after the cut: its ratio says little)".format(*gaps)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
