"""One child command in a process group of its own, with a deadline: the runners of
outside test suites (``benchmarks.redis_cluster_suite``, ``benchmarks.redis_py_suite``)
start each file this way, so that a file that hangs is stopped with everything it
spawned, by the group its own pid leads."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class GroupRun:
    """How the child ended: its exit status, whether the deadline stopped it, and how
    long it ran (seconds, monotonic)."""

    returncode: int
    timed_out: bool
    seconds: float


def run_in_group(argv: Sequence[str], *, cwd: Path, log: Path, deadline_s: float) -> GroupRun:
    """Run ``argv`` in ``cwd`` in a new session (so a new process group), stdin from
    /dev/null, stdout and stderr into ``log``. Waits at most ``deadline_s``; then, or once
    the child has ended, SIGKILLs the whole group (whatever the child left running) and
    reaps the child."""
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        timed_out = False
        try:
            proc.wait(timeout=deadline_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return GroupRun(proc.returncode, timed_out, time.monotonic() - started)
