"""The interpreter of a test: set the cluster up, run the workers and the nemesis schedule
for the time limit, heal, let the cluster recover, do the final reads, tear down, and
always keep what was recorded.

Every event goes through the :class:`~harness.recorder.Recorder`. Ctrl-C or SIGTERM at any
moment ends the current phase early: the nemesis heals, the nodes stop, and the history
recorded so far is checked (:mod:`harness.analysis`). A failure in teardown is logged and
never loses the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nemesis
from base.op import Op, OpType
from harness.client import ClientConfig, ClusterClient, Outcome, SlotMap, WaitPolicy
from harness.dbs.cluster import ClusterDB, redis_cli_version
from harness.dbs.external import ExternalClusterDB
from harness.dbs.external_ssh import ExternalSSHClusterDB
from harness.dbs.hosts_network import SharedHostsNetwork
from harness.dbs.network import LoopbackNetwork, NamespaceNetwork, Network
from harness.dbs.ssh_cluster import SSHClusterDB, ssh_access
from harness.faults import follow_schedule
from harness.generator import Phase, invocations, nemesis_rng, next_process, pace
from harness.options import RunOptions
from harness.progress import Progress
from harness.recorder import Recorder
from harness.resources import ResourceSampler
from harness.runlog import RunLog
from harness.store import STATE, write_json
from harness.workloads import Invocation, Workload, WorkloadOptions, build_workload
from nemesis.protocol import FaultEnv

FINAL_READ_BACKOFF_S = 0.5
FINAL_HEAL_TIMEOUT_S = 60.0
"""Bound on each final-heal operation (a restart waits for the node to answer)."""


@dataclass
class Execution:
    """What a run left: the history, and how it ended."""

    ops: list[Op]
    interrupted: bool = False
    error: str | None = None
    teardown_errors: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    hosts: list[dict[str, Any]] = field(default_factory=list)
    shards: dict[str, list[list[int]]] = field(default_factory=dict)
    """Each primary's slot ranges once the cluster was up (test.json ``shards``)."""


