"""``replica-serve-stale-data no``: a replica whose master link is down refuses every
command without the ``stale`` flag with ``-MASTERDOWN`` (EXEC too, when its queue holds
one), as redis-server 7.0 does; the same steps on both, replies compared."""

from __future__ import annotations

import pytest
import redis

from tests.nodes.replication.conftest import Group
from tests.support.servers import wait_until

pytestmark = pytest.mark.slow

STEPS: list[tuple[str, ...]] = [
    ("GET", "k"),
    ("SET", "k", "2"),
    ("PING",),
    ("ECHO", "x"),
    ("DBSIZE",),
    ("CONFIG", "GET", "replica-serve-stale-data"),
    ("ROLE",),
    ("MULTI",),
    ("GET", "k"),
    ("EXEC",),
    ("MULTI",),
    ("CONFIG", "GET", "maxmemory"),
    ("EXEC",),
    ("CONFIG", "SET", "replica-serve-stale-data", "yes"),
    ("GET", "k"),
]


def _replies(group: Group, kind: str) -> list[object]:
    start = group.ours if kind == "ours" else group.real
    master = start(f"{kind}-m")
    replica = start(f"{kind}-r", "--replica-serve-stale-data", "no")
    replica.replicaof(master)
    replica.wait_link_up()
    master.client.set("k", "1")
    replica.wait_offset(master)
    assert replica.client.get("k") == b"1"  # the link is up: reads are served
    master.process.stop()
    wait_until(lambda: replica.info()["master_link_status"] == "down", 10, "the link down")
    conn = redis.Redis(port=replica.port, socket_timeout=10)
    out: list[object] = []
    try:
        for args in STEPS:
            try:
                reply = conn.execute_command(*args)  # type: ignore[no-untyped-call]
                out.append(reply if args[0] != "ROLE" else reply[0])
            except redis.ResponseError as exc:
                out.append(f"ERR: {exc}")
    finally:
        conn.close()
    return out


def test_a_replica_without_its_master_refuses_stale_reads_as_redis(group: Group) -> None:
    theirs = _replies(group, "real")
    ours = _replies(group, "ours")
    assert ours == theirs
    assert theirs[0] == (  # redis-py drops the MASTERDOWN code
        "ERR: Link with MASTER is down and replica-serve-stale-data is set to 'no'."
    )
    assert theirs[-1] == b"1"
