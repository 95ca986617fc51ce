"""A cluster that is already running (``--db external --seed-node HOST:PORT``): the user's
own. The harness records and checks; it starts, stops, kills and flushes nothing.

Setup asks the seed node for CLUSTER NODES, names the nodes it lists ``n1``, ``n2``, ...
in address order, and waits until every one of them is healthy (as for a cluster the
harness made). The workloads touch only keys under the run's own prefix
(:func:`harness.runner.run_key_prefix`), so the cluster's other data is never read,
overwritten or deleted; only the faults that need nothing on the hosts (CLUSTER FAILOVER,
resharding with MIGRATE) can run, which the options check before the run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from base.db import NodeHost
from harness.dbs.cluster import ClusterDB
from harness.dbs.cluster_spec import ClusterError, ClusterSpec
from harness.dbs.cluster_state import admin_call, parse_cluster_nodes, parse_info
from harness.dbs.network import LoopbackNetwork

SKIPPED_FLAGS = frozenset({"noaddr", "handshake", "fail"})
"""CLUSTER NODES entries that are not nodes to test (yet, or any more)."""


class ExternalClusterDB(ClusterDB):
    """The running cluster reached through ``seed`` (``HOST:PORT``). Its processes are not
    ours: the kill, pause and power faults are refused, and teardown leaves it running."""

    def __init__(
        self, spec: ClusterSpec, seed: str, data_root: Path, log: Callable[[str], None]
    ) -> None:
        super().__init__(spec, LoopbackNetwork(), data_root, log)
        host, _, port = seed.rpartition(":")
        self.seed = NodeHost("seed", host, int(port), int(port) + 10000)
        self._server = "unknown"

    async def _setup(self) -> None:
        self.data_root.mkdir(parents=True, exist_ok=True)
        try:
            text = await admin_call(self.seed, "CLUSTER", "NODES", timeout_s=5.0)
            info = parse_info(await admin_call(self.seed, "INFO", "server", timeout_s=5.0))
        except Exception as e:
            raise ClusterError(f"--seed-node {self.seed.address}: {e}") from e
        raw = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        (self.data_root / "cluster-nodes-at-start.txt").write_text(raw)
        self._server = f"redis_version:{info.get('redis_version', '?')}"
        lines = parse_cluster_nodes(raw)
        addresses = sorted(
            {line.address for line in lines if not line.flags & SKIPPED_FLAGS},
            key=_address_key,
        )
        if not addresses:
            raise ClusterError(f"--seed-node {self.seed.address}: CLUSTER NODES lists no node")
        self._hosts = []
        for i, address in enumerate(addresses):
            ip, _, port = address.rpartition(":")
            self._hosts.append(NodeHost(f"n{i + 1}", ip, int(port), int(port) + 10000))
        self._log(
            f"external cluster: {len(self._hosts)} nodes from {self.seed.address}: "
            + ", ".join(f"{h.name}={h.address}" for h in self._hosts)
        )
        await self.await_healthy(self.spec.ready_timeout_s)

    async def teardown(self) -> None:
        """Nothing to stop: the cluster was running before and keeps running."""
        return None

    def _answering(self, name: str) -> bool:
        return True

    def pids(self) -> dict[str, int]:
        return {}

    def version(self) -> str:
        return f"external cluster at {self.seed.address} ({self._server})"

    async def kill(self, node: str) -> None:
        raise ClusterError("an external cluster's nodes are not the harness's to kill")

    async def start(self, node: str) -> None:
        raise ClusterError("an external cluster's nodes are not the harness's to start")

    async def pause(self, node: str) -> None:
        raise ClusterError("an external cluster's nodes are not the harness's to pause")

    async def resume(self, node: str) -> None:
        raise ClusterError("an external cluster's nodes are not the harness's to resume")

    async def lose_power(self, node: str) -> str:
        raise ClusterError("an external cluster's nodes are not the harness's to power off")


def _address_key(address: str) -> tuple[str, int]:
    ip, _, port = address.rpartition(":")
    return ip, int(port) if port.isdigit() else 0
