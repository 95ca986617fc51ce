"""Running a ``harness test-all`` plan: each test is an ordinary ``harness run`` in a
process of its own (so a crash, a hang or a leak in one run never reaches the next),
one after the other, into the same store; then the matrix's combined results.xml,
summary.md and matrix.json in ``<store>/test-all/<stamp>/``, the store index, and the
exit code.

Ctrl-C or SIGTERM to the harness: the signal is passed to the running test, which
stops as ``harness run`` does (heals, stops its nodes, removes its namespaces and
tables, checks what it recorded); then no further test starts. The test runs in its
own process group so a terminal's Ctrl-C reaches it once, through here; if test-all
dies (even by SIGKILL), the test gets SIGTERM and stops the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TextIO

import reports
from base.exits import EXIT_INTERNAL, EXIT_INVALID, EXIT_UNKNOWN, EXIT_VALID
from harness.matrix import PlannedTest, budget_allows
from harness.store import write_json
from reports.matrix import NOT_RUN, MatrixEntry, counts, render_matrix_summary
from reports.matrix_junit import render_matrix_junit

_PR_SET_PDEATHSIG: Final = 1

MATRIX_FOLDER = "test-all"
"""``<store>/test-all/<stamp>/`` holds each matrix's own files; ``latest`` links the
newest."""


def matrix_exit_code(entries: Sequence[MatrixEntry]) -> int:
    """1 if any test is invalid; else 255 if any crashed; else 2 if any is unknown (or
    no test ran at all); else 0. Tests not run do not count otherwise."""
    n = counts(entries)
    if n["invalid"]:
        return EXIT_INVALID
    if n["crashed"]:
        return EXIT_INTERNAL
    if n["unknown"] or not any(e.status != NOT_RUN for e in entries):
        return EXIT_UNKNOWN
    return EXIT_VALID


@dataclass
class Matrix:
    """The tests to run (named, validated) with their planned durations, the store,
    the optional budget in seconds; ``out`` gets the progress lines."""

    tests: Sequence[PlannedTest]
    planned_s: Sequence[float]
    store: Path
    budget_s: float | None
    out: TextIO = sys.stderr
    entries: list[MatrixEntry] = field(default_factory=list)
    _child: subprocess.Popen[bytes] | None = None
    _stopping: str | None = None

    def run(self) -> list[MatrixEntry]:
        """Every test in order (or until interrupted / out of budget); the entries."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        start = time.monotonic()
        overheads: list[float] = []
        try:
            for test, planned in zip(self.tests, self.planned_s, strict=True):
                if self._stopping is not None:
                    self._skip(test, f"the matrix was interrupted ({self._stopping})")
                    continue
                elapsed = time.monotonic() - start
                if not budget_allows(
                    elapsed_s=elapsed,
                    budget_s=self.budget_s,
                    planned_s=planned,
                    overheads_s=overheads,
                ):
                    self._skip(
                        test,
                        f"time budget: {elapsed:.0f} s of {self.budget_s:g} s used, the "
                        f"test would take about {planned + max(overheads, default=0):.0f} s",
                    )
                    continue
                entry = self._run_one(test)
                self.entries.append(entry)
                if entry.duration_s is not None:
                    overheads.append(max(0.0, entry.duration_s - planned))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.entries

    def _on_signal(self, sig: int, frame: object) -> None:
        name = signal.Signals(sig).name
        first = self._stopping is None
        self._stopping = name
        child = self._child
        if first:
            with contextlib.suppress(RuntimeError):  # a print the signal interrupted
                print(
                    f"harness test-all: {name}: stopping the current test, then the matrix",
                    file=self.out,
                )
        if child is not None and child.poll() is None:
            child.send_signal(sig)

    def _skip(self, test: PlannedTest, reason: str) -> None:
        print(f"harness test-all: {test.label()}: not run: {reason}", file=self.out)
        self.entries.append(
            MatrixEntry(test.number, test.name, test.seed, NOT_RUN, _reproduce(test), reason=reason)
        )

    def _run_one(self, test: PlannedTest) -> MatrixEntry:
        total = len(self.tests)
        print(f"harness test-all: {test.label()} of {total}", file=self.out, flush=True)
        before = _run_folders(self.store / test.name)
        started = time.monotonic()
        argv = [sys.executable, "-m", "harness.cli", "run", *test.argv]
        try:
            self._child = subprocess.Popen(
                argv,
                process_group=0,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 (test-all starts no threads)
            )
            if self._stopping is not None:  # the signal came while it was starting
                self._child.send_signal(signal.SIGINT)
            code = self._child.wait()
        except OSError as e:
            return self._crashed(test, f"could not start: {e}", None, None)
        finally:
            self._child = None
        duration = time.monotonic() - started
        new = sorted(_run_folders(self.store / test.name) - before)
        if not new:
            return self._crashed(test, f"no run folder (exit {code})", code, duration)
        entry = _entry(test, new[-1], self.store, code, duration)
        print(f"harness test-all: {test.label()}: {_said(entry)}", file=self.out, flush=True)
        return entry

    def _crashed(
        self, test: PlannedTest, reason: str, code: int | None, duration: float | None
    ) -> MatrixEntry:
        print(f"harness test-all: {test.label()}: crashed: {reason}", file=self.out)
        return MatrixEntry(
            test.number,
            test.name,
            test.seed,
            "crashed",
            _reproduce(test),
            duration_s=duration,
            exit_code=code,
            reason=reason,
        )


