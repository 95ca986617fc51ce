"""What a READONLY connection to a replica gets for scripts (redis's cluster suite file
16): a script whose shebang declares writes (no ``no-writes`` flag) is redirected to the
primary with -MOVED, as redis's ``getNodeByQuery`` reads the flags ``evalGetCommandFlags``
gives; a ``no-writes`` script and a script without a shebang run on the replica (the
latter's write then fails with -READONLY); EXEC of a queued writing script is
redirected too. Run on redis-server 7.0 beside ours, one redis-cli connection each."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.nodes.cluster.conftest import Nodes, cluster_info, command
from tests.support.servers import REDIS_CLI, ServerProcess, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SESSION = r"""READONLY
EVAL "#!lua\nreturn redis.call('del','a')" 1 a
EVAL "#!lua flags=no-writes\nreturn redis.call('get','a')" 1 a
EVAL "return redis.call('get','a')" 1 a
EVAL "return redis.call('del','a')" 1 a
EVAL_RO "#!lua\nreturn redis.call('get','a')" 1 a
FCALL_RO nosuch 1 a
MULTI
EVAL "#!lua\nreturn redis.call('del','a')" 1 a
EXEC
MULTI
EVAL "#!lua flags=no-writes\nreturn redis.call('get','a')" 1 a
EXEC
GET a
"""


def _myid(server: ServerProcess) -> str:
    reply = command(server, "CLUSTER", "MYID")
    return reply.decode() if isinstance(reply, bytes) else str(reply)


def _replica_session(primary: ServerProcess, replica: ServerProcess) -> list[str]:
    """The session's replies from the replica, the primary's port written as PORT."""
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
    assert command(primary, "SET", "a", "1") is True
    wait_until(lambda: command(replica, "DBSIZE") == 1, 10, "the key on the replica")
    assert REDIS_CLI is not None
    done = subprocess.run(
        [REDIS_CLI, "-p", str(replica.port)],
        input=SESSION,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return re.sub(rf"\b{primary.port}\b", "PORT", done.stdout).splitlines()


def test_a_replica_redirects_scripts_that_declare_writes(nodes: Nodes) -> None:
    theirs = _replica_session(*nodes.real(2))
    ours = _replica_session(*nodes.ours(2))
    assert any(line.startswith("MOVED") for line in theirs), theirs
    assert ours == theirs
