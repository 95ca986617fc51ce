"""Ours against Porcupine on a generated corpus of register histories
(``benchmarks.register_corpus``), class by class, each class one process of each.

Classes: easy and hard histories, each valid by construction or with an injected
anomaly, and all easy files together (the issue's comparison). For every class both
checkers read the same files in one process: ``harness check --model cas-register
--failed-cas-reads --workers 1`` (Porcupine's reading of a failed cas) and a Porcupine
driver (a Go program over Porcupine's ``CheckEventsTimeout`` and its etcd cas-register
model that prints ``PATH<TAB>true|false|unknown`` per file; built in a scratch folder,
never committed). Figures are whole-process wall seconds (the best of ``runs``), its
CPU seconds and the peak RSS; verdicts that disagree where both are definite are
listed. Without a Porcupine binary, ours is printed beside the issue's figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.register_corpus import specs, write_corpus

ISSUE = {"easy (all)": (600, 262_671, 1.4, 6.8)}
"""The issue's figures: class -> (files, operations, Porcupine s, ours then s)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One checker's process over one class: best wall, its CPU, peak RSS, verdicts."""

    wall_s: float
    cpu_s: float
    peak_mb: float
    verdicts: dict[str, str]


def timed(argv: Sequence[str], runs: int) -> Run:
    """Run ``argv`` ``runs`` times (each prints ``PATH<TAB>VERDICT...`` lines and exits
    0, 1 or 2); the best wall time with its CPU time, the largest peak RSS."""
    best: Run | None = None
    peak = 0.0
    for _ in range(runs):
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            if proc.returncode not in (0, 1, 2):
                raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {err.read().strip()}")
            lines = [line.split("\t") for line in out.read().splitlines() if "\t" in line]
        peak = max(peak, usage.ru_maxrss / 1024)
        if best is None or wall < best.wall_s:
            cpu = usage.ru_utime + usage.ru_stime
            best = Run(wall, cpu, 0.0, {line[0]: line[1] for line in lines})
    assert best is not None
    return Run(best.wall_s, best.cpu_s, peak, best.verdicts)


def ours(files: Sequence[Path], runs: int, timeout_s: float) -> Run:
    argv = [sys.executable, "-m", "harness.commands.check", "--model", "cas-register"]
    argv += ["--failed-cas-reads", "--workers", "1", "--timeout", f"{timeout_s:g}"]
    return timed([*argv, *map(str, files)], runs)


def porcupine(binary: str, files: Sequence[Path], runs: int, timeout_s: float) -> Run:
    return timed([binary, f"-timeout={timeout_s:g}s", *map(str, files)], runs)


def compare(
    binary: str | None,
    *,
    seed: int,
    easy: int,
    hard: int,
    hard_ops: int,
    runs: int,
    timeout_s: float,
) -> bool:
    """Generate the corpus, print the table; False when ours is slower than Porcupine on
    all easy files together or a definite verdict disagrees."""
    with tempfile.TemporaryDirectory(prefix="porcupine-compare-") as tmp:
        classes: dict[str, list[Path]] = {}
        operations: dict[str, int] = {}
        for spec, path, ops in write_corpus(Path(tmp), specs(seed, easy, hard, hard_ops)):
            kind = spec.name.split("-")[0]
            shape = "valid" if spec.anomaly is None else "anomaly"
            for name in (f"{kind} {shape}", f"{kind} (all)" if kind == "easy" else None):
                if name is not None:
                    classes.setdefault(name, []).append(path)
                    operations[name] = operations.get(name, 0) + ops
        print(
            f"corpus: seed {seed}, {easy} easy and {hard} hard files "
            f"({hard_ops} operations each); {'Porcupine ' + binary if binary else 'no Porcupine'}"
        )
        theirs_head = (
            f"{'porc s':>7} {'cpu':>6} {'MB':>5} {'verdicts':<22} | porc/ours"
            if binary
            else "the issue's figures"
        )
        print(
            f"{'class':<14} {'files':>5} {'ops':>8} | {'ours s':>7} {'cpu':>6} {'MB':>5} "
            f"{'verdicts':<22} | {theirs_head}"
        )
        ok = True
        for name in sorted(classes, key=lambda n: (n.split()[0], n.endswith("(all)"), n)):
            files = classes[name]
            mine = ours(files, runs, timeout_s)
            left = (
                f"{name:<14} {len(files):>5} {operations[name]:>8} | {mine.wall_s:>7.2f} "
                f"{mine.cpu_s:>6.2f} {mine.peak_mb:>5.0f} {_summary(mine):<22}"
            )
            if binary is None:
                figures = ISSUE.get(name)
                issue = (
                    f"issue: {figures[0]} files, Porcupine {figures[2]} s, ours then {figures[3]} s"
                    if figures
                    else ""
                )
                print(f"{left} | {issue}")
                continue
            theirs = porcupine(binary, files, runs, timeout_s)
            ratio = theirs.wall_s / mine.wall_s if mine.wall_s else float("inf")
            print(
                f"{left} | {theirs.wall_s:>7.2f} {theirs.cpu_s:>6.2f} {theirs.peak_mb:>5.0f} "
                f"{_summary(theirs):<22} | {ratio:.2f}x"
            )
            for path in files:
                a, b = mine.verdicts.get(str(path)), theirs.verdicts.get(str(path))
                if {a, b} == {"true", "false"}:
                    print(f"  DISAGREE {path.name}: ours {a}, Porcupine {b}")
                    ok = False
            if name == "easy (all)" and mine.wall_s > theirs.wall_s:
                print("  MISSED: ours is slower than Porcupine on the easy files")
                ok = False
        return ok


def _summary(run: Run) -> str:
    values = list(run.verdicts.values())
    return " ".join(f"{v[0]}{values.count(v)}" for v in ("true", "false", "unknown"))
