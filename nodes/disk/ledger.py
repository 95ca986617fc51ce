"""The fsync ledger: what of each file in a node's ``dir`` is durable.

One JSON object a line, appended with a plain ``os.write`` (no fsync: in the emulation the
OS keeps everything written; only what the node did not fsync is to be lost):

- ``{"op": "created", "file": F}``: the node created or truncated F; nothing of it is
  durable until a ``synced`` line says so (a power loss removes it).
- ``{"op": "synced", "file": F, "length": N}``: an fsync made F's first N bytes durable.
- ``{"op": "renamed", "from": A, "to": B, "length": N}``: A replaced B with its N bytes
  (the node fsyncs the directory after each rename; like ext4's replace-by-rename the new
  content counts as written through).
- ``{"op": "removed", "file": F}``: the node deleted F.

``F`` is relative to the ledger's directory. :func:`replay` folds the lines into
:data:`Durable`; a torn last line (SIGKILL mid-write) is ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

LEDGER_FILE = "splitbrain-fsync.ledger"
"""The ledger's name inside the node's ``dir``."""

Durable = dict[str, int | None]
"""File (relative to the directory) -> its durable length; None: never made durable."""


def replay(lines: Iterable[str]) -> Durable:
    """The durable state the ledger lines describe, in order. Unparsable lines (a torn
    tail) are skipped."""
    state: Durable = {}
    for line in lines:
        try:
            entry = json.loads(line)
            op = entry["op"]
        except (ValueError, KeyError, TypeError):
            continue
        if op == "created":
            state[str(entry["file"])] = None
        elif op == "synced":
            state[str(entry["file"])] = int(entry["length"])
        elif op == "renamed":
            state.pop(str(entry["from"]), None)
            state[str(entry["to"])] = int(entry["length"])
        elif op == "removed":
            state.pop(str(entry["file"]), None)
    return state


def render(state: Mapping[str, int | None]) -> str:
    """Ledger text equivalent to ``state`` (what a compaction writes)."""
    out = []
    for name, length in sorted(state.items()):
        if length is None:
            out.append(json.dumps({"op": "created", "file": name}))
        else:
            out.append(json.dumps({"op": "synced", "file": name, "length": length}))
    return "".join(line + "\n" for line in out)


class Ledger:
    """Appends ledger lines for files under ``directory`` (the ledger is opened, and
    created if missing, at once; one ``os.write`` a line, so a save thread's lines and
    the loop's never interleave)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(os.path.abspath(directory))
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    @property
    def path(self) -> Path:
        return self.directory / LEDGER_FILE

    def name(self, path: str | os.PathLike[str]) -> str:
        """``path`` (absolute or relative to the working directory) as a ledger name."""
        return os.path.relpath(os.path.abspath(path), self.directory)

    def _append(self, entry: dict[str, object]) -> None:
        os.write(self._fd, (json.dumps(entry) + "\n").encode())

    def created(self, path: str | os.PathLike[str]) -> None:
        self._append({"op": "created", "file": self.name(path)})

    def synced(self, path: str | os.PathLike[str], length: int) -> None:
        self._append({"op": "synced", "file": self.name(path), "length": length})

    def renamed(self, src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        length = os.stat(dst).st_size
        self._append(
            {"op": "renamed", "from": self.name(src), "to": self.name(dst), "length": length}
        )

    def removed(self, path: str | os.PathLike[str]) -> None:
        self._append({"op": "removed", "file": self.name(path)})

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
