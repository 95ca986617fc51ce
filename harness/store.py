"""The run store: ``<store>/<test-name>/<YYYYmmddTHHMMSS>/`` per run, with ``<store>/latest``
and ``<store>/<test-name>/latest`` symlinks (relative, so the store can be moved)."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_STORE = Path("store")
STATE = "state.json"

_SAFE = re.compile(r"[^A-Za-z0-9_.+-]+")


def test_name(db: str, workload: str, nemesis: str) -> str:
    """``redis-set-partition-minority``: names the kind of test, not the run."""
    return _SAFE.sub("_", f"{db}-{workload}-{nemesis.replace(',', '+')}")


def new_run_dir(store: Path, name: str, started: datetime) -> Path:
    """Create the run folder for a run started at ``started`` (wall clock, display only)
    and point the ``latest`` links at it."""
    base = store / name
    stamp = started.strftime("%Y%m%dT%H%M%S")
    run_dir = base / stamp
    n = 1
    while True:
        try:
            run_dir.mkdir(parents=True)
            break
        except FileExistsError:
            n += 1
            run_dir = base / f"{stamp}-{n}"
    _link(base / "latest", run_dir.name)
    _link(store / "latest", f"{name}/{run_dir.name}")
    return run_dir


def _link(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    tmp.replace(link)


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    tmp.replace(path)


def run_dirs(store: Path) -> list[Path]:
    """Every run folder in the store (those holding a test.json), oldest name first."""
    return sorted(p.parent for p in store.glob("*/*/test.json") if not p.parent.is_symlink())
