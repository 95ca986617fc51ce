"""What cluster a run asks for: :class:`ClusterSpec` (the topology, the node options and
the server binary), each field declaring its ``harness run`` option."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from harness.flags import BadArguments, flag
from nemesis.faultspec import Need

DB_KINDS = ("redis", "splitbrain", "external")
APPENDFSYNC = ("always", "everysec", "no")


SELF_PROVIDED: dict[str, frozenset[Need]] = {
    "splitbrain": frozenset({Need.LOSSY_DISK}),
}
"""The fault needs a database's own nodes meet, so the host need not: splitbrain-server
drops what it did not fsync itself (``splitbrain-fsync-ledger``, :mod:`nodes.disk`), so
its kill-power needs no FUSE. The one place the preflight and the cluster read it."""


class ClusterError(RuntimeError):
    """The cluster could not be formed or did not become healthy in time."""


def node_argv(pairs: Sequence[str]) -> tuple[str, ...]:
    """``("maxmemory=100mb",)`` -> ``("--maxmemory", "100mb")`` (``--node-option``);
    :class:`BadArguments` for a pair without ``=``."""
    argv: list[str] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("-")
        if not sep or not name:
            raise BadArguments(f"--node-option {pair!r}: want NAME=VALUE, e.g. maxmemory=100mb")
        argv += [f"--{name}", value]
    return tuple(argv)


def _yes(answer: str) -> bool:
    return answer == "yes"


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """The topology and node options, the same for both databases. The defaults are
    ``harness run``'s (each field declares its option)."""

    db: str = flag(
        "splitbrain",
        "--db",
        "database",
        "server to test (default {default}): splitbrain is ours, redis is Debian's "
        "redis-server, external a running cluster (--seed-node)",
        choices=DB_KINDS,
    )
    nodes: int = flag(
        6, "--nodes", "database", "cluster nodes (default {default})", kind=int, metavar="NODES"
    )
    replicas: int = flag(
        1,
        "--replicas",
        "database",
        "replicas per primary (default {default})",
        kind=int,
        metavar="REPLICAS",
    )
    node_timeout_ms: int = flag(
        2000,
        "--node-timeout",
        "database",
        "cluster-node-timeout in ms (default {default})",
        kind=int,
        metavar="MS",
    )
    appendonly: bool = flag(
        True,
        "--appendonly",
        "database",
        "AOF on (default {default})",
        choices=("yes", "no"),
        parse=_yes,
    )
    appendfsync: str = flag(
        "everysec",
        "--appendfsync",
        "database",
        "AOF fsync policy (default {default})",
        choices=APPENDFSYNC,
    )
    node_options: tuple[str, ...] = flag(
        (),
        "--node-option",
        "database",
        "extra server option passed to every node as --NAME VALUE (repeatable)",
        metavar="NAME=VALUE",
        repeat=True,
        parse=node_argv,
    )
    ready_timeout_s: float = flag(
        60.0,
        "--ready-timeout",
        "database",
        "deadline for the cluster to become healthy (default {default})",
        kind=float,
        metavar="S",
    )
    faketime: bool = False
    """Start every node under libfaketime (offset file per node) for the clock fault."""
    power_loss: bool = False
    """Ready every node for the kill-power faults: what a node does not fsync is lost
    when its power is. Through the nodes' own fsync ledger where the database provides
    :data:`Need.LOSSY_DISK` itself (:attr:`nodes_drop_unsynced`), else a lossyfs
    (``nemesis.lossyfs``) under each node's data folder."""

    @property
    def provided_needs(self) -> frozenset[Need]:
        """The fault needs this database's nodes meet themselves (:data:`SELF_PROVIDED`)."""
        return SELF_PROVIDED.get(self.db, frozenset())

    @property
    def nodes_drop_unsynced(self) -> bool:
        """A power loss goes through the nodes' own file layer, not a lossyfs."""
        return Need.LOSSY_DISK in self.provided_needs

    def binary(self) -> list[str]:
        if self.db == "external":
            raise ClusterError("--db external: the cluster's servers are not the harness's")
        if self.db == "redis":
            found = shutil.which("redis-server")
            if found is None:
                raise ClusterError("redis-server is not installed (make setup installs it)")
            return [found]
        return [sys.executable, "-m", "nodes"]

    def node_names(self) -> list[str]:
        return [f"n{i + 1}" for i in range(self.nodes)]
