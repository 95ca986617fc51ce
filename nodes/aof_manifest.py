"""redis 7.0's multi-part AOF layout: ``<appenddirname>/`` holds a base file, the
incremental files written since, and ``<appendfilename>.manifest`` naming them::

    file appendonly.aof.1.base.rdb seq 1 type b
    file appendonly.aof.1.incr.aof seq 1 type i

(``b`` base, ``i`` incr in replay order with increasing ``seq``, ``h`` history: files
a rewrite replaced, deleted afterwards). The base is an RDB (``.base.rdb``,
``aof-use-rdb-preamble yes``) or commands (``.base.aof``). The manifest is replaced
atomically (temp file, fsync, rename, fsync of the directory): it is the switch from
the old files to the new ones.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from nodes.disk import Disk
from nodes.errors import AofError

BASE, INCR, HISTORY = "b", "i", "h"


@dataclass(slots=True)
class AofInfo:
    name: str
    seq: int
    kind: str

    def line(self) -> str:
        name = self.name if _plain(self.name) else _quote(self.name)
        return f"file {name} seq {self.seq} type {self.kind}\n"


def _plain(name: str) -> bool:
    return all(c.isalnum() or c in "._-" for c in name) and bool(name)


def _quote(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@dataclass(slots=True)
class Manifest:
    base: AofInfo | None = None
    incrs: list[AofInfo] = field(default_factory=list)
    history: list[AofInfo] = field(default_factory=list)

    def files(self) -> list[AofInfo]:
        """The files to replay, in order."""
        return ([self.base] if self.base is not None else []) + list(self.incrs)

    def text(self) -> str:
        """The manifest file's contents: base, history, incrs (redis's order)."""
        infos = ([self.base] if self.base is not None else []) + self.history + self.incrs
        return "".join(info.line() for info in infos)


def parse(text: str, path: Path) -> Manifest:
    """A manifest's contents; :class:`AofError` naming the file and line if malformed."""
    manifest = Manifest()
    last_incr = 0
    lines = text.splitlines()
    if not text:
        raise AofError(f"Found an empty AOF manifest {path}")
    for number, raw in enumerate(lines, 1):
        if raw.startswith("#"):
            continue

        def bad(what: str, number: int = number) -> AofError:
            return AofError(f"{what} in the AOF manifest {path} at line {number}")

        try:
            words = shlex.split(raw.strip())
        except ValueError:
            raise bad("Invalid AOF manifest file format") from None
        if len(words) < 6 or len(words) % 2:
            raise bad("Invalid AOF manifest file format")
        pairs = dict(zip((w.lower() for w in words[0::2]), words[1::2], strict=True))
        name, seq_text, kind = pairs.get("file"), pairs.get("seq", ""), pairs.get("type", "")
        if not name or not seq_text.isdigit() or int(seq_text) == 0 or not kind:
            raise bad("Invalid AOF manifest file format")
        if "/" in name:
            raise bad("File can't be a path, just a filename")
        info = AofInfo(name, int(seq_text), kind[0])
        if info.kind == BASE:
            if manifest.base is not None:
                raise bad("Found duplicate base file information")
            manifest.base = info
        elif info.kind == INCR:
            if info.seq <= last_incr:
                raise bad("Found a non-monotonic sequence number")
            last_incr = info.seq
            manifest.incrs.append(info)
        elif info.kind == HISTORY:
            manifest.history.append(info)
        else:
            raise bad("Unknown AOF file type")
    if manifest.base is None and not manifest.incrs:
        raise AofError(f"Found an AOF manifest without files {path}")
    return manifest


def persist(manifest: Manifest, directory: Path, prefix: str, disk: Disk) -> None:
    """Replace ``<directory>/<prefix>.manifest`` atomically, through ``disk``."""
    path = directory / f"{prefix}.manifest"
    temp = directory / f"temp-{prefix}.manifest"
    disk.write_atomically(path, temp, lambda f: f.write(manifest.text().encode()))
