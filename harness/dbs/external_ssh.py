"""A running cluster whose machines the harness may reach over SSH (``--db external
--seed-node HOST:PORT --ssh-hosts FILE``): besides failover and reshard, partitions,
packet loss and flapping (nft on the hosts) and pauses (SIGSTOP / SIGCONT of the pid each
node reports in INFO server). Nodes are never killed: the harness does not know how the
user starts them.

Every node CLUSTER NODES lists must be on a host of the file (matched by address); its
machine is that host, so faults target hosts as with ``--hosts``.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from harness.dbs.cluster_spec import ClusterError, ClusterSpec
from harness.dbs.cluster_state import admin_call, parse_info
from harness.dbs.external import ExternalClusterDB
from harness.dbs.ssh_cluster import SSHAccess
from harness.ssh import SSHError, SSHHost


class ExternalSSHClusterDB(ExternalClusterDB):
    """:class:`ExternalClusterDB` with a shell on each host (HostShell) and Pausable."""

    def __init__(
        self,
        spec: ClusterSpec,
        seed: str,
        access: SSHAccess,
        data_root: Path,
        log: Callable[[str], None],
    ) -> None:
        super().__init__(spec, seed, data_root, log)
        self.access = access
        self._ssh: dict[str, SSHHost] = {}
        self._pid: dict[str, int] = {}
        self._paused: set[str] = set()

    async def _setup(self) -> None:
        await super()._setup()
        sessions, errors = await self.access.connect_all()
        self._ssh.update(sessions)
        if errors:
            raise ClusterError("ssh: " + "; ".join(errors))
        by_ip: dict[str, str] = {}
        for target in self.access.targets:
            try:
                by_ip[socket.gethostbyname(target.host)] = target.host
            except OSError as e:
                raise ClusterError(f"{target}: cannot resolve {target.host}: {e}") from e
        outside = [h.address for h in self._hosts if h.ip not in by_ip]
        if outside:
            raise ClusterError(
                f"nodes {', '.join(outside)} are on no host of --ssh-hosts; list every "
                "machine of the cluster there"
            )
        self._hosts = [replace(h, host=by_ip[h.ip]) for h in self._hosts]
        for h in self._hosts:
            info = parse_info(await admin_call(h, "INFO", "server", timeout_s=5.0))
            pid = info.get("process_id", "")
            if not pid.isdigit():
                raise ClusterError(f"{h.name} ({h.address}): INFO server has no process_id")
            self._pid[h.name] = int(pid)

    async def teardown(self) -> None:
        """Resume what is still paused, close the connections; the cluster keeps running."""
        errors: list[str] = []
        for name in sorted(self._paused):
            try:
                await self.resume(name)
            except Exception as e:
                errors.append(f"{name}: not resumed: {e}")
        for machine, ssh in list(self._ssh.items()):
            try:
                await ssh.close()
            except Exception as e:
                errors.append(f"{ssh.target}: close: {e}")
            del self._ssh[machine]
        if errors:
            raise ClusterError("teardown: " + "; ".join(errors))

    async def pause(self, node: str) -> None:
        await self._signal(node, "STOP")
        self._paused.add(node)

    async def resume(self, node: str) -> None:
        await self._signal(node, "CONT")
        self._paused.discard(node)

    async def _signal(self, node: str, name: str) -> None:
        host = self.host(node)
        ssh = self._ssh.get(host.machine)
        if ssh is None:
            raise SSHError(f"no connection to host {host.machine!r}")
        if not await ssh.signal(self._pid[node], name):
            raise ClusterError(f"{node}: pid {self._pid[node]} on {ssh.target} is gone")

    def _answering(self, name: str) -> bool:
        return name not in self._paused

    # HostShell (nemesis.network)
    async def host_run(
        self, host: str, argv: Sequence[str], stdin: str | None = None, timeout_s: float = 10.0
    ) -> str:
        ssh = self._ssh.get(host)
        if ssh is None:
            raise SSHError(f"no connection to host {host!r}")
        return (await ssh.run(argv, stdin=stdin, timeout_s=timeout_s)).stdout
