"""Asynchronous master -> replica replication, as redis-server 7.0 does it.

API for the rest of the server (the cluster code calls these; nothing else is needed):

``install(server, rng=None) -> Replication``
    Done by the CLI for every server (standalone or cluster); afterwards
    ``server.replication`` is the component.

``server.replication.follow(host: str, port: int) -> None``
    Become (or stay) a replica of ``host:port`` (CLUSTER REPLICATE, REPLICAOF). Returns
    at once; the handshake, PSYNC and snapshot load run in the background and are retried
    with a backoff while the master is unreachable. Calling it again with the same
    address does nothing; with another address it switches masters (partial resync when
    the histories allow).

``server.replication.become_master() -> None``
    Stop following (failover, REPLICAOF NO ONE). Keeps the old replication id as
    ``master_replid2`` up to the current offset, so siblings and the old master can
    continue partially. No-op on a master.

Read-only state: ``.is_replica``, ``.offset`` (``master_repl_offset``: bytes produced
by a master / processed by a replica: the value cluster bus packets carry),
``.replid``, ``.replid2``, ``.second_repl_offset``, ``.master`` (the
:class:`MasterLink` with ``.host``, ``.port``, ``.connected``, ``.last_io_ms``,
``.state``), ``.primary.links`` (attached replicas with ``ack_offset``/``ack_ms``).

Modules: :mod:`backlog` (the byte window), :mod:`rdb` (the full-sync snapshot, a real RDB
from :mod:`nodes.rdb`), :mod:`stream` (splitting the master's stream), :mod:`shutdown`,
:mod:`primary` (PSYNC, replica links, ACKs, WAIT), :mod:`replica` (the link to our
master), :mod:`report` (INFO, ROLE), :mod:`component` (ids, role switches, the feed).
"""

from nodes.replication.backlog import Backlog
from nodes.replication.component import Replication, install
from nodes.replication.replica import MasterLink

__all__ = ["Backlog", "MasterLink", "Replication", "install"]
