"""A small real Redis Cluster on loopback for the cluster-fault tests: three primaries
and one replica (redis-server 7.0), with roles read from CLUSTER NODES."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import redis

from base.db import NodeHost, Topology
from tests.support.servers import REDIS_CLI, redis_server, wait_until


def command(client: redis.Redis, *args: str | int) -> Any:
    """One command (redis-py leaves execute_command untyped)."""
    return client.execute_command(*args)  # type: ignore[no-untyped-call]


def parse_cluster_nodes(text: str, names_by_port: dict[int, str]) -> Topology:
    """Roles, slots and ids from CLUSTER NODES output; nodes named by their port."""
    primaries: list[str] = []
    replicas_of: dict[str, list[str]] = {}
    slots: dict[str, tuple[tuple[int, int], ...]] = {}
    ids: dict[str, str] = {}
    primary_of: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 8:
            continue
        node_id, address, flags, master = fields[0], fields[1], fields[2], fields[3]
        name = names_by_port.get(int(address.split("@")[0].rsplit(":", 1)[1]))
        if name is None or "fail" in flags.split(","):
            continue
        ids[name] = node_id
        if "master" in flags:
            primaries.append(name)
            ranges = []
            for spec in fields[8:]:
                if spec.startswith("["):
                    continue
                lo, _, hi = spec.partition("-")
                ranges.append((int(lo), int(hi or lo)))
            slots[name] = tuple(ranges)
        else:
            primary_of[name] = master
    by_id = {v: k for k, v in ids.items()}
    for replica, master_id in primary_of.items():
        if master_id in by_id:
            replicas_of.setdefault(by_id[master_id], []).append(replica)
    return Topology(
        primaries=tuple(sorted(primaries)),
        replicas_of={p: tuple(sorted(r)) for p, r in replicas_of.items()},
        slots_of=slots,
        node_ids=ids,
    )


class LoopbackCluster:
    """DB + HasPrimaries over real redis-server processes this object starts."""

    def __init__(self, workdir: Path) -> None:
        args = [
            "--cluster-enabled",
            "yes",
            "--cluster-node-timeout",
            "2000",
            "--repl-diskless-sync-delay",
            "0",
        ]
        self.servers = [redis_server(workdir / f"n{i}", args=args) for i in range(1, 5)]
        self._hosts = tuple(
            NodeHost(f"n{i}", "127.0.0.1", s.port, s.port + 10000)
            for i, s in enumerate(self.servers, start=1)
        )
        self.names_by_port = {h.port: h.name for h in self._hosts}

    @property
    def hosts(self) -> Sequence[NodeHost]:
        return self._hosts

    def client(self, node: str) -> redis.Redis:
        host = next(h for h in self._hosts if h.name == node)
        return redis.Redis(host=host.ip, port=host.port, socket_timeout=5)

    def start(self) -> None:
        assert REDIS_CLI is not None
        for s in self.servers:
            s.start()
        subprocess.run(
            [
                REDIS_CLI,
                "--cluster",
                "create",
                *(f"127.0.0.1:{s.port}" for s in self.servers[:3]),
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        n1 = self.client("n1")
        n4 = self.client("n4")
        command(n4, "CLUSTER", "MEET", "127.0.0.1", self.servers[0].port)
        n1_id = command(n1, "CLUSTER", "MYID").decode()
        wait_until(lambda: n1_id.encode() in command(n4, "CLUSTER", "NODES"), 20, "meet")
        command(n4, "CLUSTER", "REPLICATE", n1_id)
        wait_until(self.healthy, 30, "cluster_state:ok and the replica in sync")

    def healthy(self) -> bool:
        for h in self._hosts:
            info = command(self.client(h.name), "CLUSTER", "INFO").decode()
            if "cluster_state:ok" not in info:
                return False
        replication: dict[str, Any] = cast(dict[str, Any], self.client("n4").info("replication"))
        if replication.get("master_link_status") != "up":
            return False
        # Every node must know n4 replicates n1, or the primaries refuse it their votes.
        return all(self.topology_now(h.name).replicas_of.get("n1") == ("n4",) for h in self._hosts)

    def topology_now(self, node: str = "n1") -> Topology:
        """The roles as ``node`` sees them."""
        text = command(self.client(node), "CLUSTER", "NODES").decode()
        return parse_cluster_nodes(text, self.names_by_port)

    async def topology(self) -> Topology:
        return self.topology_now()

    async def setup(self) -> None:
        self.start()

    async def teardown(self) -> None:
        for s in self.servers:
            s.stop()
