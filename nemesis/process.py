"""The process nemesis: kill (SIGKILL, restart at the stop), kill-power (a power loss:
SIGKILL and drop unsynced writes, restart at the stop), pause (SIGSTOP / SIGCONT) and
restart-all, through the database's :class:`Killable` / :class:`PowerLossable` /
:class:`Pausable` abilities (which the package checks at setup: they are on each fault's
spec)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace

from base.db import Killable, Pausable, PowerLossable
from base.op import Op, OpType
from nemesis.errors import FaultFailed
from nemesis.faultspec import FaultSpec
from nemesis.options import NemesisOptions
from nemesis.places import machine_of, shared
from nemesis.protocol import FaultEnv
from nemesis.targets import choose_targets, read_topology

PROCESS_FS = frozenset(
    {
        "start-kill",
        "stop-kill",
        "start-kill-power",
        "stop-kill-power",
        "start-pause",
        "stop-pause",
        "restart-all",
    }
)


async def each_node(
    nodes: Sequence[str], action: Callable[[str], Awaitable[None]]
) -> tuple[list[str], dict[str, str]]:
    """Run ``action`` on every node concurrently: (nodes it worked on, node -> error)."""
    results = await asyncio.gather(*(action(n) for n in nodes), return_exceptions=True)
    done = [n for n, r in zip(nodes, results, strict=True) if not isinstance(r, BaseException)]
    failed = {
        n: f"{type(r).__name__}: {r}"
        for n, r in zip(nodes, results, strict=True)
        if isinstance(r, BaseException)
    }
    return done, failed


class ProcessNemesis:
    """Kills and pauses nodes chosen from the live roles; remembers whom, to undo it."""

    def __init__(self, options: NemesisOptions, specs: Iterable[FaultSpec]) -> None:
        self.options = options
        self.specs = {s.name: s for s in specs}
        self._env: FaultEnv | None = None
        self.killed: set[str] = set()
        self.paused: set[str] = set()

    @property
    def fs(self) -> frozenset[str]:
        return PROCESS_FS

    async def setup(self, env: FaultEnv) -> None:
        self._env = env

    async def invoke(self, op: Op) -> Op:
        env = self._require_env()
        db = env.db
        try:
            if op.f in ("start-kill", "start-kill-power", "start-pause"):
                spec = self.specs.get(str(op.value))
                if spec is None or spec.target is None:
                    return op.complete(OpType.FAIL, error=f"unknown process fault {op.value!r}")
                busy = self.killed | self.paused
                live = [h.name for h in env.hosts if h.name not in busy]
                topology = await read_topology(db, self.options.topology_timeout_s, env.log)
                where = machine_of(env.hosts) if shared(env.hosts) else None
                targets = choose_targets(spec.target, live, topology, env.rng, where)
                # Remember the targets before acting: if this is interrupted, teardown
                # still restarts / resumes them (both are no-ops for a running node).
                if op.f == "start-kill":
                    assert isinstance(db, Killable)
                    self.killed.update(targets)
                    done, failed = await each_node(targets, db.kill)
                elif op.f == "start-kill-power":
                    assert isinstance(db, PowerLossable)
                    self.killed.update(targets)
                    return await self._lose_power(op, db, targets)
                else:
                    assert isinstance(db, Pausable)
                    self.paused.update(targets)
                    done, failed = await each_node(targets, db.pause)
                return self._completion(op, done, failed)
            if op.f in ("stop-kill", "stop-kill-power"):
                assert isinstance(db, Killable)
                done, failed = await each_node(sorted(self.killed), db.start)
                self.killed.difference_update(done)
                return self._completion(op, done, failed)
            if op.f == "stop-pause":
                assert isinstance(db, Pausable)
                done, failed = await each_node(sorted(self.paused), db.resume)
                self.paused.difference_update(done)
                return self._completion(op, done, failed)
            if op.f == "restart-all":
                assert isinstance(db, Killable)
                names = [h.name for h in env.hosts]
                self.killed.update(names)
                _, kill_failed = await each_node(names, db.kill)
                started, start_failed = await each_node(sorted(self.killed), db.start)
                self.killed.difference_update(started)
                return self._completion(op, started, {**kill_failed, **start_failed})
        except FaultFailed as e:
            return op.complete(OpType.FAIL, error=str(e))
        raise ValueError(f"process nemesis: unknown f {op.f!r}")

    async def _lose_power(self, op: Op, db: PowerLossable, targets: Sequence[str]) -> Op:
        """Power loss on ``targets``; the completion says what each lost."""
        lost: dict[str, str] = {}

        async def one(node: str) -> None:
            lost[node] = await db.lose_power(node)

        done, failed = await each_node(targets, one)
        completion = self._completion(op, done, failed)
        self._require_env().log(f"nemesis: power lost on {', '.join(done)}: {lost}")
        return replace(completion, extra={**completion.extra, "lost": dict(sorted(lost.items()))})

    async def teardown(self) -> None:
        """Resume every paused node, restart every killed one; tries all, then raises."""
        if self._env is None:
            return
        db = self._env.db
        failed: dict[str, str] = {}
        if self.paused and isinstance(db, Pausable):
            done, failed_resume = await each_node(sorted(self.paused), db.resume)
            self.paused.difference_update(done)
            failed.update(failed_resume)
        if self.killed and isinstance(db, Killable):
            done, failed_start = await each_node(sorted(self.killed), db.start)
            self.killed.difference_update(done)
            failed.update(failed_start)
        if failed:
            raise FaultFailed(f"could not resume/restart: {failed}")

    def _completion(self, op: Op, done: list[str], failed: dict[str, str]) -> Op:
        env = self._require_env()
        extra: dict[str, object] = {}
        if shared(env.hosts):  # name the hosts hit, too
            where = machine_of(env.hosts)
            extra["hosts"] = sorted({where[n] for n in [*done, *failed] if n in where})
        if failed:
            env.log(f"nemesis: {op.f} failed on {failed}")
            # Some nodes may have been acted on: the outcome is uncertain.
            return op.complete(
                OpType.INFO,
                value=sorted(done),
                error=f"failed on {failed}",
                extra={**op.extra, **extra},
            )
        return op.complete(OpType.OK, value=sorted(done), extra={**op.extra, **extra})

    def _require_env(self) -> FaultEnv:
        if self._env is None:
            raise RuntimeError("process nemesis used before setup")
        return self._env
