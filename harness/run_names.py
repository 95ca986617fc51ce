"""Naming a run on the command line: a run folder's path, or a name inside the store.

Accepted, in this order: a folder that exists (``store/latest``,
``/tmp/x/redis-set-none/20261203T172500``); else a name relative to the store: ``latest``,
``<test>/<stamp>``, ``<test>/latest``, or ``<test>`` alone (its latest run). A test folder
given as a path also means its latest run.
"""

from __future__ import annotations

from pathlib import Path


class RunNotFound(Exception):
    """The word names no run folder (the message says what was looked for)."""


def resolve_run(word: str, store: Path) -> Path:
    """The run folder ``word`` names (resolved: symlinks followed). Raises
    :class:`RunNotFound`."""
    candidates = [Path(word)]
    if not Path(word).is_absolute():
        candidates.append(store / word)
    for path in candidates:
        if path.is_dir():
            run = path / "latest" if (path / "latest").is_dir() else path
            return run.resolve()
    looked = " or ".join(str(p) for p in candidates)
    raise RunNotFound(f"{word}: no such run folder ({looked} does not exist)")


def display_name(run_dir: Path, store: Path) -> str:
    """``<test>/<stamp>`` for a run inside ``store``, else the path."""
    try:
        return run_dir.relative_to(store.resolve()).as_posix()
    except ValueError:
        return str(run_dir)