def _die_with_parent() -> None:
    """Run in the test's process before exec: SIGTERM to it when test-all dies, even by
    SIGKILL (Linux's PR_SET_PDEATHSIG), so that it stops as on Ctrl-C instead of running
    on unwatched."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _run_folders(test_dir: Path) -> set[Path]:
    return {p.parent for p in test_dir.glob("*/test.json") if not p.parent.is_symlink()}


def _reproduce(test: PlannedTest) -> str:
    return shlex.join(["harness", "run", *test.argv])


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _entry(
    test: PlannedTest, run_dir: Path, store: Path, code: int, duration: float
) -> MatrixEntry:
    """The entry of a finished run, from its folder and exit code."""
    results = _read_json(run_dir / "results.json")
    run_test = _read_json(run_dir / "test.json")
    argv = run_test.get("argv")
    reproduce = shlex.join(argv) if isinstance(argv, list) else _reproduce(test)
    valid = results.get("valid")
    reason = ""
    if code not in (EXIT_VALID, EXIT_INVALID, EXIT_UNKNOWN):
        error = results.get("error") or run_test.get("error")
        status, reason = "crashed", f"exit {code}" + (f": {_short(str(error))}" if error else "")
    elif not results:
        status, reason = "crashed", "no results.json"
    else:
        status = "valid" if valid is True else "invalid" if valid is False else "unknown"
    if run_test.get("interrupted"):
        reason = ", ".join(filter(None, [reason, "interrupted"]))
    lost = results.get("lost_writes") or {}
    try:
        xml: str | None = (run_dir / "results.xml").read_text(encoding="utf-8")
    except OSError:
        xml = None
    return MatrixEntry(
        test.number,
        test.name,
        test.seed,
        status,
        reproduce,
        run=run_dir.relative_to(store).as_posix(),
        lost=lost.get("lost_count"),
        acknowledged=lost.get("acknowledged_count"),
        duration_s=duration,
        exit_code=code,
        reason=reason,
        results_xml=xml,
    )


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _said(e: MatrixEntry) -> str:
    lost = "" if e.lost is None else f", lost {e.lost} of {e.acknowledged} acknowledged"
    why = f" ({e.reason})" if e.reason else ""
    return f"{e.status}{why}{lost}, {e.duration_s or 0:.0f} s, {e.run}"


def new_matrix_dir(store: Path, started: datetime) -> Path:
    """``<store>/test-all/<stamp>[-n]/``, and ``<store>/test-all/latest`` pointing at it
    (relative). ``<store>/latest`` stays the newest run's."""
    base = store / MATRIX_FOLDER
    stamp = started.strftime("%Y%m%dT%H%M%S")
    folder, n = base / stamp, 1
    while True:
        try:
            folder.mkdir(parents=True)
            break
        except FileExistsError:
            n += 1
            folder = base / f"{stamp}-{n}"
    link = base / "latest"
    tmp = base / f".latest.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(folder.name)
    tmp.replace(link)
    return folder


def write_matrix(folder: Path, entries: Sequence[MatrixEntry], argv: Sequence[str]) -> None:
    """results.xml, summary.md and matrix.json of the matrix into ``folder``."""
    title = f"harness test-all {folder.name}"
    (folder / "results.xml").write_text(render_matrix_junit(entries, title), encoding="utf-8")
    (folder / "summary.md").write_text(render_matrix_summary(entries, title), encoding="utf-8")
    rows = [{k: v for k, v in asdict(e).items() if k != "results_xml"} for e in entries]
    write_json(folder / "matrix.json", {"argv": list(argv), "tests": rows})


def refresh_index(store: Path, out: TextIO) -> None:
    """The store's index.html; a failure is said, never fatal (the results are written)."""
    try:
        reports.update_index(store)
    except Exception as e:
        print(f"harness test-all: store index not updated: {type(e).__name__}: {e}", file=out)
