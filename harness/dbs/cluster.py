"""A Redis Cluster of N nodes (redis-server or splitbrain-server) run by the harness.

Implements :class:`base.db.DB` and the abilities Killable, Pausable, PowerLossable,
HasPrimaries and HasLogFiles. ``setup`` makes the network (loopback or namespaces), starts
every node with its own data dir under the run folder, creates the cluster with
``redis-cli --cluster create`` and waits until every node reports ``cluster_state:ok`` and
every replica ``master_link_status:up``.

With ``spec.power_loss`` a power loss takes what a machine would lose and keeps the
evidence (the log): splitbrain-server nodes keep an fsync ledger in their data dir
(``--splitbrain-fsync-ledger yes``, :mod:`nodes.disk`) and a power loss is a SIGKILL and
the ledger applied to the dir (:func:`nodes.disk.power_loss.lose_power`); for
redis-server each node's data dir holds a lossyfs mount ``disk/`` (its durable content
in ``.disk-durable/``) with the node's ``dir`` (AOF, RDB, nodes.conf) on it and its log
outside. Which one is :attr:`ClusterSpec.nodes_drop_unsynced`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from base.db import NodeHost, Topology
from base.faketime import faketime_env
from harness.dbs.cluster_spec import (
    ClusterError,
    ClusterSpec,
)
from harness.dbs.cluster_state import (
    admin_call,
    parse_cluster_nodes,
    parse_info,
    topology_from,
)
from harness.dbs.network import Network
from harness.dbs.node import NodeProcess, NodeSpec, redis_argv
from nemesis.lossyfs.control import LossyMount, is_mounted
from nodes.disk.power_loss import lose_power

FAKETIME_FILE = "faketime"
DISK = "disk"
"""With power loss: the node's ``dir``, a lossyfs mount inside its data dir."""
DURABLE = ".disk-durable"


