"""Several nodes per host (``--hosts H``), as the Redis docs deploy a cluster: H network
namespaces ("hosts") behind the run's bridge, the nodes dealt over them in turn, each
host's nodes on ports 7000, 7001, ... (bus ports 17000, 17001, ...).

Node ``n<i>`` (counting from 0) lives on host ``h<i mod H + 1>`` at port ``7000 + i div
H``, so with 6 nodes on 3 hosts: h1 holds n1 and n4, h2 n2 and n5, h3 n3 and n6. Every
node on a host shares its address: ``redis-cli --cluster create`` sees H distinct IPs and
keeps each replica off its primary's host, as on real machines.
"""

from __future__ import annotations

from collections.abc import Sequence

from base.db import NodeHost
from harness.dbs.network import SUBNET_POOL
from harness.netns import HostNetwork, create_in_pool

BASE_PORT = 7000
"""The first node's port on every host (the multi-host recipe's)."""
BUS_OFFSET = 10000


def host_names(count: int) -> list[str]:
    """``h1`` .. ``h<count>``."""
    return [f"h{i + 1}" for i in range(count)]


def placement(names: Sequence[str], hosts: int) -> list[tuple[str, str, int]]:
    """(node, host, port) for every node, dealt over ``hosts`` in turn (pure)."""
    if hosts < 1:
        raise ValueError(f"--hosts {hosts}: must be >= 1")
    machines = host_names(hosts)
    return [(n, machines[i % hosts], BASE_PORT + i // hosts) for i, n in enumerate(names)]


class SharedHostsNetwork:
    """``hosts`` namespaces with several nodes each (the :class:`Network` contract of
    :mod:`harness.dbs.network`). Partitions cut whole hosts: the nemesis groups the nodes
    by :attr:`NodeHost.host`."""

    kind = "netns"
    partitions_possible = True

    def __init__(self, prefix: str, subnet: str | None, hosts: int) -> None:
        self.prefix = prefix
        self.hosts = hosts
        self._subnet = subnet
        self._network: HostNetwork | None = None
        self._host_of: dict[str, str] = {}

    def create(self, names: Sequence[str]) -> list[NodeHost]:
        machines = host_names(self.hosts)
        if self._subnet:
            network = HostNetwork(self.prefix, machines, self._subnet)
            network.create()
        else:  # picked and claimed under one host-wide lock
            network = create_in_pool(self.prefix, machines, SUBNET_POOL)
        self._network = network
        out: list[NodeHost] = []
        for node, machine, port in placement(names, self.hosts):
            address = network.address(machine)
            self._host_of[node] = machine
            out.append(
                NodeHost(
                    name=node,
                    ip=address.ip,
                    port=port,
                    bus_port=port + BUS_OFFSET,
                    netns=address.netns,
                    host=machine,
                )
            )
        return out

    def wrap(self, name: str, argv: Sequence[str]) -> list[str]:
        assert self._network is not None, "create() first"
        return self._network.exec_argv(self._host_of[name], argv)

    def destroy(self) -> None:
        if self._network is not None:
            self._network.destroy()

    def namespaces(self) -> list[str]:
        if self._network is not None:
            return [a.netns for a in self._network.addresses]
        return []
