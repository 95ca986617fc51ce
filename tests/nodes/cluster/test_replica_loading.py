"""A replica loading its primary's snapshot slowly (``key-load-delay``, the hidden option
redis's cluster suite sets) is seen loading: INFO says loading:1,
and the primary, which hears offset 0 in its gossip, shows it ``loading`` in CLUSTER
SHARDS and leaves it out of CLUSTER SLOTS; once loaded it is back with every key. Run on
redis-server 7.0 beside ours (redis's suite files 22 and 28)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.nodes.cluster.conftest import Nodes, client, command
from tests.support.servers import ServerProcess, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]

DEBUG_ON = ("--enable-debug-command", "yes")
KEYS = 1000


def _myid(server: ServerProcess) -> str:
    reply = command(server, "CLUSTER", "MYID")
    return reply.decode() if isinstance(reply, bytes) else str(reply)


def _replica_health(primary: ServerProcess, replica_id: str) -> str:
    for shard in command(primary, "CLUSTER", "SHARDS"):
        fields = dict(zip(shard[::2], shard[1::2], strict=True))
        for node in fields[b"nodes"]:
            info = dict(zip(node[::2], node[1::2], strict=True))
            if info[b"id"].decode() == replica_id:
                return str(info[b"health"].decode())
    return "absent"


def _in_slots(primary: ServerProcess, replica_id: str) -> bool:
    slots: list[Any] = command(primary, "CLUSTER", "SLOTS")
    return any(node[2].decode() == replica_id for entry in slots for node in entry[2:])


def _loading(replica: ServerProcess) -> bool:
    return bool(command(replica, "INFO", "persistence")["loading"] == 1)


@pytest.mark.parametrize("db", ["ours", "redis"])
def test_a_slowly_loading_replica_is_seen_loading(nodes: Nodes, db: str) -> None:
    primary, replica = nodes.ours(2, DEBUG_ON) if db == "ours" else nodes.real(2, DEBUG_ON)
    assert command(primary, "CLUSTER", "ADDSLOTSRANGE", "0", "16383") == b"OK"
    assert command(primary, "CLUSTER", "MEET", "127.0.0.1", str(replica.port)) == b"OK"
    primary_id, replica_id = _myid(primary), _myid(replica)
    wait_until(lambda: primary_id in command(replica, "CLUSTER", "NODES").decode(), 15, "met")
    assert command(replica, "CLUSTER", "REPLICATE", primary_id) == b"OK"
    assert command(primary, "DEBUG", "POPULATE", KEYS, "key", 100) == b"OK"
    wait_until(lambda: _in_slots(primary, replica_id), 20, "the replica in CLUSTER SLOTS")
    wait_until(lambda: _replica_health(primary, replica_id) == "online", 20, "replica online")

    command(primary, "CONFIG", "SET", "repl-backlog-size", "100")
    command(replica, "CONFIG", "SET", "key-load-delay", "4000")  # 4 ms a key: ~4 s
    command(replica, "CONFIG", "SET", "loading-process-events-interval-bytes", "1024")
    conn = client(primary)
    try:
        pipe = conn.pipeline(transaction=True)
        pipe.execute_command("CLIENT", "KILL", "TYPE", "replica")  # type: ignore[no-untyped-call]
        for i in range(100):
            pipe.set(f"{{more}}{i}", "A" * 1024)
        pipe.execute()
    finally:
        conn.close()

    wait_until(lambda: _loading(replica), 15, "the replica loading", interval=0.005)
    wait_until(lambda: _replica_health(primary, replica_id) == "loading", 15, "seen loading")
    assert not _in_slots(primary, replica_id)

    command(replica, "CONFIG", "SET", "key-load-delay", "0")
    wait_until(lambda: not _loading(replica), 30, "the load finished")
    wait_until(lambda: _replica_health(primary, replica_id) == "online", 20, "online again")
    wait_until(lambda: _in_slots(primary, replica_id), 20, "back in CLUSTER SLOTS")
    conn = client(replica)
    try:
        assert conn.execute_command("READONLY")  # type: ignore[no-untyped-call]
        assert conn.execute_command("DBSIZE") == KEYS + 100  # type: ignore[no-untyped-call]
    finally:
        conn.close()