class ClusterDB:
    """The cluster under test. ``data_root`` holds one data dir per node."""

    def __init__(
        self,
        spec: ClusterSpec,
        network: Network,
        data_root: Path,
        log: Callable[[str], None],
    ) -> None:
        self.spec = spec
        self.network = network
        self.data_root = data_root
        self._log = log
        self._hosts: list[NodeHost] = []
        self._nodes: dict[str, NodeProcess] = {}
        self._network_made = False
        self._creating: asyncio.Future[list[NodeHost]] | None = None
        self._disks: dict[str, LossyMount] = {}

    @property
    def hosts(self) -> Sequence[NodeHost]:
        return self._hosts

    @property
    def names(self) -> Mapping[str, str]:
        """ "ip:port" -> node name."""
        return {h.address: h.name for h in self._hosts}

    def pids(self) -> dict[str, int]:
        return {n: p.pid for n, p in self._nodes.items() if p.pid is not None}

    def host(self, name: str) -> NodeHost:
        for h in self._hosts:
            if h.name == name:
                return h
        raise KeyError(f"no node named {name!r}")

    async def setup(self) -> None:
        try:
            await self._setup()
        except BaseException:
            with contextlib.suppress(Exception):
                await self.teardown()
            raise

    async def _setup(self) -> None:
        binary = self.spec.binary()
        # pyroute2's synchronous API runs an event loop of its own: keep it off ours. The
        # thread cannot be cancelled, so teardown waits for it before destroying.
        self._network_made = True
        self._creating = asyncio.ensure_future(
            asyncio.to_thread(self.network.create, self.spec.node_names())
        )
        self._hosts = await self._creating
        for host in self._hosts:
            argv = redis_argv(
                binary,
                host=host,
                node_timeout_ms=self.spec.node_timeout_ms,
                appendonly=self.spec.appendonly,
                appendfsync=self.spec.appendfsync,
                extra=self.spec.node_options,
            )
            data = self.data_root / host.name
            if self.spec.power_loss and self.spec.nodes_drop_unsynced:
                argv += ["--splitbrain-fsync-ledger", "yes"]
            elif self.spec.power_loss:
                absolute = data.absolute()
                argv += ["--dir", str(absolute / DISK), "--logfile", str(absolute / "node.log")]
                self._disks[host.name] = LossyMount(
                    data / DURABLE, data / DISK, data / "lossyfs.log"
                )
            env = None
            if self.spec.faketime:
                data.mkdir(parents=True, exist_ok=True)
                clock_file = data / FAKETIME_FILE
                clock_file.write_text("+0\n")
                env = faketime_env(clock_file)
            spec = NodeSpec(host, tuple(self.network.wrap(host.name, argv)), data, env)
            self._nodes[host.name] = NodeProcess(spec)
        if self._disks:
            self._log(f"mounting a lossyfs under each of {len(self._disks)} nodes")
            await asyncio.gather(*(d.start() for d in self._disks.values()))
        self._log(f"starting {len(self._hosts)} {self.spec.db} nodes on {self.network.kind}")
        await asyncio.gather(*(n.start() for n in self._nodes.values()))
        await self._create_cluster()
        await self.await_healthy(self.spec.ready_timeout_s)

    async def _create_cluster(self) -> None:
        cli = shutil.which("redis-cli")
        if cli is None:
            raise ClusterError("redis-cli is not installed (make setup installs it)")
        argv = [
            cli,
            "--cluster",
            "create",
            *(h.address for h in self._hosts),
            "--cluster-replicas",
            str(self.spec.replicas),
            "--cluster-yes",
        ]
        self._log("creating the cluster: " + " ".join(argv))
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 60)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise ClusterError("redis-cli --cluster create did not finish in 60 s") from None
        text = out.decode(errors="replace")
        (self.data_root / "cluster-create.log").write_text(text)
        if proc.returncode != 0 or "[OK] All 16384 slots covered" not in text:
            raise ClusterError(
                f"redis-cli --cluster create failed ({proc.returncode}): {text[-1500:]}"
            )

    async def await_healthy(self, timeout_s: float) -> None:
        """Return once every node says cluster_state:ok, knows every node, and every
        replica's link to its primary is up; raise :class:`ClusterError` at the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        problems: list[str] = ["not checked"]
        while loop.time() < deadline:
            problems = [p for p in await asyncio.gather(*map(self._problem, self._hosts)) if p]
            if not problems:
                self._log("cluster healthy: every node ok, every replica linked")
                return
            await asyncio.sleep(0.2)
        raise ClusterError(f"cluster not healthy after {timeout_s:g}s: {'; '.join(problems)}")

    async def _problem(self, host: NodeHost) -> str | None:
        try:
            info = parse_info(await admin_call(host, "CLUSTER", "INFO", timeout_s=1.0))
            if info.get("cluster_state") != "ok":
                return f"{host.name}: cluster_state {info.get('cluster_state')}"
            if info.get("cluster_known_nodes") != str(len(self._hosts)):
                return f"{host.name}: knows {info.get('cluster_known_nodes')} nodes"
            repl = parse_info(await admin_call(host, "INFO", "replication", timeout_s=1.0))
            if repl.get("role") == "slave" and repl.get("master_link_status") != "up":
                return f"{host.name}: master_link_status {repl.get('master_link_status')}"
        except Exception as e:  # still starting, or not answering
            return f"{host.name}: {e}"
        return None

    async def teardown(self) -> None:
        errors: list[str] = []
        await asyncio.gather(*(n.stop() for n in self._nodes.values()), return_exceptions=True)
        for node in self._nodes.values():
            if node.running:
                errors.append(f"node {node.spec.name} still running (pid {node.pid})")
        disks = await asyncio.gather(
            *(d.stop() for d in self._disks.values()), return_exceptions=True
        )
        errors += [f"lossyfs: {e}" for e in disks if isinstance(e, BaseException)]
        if self._creating is not None and not self._creating.done():
            await asyncio.wait([self._creating])
            if not self._creating.cancelled():
                self._creating.exception()  # retrieved: setup reports it
        if self._network_made:
            try:
                await asyncio.to_thread(self.network.destroy)
                self._network_made = False
            except Exception as e:
                errors.append(f"network: {e}")
        if errors:
            raise ClusterError("teardown: " + "; ".join(errors))

    # Killable
    async def kill(self, node: str) -> None:
        await self._node(node).kill()

    async def start(self, node: str) -> None:
        await self._node(node).start()

    # PowerLossable
    async def lose_power(self, node: str) -> str:
        if not self.spec.power_loss:
            raise ClusterError(f"node {node} is not ready for power loss (the run did not ask)")
        proc = self._node(node)
        if self.spec.nodes_drop_unsynced:
            await proc.kill()
            loss = await asyncio.to_thread(lose_power, proc.spec.data_dir)
            return loss.describe()
        disk = self._disks[node]
        await proc.kill()
        lost, files = await disk.drop()
        return f"{lost} unsynced bytes in {files} files"

    # Pausable
    async def pause(self, node: str) -> None:
        self._node(node).pause()

    async def resume(self, node: str) -> None:
        self._node(node).resume()

    # HasPrimaries
    async def topology(self) -> Topology:
        errors = []
        for host in self._hosts:
            if not self._answering(host.name):
                continue
            try:
                text = await admin_call(host, "CLUSTER", "NODES", timeout_s=1.0)
            except Exception as e:
                errors.append(f"{host.name}: {e}")
                continue
            return topology_from(parse_cluster_nodes(text), self.names)
        raise ClusterError("CLUSTER NODES: no node answered: " + "; ".join(errors))

    def _answering(self, name: str) -> bool:
        """The node runs and is not paused (worth asking for the roles)."""
        proc = self._nodes.get(name)
        return proc is not None and proc.running and not proc.paused

    # ClockControlled (nemesis.clock)
    def faketime_file(self, node: str) -> Path | None:
        if not self.spec.faketime:
            return None
        return self.data_root / node / FAKETIME_FILE

    # HasLogFiles
    def log_files(self) -> Mapping[str, Path]:
        files: dict[str, Path] = {}
        for name in self.names.values():
            data = self.data_root / name
            disk = self._disk_dir(name)
            for f in ("node.log", "stdout.log"):
                files[f"nodes/{name}/{f}"] = data / f
            files[f"nodes/{name}/nodes.conf"] = disk / "nodes.conf"
        return files

    def collect(self, run_dir: Path) -> None:
        """Copy every node's log and nodes.conf, and write its AOF size, into run_dir."""
        for target, source in self.log_files().items():
            dest = run_dir / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            if source.exists() and source.resolve() != dest.resolve():
                shutil.copyfile(source, dest)
        for name in self.names.values():
            aof_dir = self._disk_dir(name) / "appendonlydir"
            files = (
                {p.name: p.stat().st_size for p in sorted(aof_dir.glob("*"))}
                if aof_dir.is_dir()
                else {}
            )
            dest = run_dir / "nodes" / name / "aof.json"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(
                json.dumps({"files": files, "total_bytes": sum(files.values())}, indent=1)
            )

    def _disk_dir(self, name: str) -> Path:
        """Where node ``name``'s ``dir`` content is now: its data dir, or with power loss
        the lossyfs mount while mounted, the durable folder after (a clean stop flushed
        it)."""
        data = self.data_root / name
        disk = self._disks.get(name)
        if disk is None:
            return data
        return disk.mount if is_mounted(disk.mount) else disk.backing

    def _node(self, name: str) -> NodeProcess:
        try:
            return self._nodes[name]
        except KeyError:
            raise KeyError(f"no node named {name!r}") from None

    def version(self) -> str:
        try:
            out = subprocess.run(
                [*self.spec.binary(), "--version"],
                check=False,
                capture_output=True,
                text=True,
                timeout=10,
            )
            return (
                (out.stdout or out.stderr).strip().splitlines()[0]
                if (out.stdout or out.stderr)
                else "unknown"
            )
        except Exception as e:
            return f"unknown ({e})"


def redis_cli_version() -> str:
    """``redis-cli -v`` (it creates the cluster for both databases)."""
    try:
        out = subprocess.run(
            ["redis-cli", "-v"], check=False, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError) as e:
        return f"unknown ({e})"
    return out.stdout.strip() or "unknown"
