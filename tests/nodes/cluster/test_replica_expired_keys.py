"""A cluster replica restarted from its own RDB or AOF keeps keys that expired while it
was down (redis's cluster suite file 14): the replica role comes from nodes.conf before
any replication link exists, and a replica neither drops expired keys at load nor
expires them itself; they go when the master's DELs arrive. Run on redis-server 7.0
beside ours."""

from __future__ import annotations

import pytest

from tests.nodes.cluster.conftest import Nodes, cluster_info, command
from tests.support.servers import ServerProcess, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]

KEYS = 20
TTL_MS = 1500


def _myid(server: ServerProcess) -> str:
    reply = command(server, "CLUSTER", "MYID")
    return reply.decode() if isinstance(reply, bytes) else str(reply)


def _clock_ms(server: ServerProcess) -> int:
    seconds, micros = command(server, "TIME")
    return int(seconds) * 1000 + int(micros) // 1000


def _pair(primary: ServerProcess, replica: ServerProcess) -> None:
    assert command(primary, "CLUSTER", "ADDSLOTSRANGE", "0", "16383") == b"OK"
    assert command(primary, "CLUSTER", "MEET", "127.0.0.1", str(replica.port)) == b"OK"
    primary_id = _myid(primary)
    wait_until(lambda: primary_id in command(replica, "CLUSTER", "NODES").decode(), 15, "met")
    assert command(replica, "CLUSTER", "REPLICATE", primary_id) == b"OK"
    wait_until(
        lambda: command(replica, "INFO", "replication")["master_link_status"] == "up",
        20,
        "the replica in sync",
    )
    wait_until(lambda: cluster_info(primary)["cluster_state"] == "ok", 20, "the cluster ok")


def _dbsize_after_restart(primary: ServerProcess, replica: ServerProcess, aof: bool) -> int:
    """Fill volatile keys, persist the replica, stop it until they expired (the master
    not expiring actively), restart it; returns its DBSIZE right after the restart and
    checks that the master's DELs then empty it."""
    _pair(primary, replica)
    written_at = _clock_ms(primary)
    for index in range(KEYS):
        assert command(primary, "SET", f"volatile:{index}", "x", "PX", TTL_MS) is True
    wait_until(lambda: command(replica, "DBSIZE") == KEYS, 10, "the keys on the replica")
    if aof:
        wait_until(
            lambda: (
                command(replica, "INFO", "persistence")["aof_rewrite_in_progress"] == 0
                and command(replica, "INFO", "persistence")["aof_rewrite_scheduled"] == 0
            ),
            20,
            "the replica's initial AOF rewrite",
        )
    else:
        assert command(replica, "SAVE") is True
    replica.stop()
    assert command(primary, "DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"OK"
    wait_until(lambda: _clock_ms(primary) > written_at + TTL_MS + 100, 10, "the keys expired")
    replica.start()
    size = int(command(replica, "DBSIZE"))
    assert command(primary, "DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"OK"
    wait_until(lambda: command(replica, "DBSIZE") == 0, 20, "the master's DELs on the replica")
    return size


@pytest.mark.parametrize("aof", [False, True], ids=["rdb", "aof"])
def test_a_restarted_cluster_replica_keeps_expired_keys(nodes: Nodes, aof: bool) -> None:
    extra = ("--appendonly", "yes" if aof else "no", "--enable-debug-command", "yes")
    real_primary, real_replica = nodes.real(2, extra)
    theirs = _dbsize_after_restart(real_primary, real_replica, aof)
    primary, replica = nodes.ours(2, extra)
    ours = _dbsize_after_restart(primary, replica, aof)
    assert theirs == KEYS
    assert ours == theirs
