"""A Redis Cluster on real machines over SSH (``--ssh-hosts FILE``), Jepsen's control
model: the harness connects to every host, puts the node there (our splitbrain-server
uploaded as a package, or the host's own ``redis-server`` with ``--db redis``), starts
each node with the same options as locally, and controls it by pid. It installs nothing
it is not told to.

The nodes are dealt over the hosts in file order on ports 7000, 7001, ... as with
``--hosts`` (:func:`harness.dbs.hosts_network.placement`); a host is named by its address
as written in the file. Everything a run puts on a host lives in one folder,
:func:`remote_root` (``/tmp/splitbrain-<prefix>``); teardown stops the nodes, downloads
their logs and data files into the run folder and removes that folder. The nemesis
filters packets on the hosts through :meth:`SSHClusterDB.host_run` (nftables, the same
table and chains as in namespaces).
"""

from __future__ import annotations

import asyncio
import io
import socket
import tarfile
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from base.db import NodeHost
from harness.dbs.cluster import ClusterDB
from harness.dbs.cluster_spec import ClusterError, ClusterSpec
from harness.dbs.hosts_network import BUS_OFFSET, placement
from harness.dbs.node import redis_argv
from harness.dbs.remote_node import RemoteNode
from harness.ssh import SSHError, SSHHost, SSHTarget, read_hosts_file


class RunOptionsLike(Protocol):
    """The ``--ssh-*`` options of a run (:class:`harness.options.RunOptions`)."""

    @property
    def ssh_hosts(self) -> Path | None: ...
    @property
    def ssh_key(self) -> Path | None: ...
    @property
    def ssh_known_hosts(self) -> Path | None: ...
    @property
    def ssh_insecure(self) -> bool: ...
    @property
    def ssh_python(self) -> str: ...


ROOT_PREFIX = "/tmp/splitbrain-"
"""Every run's folder on a host starts with this (``harness cleanup --ssh-hosts``)."""
PACKAGE = Path(__file__).resolve().parents[2] / "nodes"
"""Our server's package, uploaded for ``--db splitbrain``."""
FETCHED = ("node.log", "stdout.log", "nodes.conf")


def remote_root(prefix: str) -> str:
    return f"{ROOT_PREFIX}{prefix}"


@dataclass(frozen=True, slots=True)
class SSHAccess:
    """How to reach the hosts: the targets, the client key (None: the agent), the
    known-hosts file (None: ``~/.ssh/known_hosts``), whether host keys go unchecked, and
    the remote Python that runs our server (it needs hiredis and lupa)."""

    targets: tuple[SSHTarget, ...]
    key: Path | None = None
    known_hosts: Path | None = None
    insecure: bool = False
    python: str = "python3"

    async def connect(self, target: SSHTarget) -> SSHHost:
        return await SSHHost.connect(
            target, key=self.key, known_hosts=self.known_hosts, insecure=self.insecure
        )

    async def connect_all(self) -> tuple[dict[str, SSHHost], list[str]]:
        """A session on every target it can reach, by host, and a line per target it
        could not (the caller keeps the sessions, to close them, before it fails)."""
        results = await asyncio.gather(
            *(self.connect(t) for t in self.targets), return_exceptions=True
        )
        sessions = {
            target.host: r
            for target, r in zip(self.targets, results, strict=True)
            if isinstance(r, SSHHost)
        }
        return sessions, [str(r) for r in results if isinstance(r, BaseException)]


class SSHNetwork:
    """The :class:`harness.dbs.network.Network` of SSH hosts: addresses only (the hosts
    exist; nothing is created or destroyed here)."""

    kind = "ssh"
    partitions_possible = True

    def __init__(self, targets: Sequence[SSHTarget]) -> None:
        self.targets = tuple(targets)

    def create(self, names: Sequence[str]) -> list[NodeHost]:
        machines = {f"h{i + 1}": t for i, t in enumerate(self.targets)}
        out = []
        for node, machine, port in placement(names, len(self.targets)):
            target = machines[machine]
            try:
                ip = socket.gethostbyname(target.host)
            except OSError as e:
                raise ClusterError(f"{target}: cannot resolve {target.host}: {e}") from e
            out.append(NodeHost(node, ip, port, port + BUS_OFFSET, None, target.host))
        return out

    def wrap(self, name: str, argv: Sequence[str]) -> list[str]:
        return list(argv)

    def destroy(self) -> None:
        return None

    def namespaces(self) -> list[str]:
        return []


