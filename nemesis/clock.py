"""The clock nemesis: skew the wall clocks of some nodes with libfaketime.

This needs the database's cooperation: it must start every node under libfaketime with
the environment from :func:`faketime_env` (one timestamp file per node) and say where
each file is through :class:`ClockControlled`. The nemesis then writes offsets such as
``+60`` into the files; libfaketime re-reads a file at most once a second
(``FAKETIME_CACHE_DURATION=1``), so the skew applies without a restart. Monotonic clocks
are skewed too (libfaketime's default; faking only the wall clock breaks ``sleep`` in
libfaketime 0.9.10), which is what a jump of a node's clock looks like to Redis.

Debian's redis-server cannot run under libfaketime (jemalloc clash, it hangs at
start; see :func:`faketime_problem`), so ``clock`` applies to ``--db splitbrain`` only.

What a DB does for it: merge a faketime environment into the environment of every node
process it starts (only when the run asks for a fault that needs faketime: libfaketime
slows every time call; :class:`FaketimeFiles` keeps the files) and implement
``faketime_file(node)`` (:class:`ClockControlled`). The harness's ``ClusterDB`` does; a
DB that does not is refused at setup with a clear message.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from base.faketime import FaketimeUnavailable, faketime_env, libfaketime
from base.op import Op, OpType
from nemesis.errors import UnsupportedFault
from nemesis.faultspec import FaultSpec
from nemesis.grudge import minority_size
from nemesis.options import NemesisOptions
from nemesis.protocol import FaultEnv

CLOCK_FS = frozenset({"start-clock", "stop-clock"})


@runtime_checkable
class ClockControlled(Protocol):
    """Starts its nodes under libfaketime, one offset file each (see docs/nemesis.md)."""

    def faketime_file(self, node: str) -> Path | None:
        """The libfaketime timestamp file node ``node`` was started with, or None."""
        ...


def faketime_problem(argv: Sequence[str], timeout_s: float = 5.0) -> str | None:
    """None if ``argv`` (e.g. ``["redis-server", "--version"]``) runs under libfaketime,
    else why not. Debian's redis-server links jemalloc, which clashes with libfaketime
    (libfaketime issue #130): it hangs at start, so ``clock`` cannot work on it."""
    lib = libfaketime()
    if lib is None:
        return "libfaketime is not installed (Debian package faketime)"
    env = {**os.environ, "LD_PRELOAD": str(lib), "FAKETIME": "+0"}
    try:
        done = subprocess.run(
            list(argv), env=env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return f"{argv[0]} hangs under libfaketime (a jemalloc build?)"
    except OSError as e:
        return f"{argv[0]}: {e}"
    if "libfaketime:" in done.stderr or done.returncode != 0:
        first = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[0]
        return f"{argv[0]} fails under libfaketime: {first}"
    return None


class FaketimeFiles:
    """One libfaketime timestamp file per node in ``folder``: the DB side of the hook."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, Path] = {}

    def env_for(self, node: str) -> dict[str, str]:
        """Environment additions for starting ``node`` (creates its file at ``+0`` the
        first time; a restarted node keeps its current offset)."""
        path = self.folder / f"{node}.faketime"
        if node not in self._files:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(offset_text(0))
            self._files[node] = path
        try:
            return faketime_env(path)
        except FaketimeUnavailable as e:
            raise UnsupportedFault(str(e)) from e

    def faketime_file(self, node: str) -> Path | None:
        return self._files.get(node)


def offset_text(seconds: int) -> str:
    """libfaketime's relative offset syntax: ``+60``, ``-30``."""
    return f"{seconds:+d}\n"


class ClockNemesis:
    """``start-clock`` skews a random minority by +-``clock_offset_s``; ``stop-clock``
    and teardown set every node back to ``+0``."""

    def __init__(self, options: NemesisOptions, specs: Iterable[FaultSpec]) -> None:
        del specs  # one fault, no argument
        self.options = options
        self._env: FaultEnv | None = None
        self._files: dict[str, Path] = {}

    @property
    def fs(self) -> frozenset[str]:
        return CLOCK_FS

    async def setup(self, env: FaultEnv) -> None:
        db = env.db
        assert isinstance(db, ClockControlled)  # the package checks the spec's abilities
        files = {h.name: db.faketime_file(h.name) for h in env.hosts}
        missing = sorted(n for n, f in files.items() if f is None)
        if missing:
            raise UnsupportedFault(f"fault 'clock': nodes without a faketime file: {missing}")
        self._files = {n: f for n, f in files.items() if f is not None}
        self._env = env

    async def invoke(self, op: Op) -> Op:
        if self._env is None:
            raise RuntimeError("clock nemesis used before setup")
        rng = self._env.rng
        if op.f == "start-clock":
            nodes = sorted(self._files)
            rng.shuffle(nodes)
            chosen = sorted(nodes[: max(1, minority_size(len(nodes)))])
            offsets = {n: int(self.options.clock_offset_s) * rng.choice((-1, 1)) for n in chosen}
            for node, seconds in offsets.items():
                self._files[node].write_text(offset_text(seconds))
            return op.complete(OpType.OK, value=offsets)
        if op.f == "stop-clock":
            self._reset()
            return op.complete(OpType.OK, value="clocks-reset")
        raise ValueError(f"clock nemesis: unknown f {op.f!r}")

    async def teardown(self) -> None:
        self._reset()

    def _reset(self) -> None:
        errors = []
        for node, path in self._files.items():
            try:
                path.write_text(offset_text(0))
            except OSError as e:
                errors.append(f"{node}: {e}")
        if errors:
            raise OSError(f"could not reset clocks: {errors}")
