"""What a killed run leaves, and removing it: node processes (by the pids in its
state.json, and any process whose working directory is inside its data folder), nftables
tables and namespaces named with its prefix. Used by ``harness cleanup`` and the tests.

A run whose harness process is still alive is left alone.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import nemesis
from harness.netns import destroy_leftovers, find_leftovers
from harness.store import STATE, write_json
from nemesis.lossyfs.control import LossyFSError, mounts_under, unmount


@dataclass
class CleanupReport:
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def processes_in(folder: Path) -> dict[int, str]:
    """pid -> command of every process whose working directory is inside ``folder``."""
    found: dict[int, str] = {}
    root = str(folder.resolve())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if cwd == root or cwd.startswith(root + os.sep):
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                cmd = "?"
            found[int(entry)] = cmd.strip()
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_processes(pids: dict[int, str], report: CleanupReport, timeout_s: float = 5.0) -> None:
    for pid, cmd in pids.items():
        try:
            os.kill(pid, signal.SIGCONT)
            os.kill(pid, signal.SIGKILL)
            report.removed.append(f"process {pid} ({cmd[:80]})")
        except ProcessLookupError:
            continue
        except OSError as e:
            report.errors.append(f"process {pid}: {e}")
    deadline = time.monotonic() + timeout_s
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


def unmount_disks(data: Path, report: CleanupReport) -> None:
    """Detach the lossyfs mounts (power-loss runs) left under a run's data folder."""
    try:
        mounts = mounts_under(data)
    except OSError as e:
        report.errors.append(f"{data}: cannot read the mount table ({e})")
        return
    for mount in mounts:
        try:
            unmount(mount)
            report.removed.append(f"lossyfs mount {mount}")
        except LossyFSError as e:
            report.errors.append(str(e))


def clean_prefix(prefix: str, report: CleanupReport) -> None:
    """nft tables, then namespaces / bridge / veths named with ``prefix``."""
    try:
        report.removed += nemesis.cleanup_leftovers(prefix)
    except Exception as e:
        report.errors.append(f"nft tables {prefix}: {e}")
    try:
        if not find_leftovers(prefix).empty:
            report.removed += destroy_leftovers(prefix)
    except Exception as e:
        report.errors.append(f"network {prefix}: {e}")


def clean_run(run_dir: Path, report: CleanupReport, force: bool = False) -> None:
    """Remove what the run in ``run_dir`` left, unless its harness is still running."""
    try:
        state = json.loads((run_dir / STATE).read_text())
    except (OSError, ValueError) as e:
        report.errors.append(f"{run_dir}: no readable {STATE} ({e})")
        return
    harness_pid = state.get("harness_pid")
    if not force and not state.get("finished") and harness_pid and _alive(int(harness_pid)):
        report.skipped.append(f"{run_dir}: its harness (pid {harness_pid}) is still running")
        return
    data = run_dir / "data"
    procs = processes_in(data) if data.is_dir() else {}
    for pid in state.get("pids", {}).values():
        if int(pid) not in procs and _alive(int(pid)):
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                continue
            if data.is_dir() and cwd.startswith(str(data.resolve())):
                procs[int(pid)] = "node"
    kill_processes(procs, report)
    if data.is_dir():
        unmount_disks(data, report)
    prefix = state.get("prefix")
    if isinstance(prefix, str) and prefix.startswith("sb") and len(prefix) > 2:
        clean_prefix(prefix, report)
    if state.get("ssh") and not state.get("finished"):
        report.skipped.append(
            f"{run_dir}: its nodes ran on SSH hosts: harness cleanup --ssh-hosts FILE "
            f"--prefix {prefix} removes them there"
        )
    if not state.get("finished"):
        state.update({"finished": True, "pids": {}, "cleaned": True})
        try:
            write_json(run_dir / STATE, state)
        except OSError as e:
            report.errors.append(f"{run_dir}: {e}")


def unfinished_runs(store: Path) -> list[Path]:
    """Run folders in ``store`` whose state.json says they did not finish."""
    runs = []
    for path in sorted(store.glob(f"*/*/{STATE}")):
        if path.parent.is_symlink():
            continue
        try:
            if not json.loads(path.read_text()).get("finished"):
                runs.append(path.parent)
        except (OSError, ValueError):
            runs.append(path.parent)
    return runs
