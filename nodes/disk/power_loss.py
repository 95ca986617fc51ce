"""A power loss on a node's ``dir``, from its fsync ledger (:mod:`nodes.disk.ledger`).

Run after the node was SIGKILLed and before it restarts: every file the ledger knows is
cut back to its durable length, and every file it never made durable is removed; files
the node never wrote through its layer are left alone. :func:`plan` is the pure part (the
ledger's state and the files' sizes in, the actions out); :func:`lose_power` reads the
directory, applies the plan and rewrites the ledger to match what is left.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nodes.disk.ledger import LEDGER_FILE, Durable, render, replay


@dataclass(frozen=True, slots=True)
class Cut:
    """One file a power loss changes: ``keep`` bytes stay (None: the file goes)."""

    file: str
    keep: int | None
    lost_bytes: int


@dataclass(frozen=True, slots=True)
class Loss:
    """What a power loss took: the cuts made and the bytes they dropped."""

    cuts: tuple[Cut, ...]

    @property
    def lost_bytes(self) -> int:
        return sum(c.lost_bytes for c in self.cuts)

    def describe(self) -> str:
        removed = sum(1 for c in self.cuts if c.keep is None)
        return (
            f"{self.lost_bytes} unsynced bytes in {len(self.cuts)} files "
            f"({removed} never synced, removed)"
        )


def plan(durable: Mapping[str, int | None], sizes: Mapping[str, int]) -> list[Cut]:
    """The cuts that bring the files (``sizes``: name -> current length; missing files
    are absent) back to ``durable``, in name order. A file shorter than its durable
    length (the node truncated it itself) is left as it is."""
    cuts = []
    for name in sorted(durable):
        size = sizes.get(name)
        if size is None:
            continue
        keep = durable[name]
        if keep is None:
            cuts.append(Cut(name, None, size))
        elif size > keep:
            cuts.append(Cut(name, keep, size - keep))
    return cuts


def after(durable: Mapping[str, int | None], sizes: Mapping[str, int]) -> Durable:
    """The ledger state once :func:`plan`'s cuts are made: every surviving file durable
    at its (cut) length."""
    state: Durable = {}
    for name, keep in durable.items():
        size = sizes.get(name)
        if size is None or keep is None:
            continue
        state[name] = min(size, keep)
    return state


def lose_power(directory: Path) -> Loss:
    """Apply a power loss to ``directory`` (the node must not be running). Without a
    ledger nothing is known to be written, and nothing changes."""
    ledger = directory / LEDGER_FILE
    try:
        text = ledger.read_text(errors="replace")
    except FileNotFoundError:
        return Loss(())
    durable = replay(text.splitlines())
    sizes: dict[str, int] = {}
    for name in durable:
        with contextlib.suppress(FileNotFoundError):
            sizes[name] = (directory / name).stat().st_size
    cuts = plan(durable, sizes)
    for cut in cuts:
        path = directory / cut.file
        if cut.keep is None:
            path.unlink()
        else:
            os.truncate(path, cut.keep)
    temp = directory / f"{LEDGER_FILE}.tmp"
    temp.write_text(render(after(durable, sizes)))
    os.replace(temp, ledger)
    return Loss(tuple(cuts))