class SSHClusterDB(ClusterDB):
    """The cluster under test on SSH hosts: :class:`ClusterDB`'s cluster creation, health
    checks and roles, with the nodes started and signalled over SSH."""

    def __init__(
        self,
        spec: ClusterSpec,
        access: SSHAccess,
        data_root: Path,
        log: Callable[[str], None],
        prefix: str,
    ) -> None:
        super().__init__(spec, SSHNetwork(access.targets), data_root, log)
        self.access = access
        self.root = remote_root(prefix)
        self._ssh: dict[str, SSHHost] = {}
        self._remote: dict[str, RemoteNode] = {}

    # -- setup ---------------------------------------------------------------------------

    async def _setup(self) -> None:
        self.data_root.mkdir(parents=True, exist_ok=True)
        sessions, errors = await self.access.connect_all()
        self._ssh.update(sessions)
        if errors:
            raise ClusterError("ssh: " + "; ".join(errors))
        self._hosts = self.network.create(self.spec.node_names())
        binary = await asyncio.gather(*(self._prepare(h) for h in self._ssh))
        binaries = dict(zip(self._ssh, binary, strict=True))
        for host in self._hosts:
            folder = f"{self.root}/{host.name}"
            argv = redis_argv(
                binaries[host.machine],
                host=host,
                node_timeout_ms=self.spec.node_timeout_ms,
                appendonly=self.spec.appendonly,
                appendfsync=self.spec.appendfsync,
                extra=self.spec.node_options,
            )
            argv += ["--dir", folder, "--logfile", f"{folder}/node.log"]
            self._remote[host.name] = RemoteNode(self._ssh[host.machine], host, argv, folder)
        self._log(f"starting {len(self._hosts)} {self.spec.db} nodes on {len(self._ssh)} hosts")
        await asyncio.gather(*(n.start() for n in self._remote.values()))
        await self._create_cluster()
        await self.await_healthy(self.spec.ready_timeout_s)

    async def _prepare(self, machine: str) -> list[str]:
        """Make the run's folder on ``machine``; the argv prefix that runs the server
        there (the host's redis-server, or our package uploaded with the remote Python)."""
        ssh = self._ssh[machine]
        await ssh.run(["mkdir", "-p", self.root])
        if self.spec.db == "redis":
            found = await ssh.run(["sh", "-c", "command -v redis-server"], check=False)
            if found.status != 0 or not found.stdout.strip():
                raise ClusterError(f"{ssh.target}: no redis-server on the host (install it)")
            return [found.stdout.strip()]
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "nodes.tar.gz"
            archive.write_bytes(package_archive())
            await ssh.upload(archive, f"{self.root}/nodes.tar.gz")
        code = f"{self.root}/code"
        await ssh.run(["mkdir", "-p", code])
        await ssh.run(["tar", "-xzf", f"{self.root}/nodes.tar.gz", "-C", code])
        return ["env", f"PYTHONPATH={code}", self.access.python, "-m", "nodes"]

    # -- teardown ------------------------------------------------------------------------

    async def teardown(self) -> None:
        errors: list[str] = []
        stopped = await asyncio.gather(
            *(n.stop() for n in self._remote.values()), return_exceptions=True
        )
        errors += [
            f"node {n.name} on {n.ssh.target}: not stopped ({r})"
            for n, r in zip(self._remote.values(), stopped, strict=True)
            if isinstance(r, BaseException)
        ]
        fetched = await asyncio.gather(
            *(self._fetch(n) for n in self._remote.values()), return_exceptions=True
        )
        errors += [str(r) for r in fetched if isinstance(r, BaseException)]
        for machine, ssh in list(self._ssh.items()):
            try:
                if not any(n.running for n in self._remote.values() if n.ssh is ssh):
                    await ssh.run(["rm", "-rf", self.root])
            except Exception as e:
                errors.append(f"{ssh.target}: cannot remove {self.root}: {e}")
            try:
                await ssh.close()
            except Exception as e:
                errors.append(f"{ssh.target}: close: {e}")
            del self._ssh[machine]
        self._remote.clear()  # fetched and stopped: a second teardown has nothing to do
        if errors:
            raise ClusterError("teardown: " + "; ".join(errors))

    async def _fetch(self, node: RemoteNode) -> None:
        """Download the node's log, stdout, nodes.conf and AOF files into its local data
        folder (the run folder's copy is made from there, as for local nodes)."""
        local = self.data_root / node.name
        local.mkdir(parents=True, exist_ok=True)
        listing = await node.ssh.run(
            ["sh", "-c", f"cd {node.folder} 2>/dev/null && ls -1 . appendonlydir 2>/dev/null"],
            check=False,
        )
        names = set(listing.stdout.split())
        for name in FETCHED:
            if name in names:
                await node.ssh.download(f"{node.folder}/{name}", local / name)
        aof = await node.ssh.run(["ls", "-1", f"{node.folder}/appendonlydir"], check=False)
        if aof.status == 0 and aof.stdout.strip():
            (local / "appendonlydir").mkdir(exist_ok=True)
            for name in aof.stdout.split():
                await node.ssh.download(
                    f"{node.folder}/appendonlydir/{name}", local / "appendonlydir" / name
                )

    # -- abilities -----------------------------------------------------------------------

    async def kill(self, node: str) -> None:
        await self._node_on(node).kill()

    async def start(self, node: str) -> None:
        await self._node_on(node).start()

    async def pause(self, node: str) -> None:
        await self._node_on(node).pause()

    async def resume(self, node: str) -> None:
        await self._node_on(node).resume()

    async def lose_power(self, node: str) -> str:
        raise ClusterError("power loss needs a lossyfs on this machine; not on SSH hosts")

    def _answering(self, name: str) -> bool:
        node = self._remote.get(name)
        return node is not None and node.running and not node.paused

    def _node_on(self, name: str) -> RemoteNode:
        try:
            return self._remote[name]
        except KeyError:
            raise KeyError(f"no node named {name!r}") from None

    # HostShell (nemesis.network)
    async def host_run(
        self, host: str, argv: Sequence[str], stdin: str | None = None, timeout_s: float = 10.0
    ) -> str:
        ssh = self._ssh.get(host)
        if ssh is None:
            raise SSHError(f"no connection to host {host!r}")
        return (await ssh.run(argv, stdin=stdin, timeout_s=timeout_s)).stdout

    def pids(self) -> dict[str, int]:
        """Local pids: none (the nodes' processes are on the hosts; see remote_pids)."""
        return {}

    def remote_pids(self) -> Mapping[str, Mapping[str, object]]:
        """node -> its host and pid, for state.json (``harness cleanup --ssh-hosts``)."""
        return {
            n.name: {"host": str(n.ssh.target), "pid": n.pid}
            for n in self._remote.values()
            if n.pid is not None
        }

    def version(self) -> str:
        where = ", ".join(str(t) for t in self.access.targets)
        return f"{self.spec.db} on {where}"


def ssh_access(options: RunOptionsLike) -> SSHAccess:
    """The access a run's ``--ssh-*`` options describe (its hosts file already read
    once without error by the option checks)."""
    assert options.ssh_hosts is not None
    return SSHAccess(
        tuple(read_hosts_file(options.ssh_hosts)),
        options.ssh_key,
        options.ssh_known_hosts,
        options.ssh_insecure,
        options.ssh_python,
    )


def package_archive(package: Path = PACKAGE) -> bytes:
    """Our server's package as a .tar.gz (sources only, no caches)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(package.rglob("*")):
            if "__pycache__" in path.parts or path.suffix in (".pyc", ".so"):
                continue
            tar.add(path, arcname=str(path.relative_to(package.parent)), recursive=False)
    return buffer.getvalue()