class Runner:
    """One run. ``prefix`` names everything it creates on the host (namespaces, tables)."""

    def __init__(self, options: RunOptions, run_dir: Path, prefix: str, progress_out: Any) -> None:
        self.options = options
        self.run_dir = run_dir
        self.prefix = prefix
        self._progress_out = progress_out
        self.workload: Workload = build_workload(
            options.workload,
            WorkloadOptions(
                workers=options.concurrency,
                key_group=options.key_group,
                ops_per_key=options.ops_per_key,
                keys=options.keys,
                cas=options.cas,
                key_prefix=run_key_prefix(options, prefix),
            ),
        )
        self.stop = asyncio.Event()
        self.interrupted = False
        self._healed = False
        self._max_process = options.concurrency - 1

    # -- lifecycle -----------------------------------------------------------------------

    async def execute(self) -> Execution:
        loop = asyncio.get_running_loop()
        start = loop.time()
        start_ns = time.monotonic_ns()
        opts = self.options
        self.log = RunLog(self.run_dir / "harness.log", loop.time, start)
        self.recorder = Recorder(self.run_dir / "history.jsonl", time.monotonic_ns, start_ns)
        self.progress = Progress(
            self._progress_out, self.recorder.counts, loop.time, opts.time_limit_s
        )
        self.log.echo = self.progress.note
        for note in opts.notes:
            self.log(f"note: {note}")
        network: Network = (
            NamespaceNetwork(self.prefix, opts.subnet) if opts.net == "netns" else LoopbackNetwork()
        )
        if opts.hosts:
            network = SharedHostsNetwork(self.prefix, opts.subnet, opts.hosts)
        self.db = ClusterDB(
            replace(
                opts.cluster,
                faketime=bool(nemesis.needing(nemesis.Need.FAKETIME, opts.faults)),
                power_loss=bool(nemesis.needing(nemesis.Need.LOSSY_DISK, opts.faults)),
            ),
            network,
            self.run_dir / "data",
            self.log.write,
        )
        if opts.seed_node is not None and opts.ssh_hosts is not None:
            self.db = ExternalSSHClusterDB(
                self.db.spec,
                opts.seed_node,
                ssh_access(opts),
                self.run_dir / "data",
                self.log.write,
            )
        elif opts.seed_node is not None:
            self.db = ExternalClusterDB(
                self.db.spec, opts.seed_node, self.run_dir / "data", self.log.write
            )
        elif opts.ssh_hosts is not None:
            self.db = SSHClusterDB(
                self.db.spec, ssh_access(opts), self.run_dir / "data", self.log.write, self.prefix
            )
        execution = Execution(ops=[])
        execution.versions = {"server": self.db.version(), "redis-cli": redis_cli_version()}
        self._write_state(finished=False)
        previous = self._install_signal_handlers(loop)
        background: list[asyncio.Task[None]] = [
            asyncio.create_task(self.recorder.flush_every(0.1)),
            asyncio.create_task(self.progress.run(1.0)),
        ]
        package: nemesis.NemesisPackage | None = None
        try:
            self.progress.phase = Phase.SETUP.value
            self.log(f"setting up {opts.cluster.nodes} {opts.cluster.db} nodes ({opts.net})")
            if not await self._until_stopped(self.db.setup()):
                return execution
            execution.hosts = [
                {"name": h.name, "ip": h.ip, "port": h.port, "netns": h.netns, "host": h.host}
                for h in self.db.hosts
            ]
            execution.shards = await self._shards()
            self._write_state(finished=False)
            background.append(
                asyncio.create_task(
                    ResourceSampler(
                        self.run_dir / "resources.jsonl", self.db.pids, self.recorder.now_ns
                    ).run(1.0)
                )
            )
            package = await self._nemesis_package()
            await self._run_phases(package)
        except Exception as e:
            execution.error = f"{type(e).__name__}: {e}"
            self.log(f"run failed: {execution.error}")
            if package is not None and not self._healed:
                await self._final_heal(package)  # recorded, like a normal end's heal
        finally:
            self.progress.phase = Phase.TEARDOWN.value
            execution.teardown_errors = await self._teardown(package)
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.progress.finish()
            self.recorder.close()
            execution.ops = self.recorder.history()
            self._write_state(finished=True)
            execution.interrupted = self.interrupted
            self.log.close()
        return execution

    def _install_signal_handlers(self, loop: asyncio.AbstractEventLoop) -> dict[int, Any]:
        """SIGINT / SIGTERM -> :meth:`_interrupt`. Not ``loop.add_signal_handler``: its
        wakeup fd is inherited by children forked without exec (pyroute2 forks to make
        namespaces), whose own signals would then look like ours. The pid check drops
        signals delivered to such a child."""
        owner = os.getpid()

        def handler(sig: int, frame: object) -> None:
            if os.getpid() == owner:
                loop.call_soon_threadsafe(self._interrupt, sig)

        previous: dict[int, Any] = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
        return previous

    def _interrupt(self, sig: int) -> None:
        if self.stop.is_set():
            self.log(f"{signal.Signals(sig).name} again: already stopping")
            return
        self.interrupted = True
        self.stop.set()
        self.log(
            f"{signal.Signals(sig).name}: stopping; healing, stopping the nodes, "
            "then checking what was recorded"
        )

    async def _until_stopped(self, coro: Any) -> bool:
        """Run ``coro``; if the run is interrupted first, cancel it. True if it finished."""
        task = asyncio.ensure_future(coro)
        stopper = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if task.done():
            task.result()
            return True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return False

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless interrupted; True if the whole time passed."""
        if seconds <= 0:
            return not self.stop.is_set()
        try:
            await asyncio.wait_for(self.stop.wait(), seconds)
        except TimeoutError:
            return True
        return False

    async def _shards(self) -> dict[str, list[list[int]]]:
        """Primary name -> its slot ranges, from the cluster as set up (empty, logged, if
        no node says)."""
        try:
            topology = await self.db.topology()
        except Exception as e:  # availability per shard is then per cluster
            self.log(f"slot map not recorded: {type(e).__name__}: {e}")
            return {}
        return {
            p: [[lo, hi] for lo, hi in topology.slots_of.get(p, ())] for p in topology.primaries
        }

    async def _nemesis_package(self) -> nemesis.NemesisPackage | None:
        opts = self.options
        if not opts.faults:
            return None
        nemesis_options = opts.nemesis_options
        if opts.ssh_hosts is not None and nemesis_options.table is None:
            nemesis_options = replace(nemesis_options, table=self.prefix)
        package = nemesis.build_package(list(opts.faults), nemesis_options)
        env = FaultEnv(
            db=self.db,
            hosts=list(self.db.hosts),
            rng=nemesis_rng(opts.seed ^ 0x5EED),
            log=self.log.write,
        )
        await package.nemesis.setup(env)  # undoes its own partial setup if it raises
        return package

    async def _run_phases(self, package: nemesis.NemesisPackage | None) -> None:
        opts = self.options
        loop = asyncio.get_running_loop()
        self.slots = SlotMap([h.address for h in self.db.hosts])
        wait = (
            WaitPolicy(opts.wait_replicas, opts.wait_timeout_ms, opts.wait_strict)
            if opts.wait_replicas > 0
            else None
        )
        self.client_config = ClientConfig(
            op_timeout_s=opts.op_timeout_ms / 1e3,
            connect_timeout_s=opts.connect_timeout_ms / 1e3,
            names=self.db.names,
            wait=wait,
        )
        self.progress.phase = Phase.WORKLOAD.value
        self.workload_start = loop.time()
        self.progress.started = self.workload_start
        end_at = self.workload_start + opts.time_limit_s
        self.log(
            f"workload {opts.workload}: {opts.concurrency} workers, rate "
            f"{opts.rate or 'max'}, {opts.time_limit_s:g}s, nemesis {opts.nemesis}"
        )
        tasks = [asyncio.create_task(self._worker(w, end_at)) for w in range(opts.concurrency)]
        if package is not None:
            tasks.append(asyncio.create_task(self._nemesis_schedule(package)))
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                raise r
        if package is not None:
            await self._final_heal(package)
        if self.stop.is_set():
            self.log("interrupted: skipping recovery and final reads")
            return
        self.progress.phase = Phase.RECOVERY.value
        self.log(f"recovery: waiting {opts.recovery_time_s:g}s")
        if not await self._sleep(opts.recovery_time_s):
            return
        self.progress.phase = Phase.FINAL_READS.value
        await self._final_reads(self.workload.final_reads())

    # -- workers ---------------------------------------------------------------------------

    async def _worker(self, worker: int, end_at: float) -> None:
        loop = asyncio.get_running_loop()
        opts = self.options
        client = ClusterClient(self.slots, self.client_config)
        ops = invocations(self.workload, opts.seed, worker)
        schedule = pace(opts.rate, opts.concurrency, worker)
        process = worker
        k = 0
        stop = self.stop
        try:
            while not stop.is_set():
                if schedule.period_s:
                    due = self.workload_start + schedule.due(k)
                    if due >= end_at:
                        break
                    delay = due - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                if loop.time() >= end_at or stop.is_set():
                    break
                k += 1
                process = await self._perform(client, process, next(ops))
        finally:
            client.close()

    async def _perform(self, client: ClusterClient, process: int, inv: Invocation) -> int:
        """Invoke, execute once, complete; the process to use next."""
        rec = self.recorder
        invoke = rec.invoke(process, inv.f, inv.value, inv.key)
        try:
            cmd = self.workload.command(inv)
            if cmd.decide is None:
                result = await client.execute(inv.key, cmd.payload, cmd.write)
            else:
                result = await client.execute_watched(inv.key, cmd.payload, cmd.decide)
            if result.outcome is Outcome.OK:
                outcome, value = self.workload.completion(inv, result.reply)
                rec.complete(
                    invoke,
                    outcome.value,
                    value,
                    node=result.node,
                    error=result.error,
                    acks=result.acks,
                )
                return process
            rec.complete(
                invoke,
                result.outcome.value,
                inv.value,
                node=result.node,
                error=result.error,
                acks=result.acks,
            )
        except Exception as e:  # a harness bug: the op may have happened
            rec.complete(invoke, "info", inv.value, error=f"harness: {type(e).__name__}: {e}")
            self.log.write(f"worker process {process}: {type(e).__name__}: {e}")
            return self._fresh(process)
        if result.outcome is Outcome.INFO:
            return self._fresh(process)
        return process

    def _fresh(self, process: int) -> int:
        new = next_process(process, self.options.concurrency)
        self._max_process = max(self._max_process, new)
        return new

    async def _final_reads(self, reads: Sequence[Invocation]) -> None:
        if not reads:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.final_read_timeout_s
        client = ClusterClient(self.slots, self.client_config)
        self._max_process += 1
        process = self._max_process
        self.log(f"final reads of {len(reads)} key(s)")
        try:
            for inv in reads:
                while True:
                    before = self.recorder.counts["ok"]
                    process = await self._perform(client, process, inv)
                    self._max_process = max(self._max_process, process)
                    if self.recorder.counts["ok"] > before:
                        break
                    if loop.time() >= deadline or self.stop.is_set():
                        self.log(f"final read of {inv.key} did not succeed before the deadline")
                        break
                    await asyncio.sleep(FINAL_READ_BACKOFF_S)
        finally:
            client.close()

    # -- nemesis ---------------------------------------------------------------------------

    async def _nemesis_schedule(self, package: nemesis.NemesisPackage) -> None:
        opts = self.options
        loop = asyncio.get_running_loop()
        await follow_schedule(
            package.schedule(nemesis_rng(opts.seed), opts.time_limit_s),
            start=self.workload_start,
            time_limit_s=opts.time_limit_s,
            clock=loop.time,
            sleep=self._sleep,
            perform=lambda op: self._nemesis_op(package, op),
        )

    async def _final_heal(self, package: nemesis.NemesisPackage) -> None:
        """The heal-everything operations, recorded in the history; once per run (after
        the workload, or after an error). Teardown heals again, unrecorded."""
        self._healed = True
        self.progress.phase = Phase.HEAL.value
        for op in package.final_ops():
            try:
                await asyncio.wait_for(self._nemesis_op(package, op), FINAL_HEAL_TIMEOUT_S)
            except TimeoutError:
                self.log(f"nemesis {op.f} final-heal: no answer in {FINAL_HEAL_TIMEOUT_S:g}s")

    async def _nemesis_op(self, package: nemesis.NemesisPackage, op: Op) -> None:
        invoke = self.recorder.record(op)
        self.log(f"nemesis {op.f} {op.value}")
        try:
            done: Op = await package.nemesis.invoke(invoke)
        except Exception as e:
            self.recorder.record(invoke.complete(OpType.INFO, error=f"{type(e).__name__}: {e}"))
            self.log(f"nemesis {op.f} failed: {type(e).__name__}: {e}")
            return
        self.recorder.record(done)
        self.log(f"nemesis {done.f} done: {done.value}")
        self.progress.fault = (
            "none" if done.f in package.stop_fs else f"{done.f} {_short(done.value)}"
        )
        self._write_state(finished=False)

    # -- teardown --------------------------------------------------------------------------

    async def _teardown(self, package: nemesis.NemesisPackage | None) -> list[str]:
        """Heal, stop the nodes, collect their files: every step tried, errors listed."""
        errors: list[str] = []
        if package is not None:
            try:
                await asyncio.wait_for(package.nemesis.teardown(), 60)
            except Exception as e:
                errors.append(f"nemesis teardown: {type(e).__name__}: {e}")
        try:
            await self.db.teardown()
        except Exception as e:
            errors.append(f"db teardown: {type(e).__name__}: {e}")
        try:
            self.db.collect(self.run_dir)
        except Exception as e:
            errors.append(f"collecting node files: {type(e).__name__}: {e}")
        for problem in errors:
            self.log(f"teardown problem: {problem}")
        return errors

    def _write_state(self, finished: bool) -> None:
        state = {
            "prefix": self.prefix,
            "net": self.options.net,
            "namespaces": self.db.network.namespaces(),
            "nft_table": self.prefix,
            "pids": {} if finished else self.db.pids(),
            "finished": finished,
            "harness_pid": os.getpid(),
            "data": str(self.run_dir / "data"),
        }
        if isinstance(self.db, SSHClusterDB):
            state["ssh"] = {"root": self.db.root, "nodes": self.db.remote_pids()}
        with contextlib.suppress(OSError):
            write_json(self.run_dir / STATE, state)


def run_key_prefix(options: RunOptions, prefix: str) -> str:
    """``--key-prefix``, else ``<run prefix>:`` against an external cluster (keys of
    this run's own), else none."""
    if options.key_prefix is not None:
        return options.key_prefix
    return f"{prefix}:" if options.cluster.db == "external" else ""


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
