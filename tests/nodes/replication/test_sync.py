"""Full sync, streaming, expiry as DEL, read-only replicas, partial resync after a
replica restart (with the AOF), between real splitbrain-server processes."""

from __future__ import annotations

import signal
import subprocess
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.nodes.replication.conftest import Group, Node
from tests.support.servers import wait_until

pytestmark = pytest.mark.slow


def test_full_sync_then_stream(group: Group) -> None:
    master = group.ours("m")
    m = master.client
    m.set("s", "v")
    m.rpush("l", "a", "b", "c")
    m.hset("h", mapping={"f1": "1", "f2": "2"})
    m.sadd("set", "x", "y")
    m.zadd("z", {"one": 1.5, "two": 2})
    m.set("ttl", "t", ex=1000)
    replica = group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up()
    assert replica.dataset() == master.dataset()
    assert replica.client.ttl("ttl") > 900
    for i in range(200):
        m.set(f"k{i}", i)
    m.incr("counter")
    m.lpush("l", "z")
    with m.pipeline(transaction=True) as tx:
        tx.set("tx1", "a").set("tx2", "b")
        tx.execute()
    m.delete("s")
    replica.wait_offset(master)
    assert replica.dataset() == master.dataset()
    info = replica.info()
    assert info["role"] == "slave"
    assert info["master_replid"] == master.info()["master_replid"]
    assert "Full resync requested" in master.log()


def test_expired_keys_reach_the_replica_as_del(group: Group) -> None:
    master = group.ours("m")
    replica = group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up()
    master.client.set("short", "x", px=150)
    master.client.set("keep", "y")
    replica.wait_offset(master)
    assert replica.client.dbsize() == 2
    # The replica never expires by itself: the key goes when the master's DEL arrives.
    wait_until(lambda: replica.client.dbsize() == 1, 10, "the DEL of the expired key")
    assert replica.client.exists("keep") == 1


def test_replica_refuses_writes(group: Group) -> None:
    master = group.ours("m")
    replica = group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up()
    with pytest.raises(redis.ResponseError, match=r"^You can't write against a read only"):
        replica.client.set("x", "1")
    raw = replica.client
    raw.execute_command("MULTI")
    with pytest.raises(redis.ResponseError, match="read only replica"):
        raw.execute_command("SET", "x", "1")
    with pytest.raises(
        redis.ResponseError, match="Transaction discarded because of previous errors"
    ):
        raw.execute_command("EXEC")
    assert replica.client.get("x") is None
    replica.client.execute_command("CONFIG", "SET", "replica-read-only", "no")
    assert replica.client.set("x", "local")
    role = replica.client.execute_command("ROLE")
    assert role[:4] == [b"slave", b"127.0.0.1", master.port, b"connected"]


def test_partial_resync_after_replica_restart(group: Group) -> None:
    master = group.ours("m")
    replica = group.ours("r", "--appendonly", "yes", "--appendfsync", "always")
    replica.replicaof(master)
    replica.wait_link_up()
    for i in range(50):
        master.client.set(f"before{i}", i)
    replica.wait_offset(master)
    aof_dir = replica.process.workdir / "appendonlydir"
    logged = b"".join(p.read_bytes() for p in sorted(aof_dir.iterdir()))
    assert b"before49" in logged  # the replica logs what it applies
    replica.process.stop()  # SIGTERM: the AOF and the replication id/offset are kept
    for i in range(20):
        master.client.set(f"during{i}", i)
    replica = group.restart(replica)
    replica.replicaof(master)
    replica.wait_link_up()
    replica.wait_offset(master)
    log = master.log()
    assert "Partial resynchronization request from 127.0.0.1" in log
    assert log.count("Full resync requested") == 1
    assert "Successful partial resynchronization with master." in replica.log()
    assert replica.dataset() == master.dataset()
    assert replica.client.dbsize() == 70


def test_link_dropped_by_the_master_continues_from_the_backlog(group: Group) -> None:
    master = group.ours("m", "--repl-timeout", "1")
    replica = group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up()
    master.client.set("a", "1")
    replica.wait_offset(master)
    replica.pause()  # no ACKs: after repl-timeout the master drops the link
    try:
        wait_until(
            lambda: "Disconnecting timedout replica" in master.log(),
            10,
            "the master dropping the silent replica",
        )
        master.client.set("b", "2")
    finally:
        replica.resume()
    wait_until(
        lambda: master.log().count("Partial resynchronization request") == 1,
        10,
        "the replica continuing",
    )
    replica.wait_link_up()
    replica.wait_offset(master)
    assert replica.client.get("b") == b"2"
    assert master.log().count("Full resync requested") == 1


def test_a_backlog_too_short_means_a_full_resync(group: Group) -> None:
    master = group.ours("m", "--repl-backlog-size", "16384")
    replica = group.ours("r", "--appendonly", "yes")
    replica.replicaof(master)
    replica.wait_link_up()
    replica.process.stop()
    for i in range(1000):  # about 50 KB of stream, more than the backlog holds
        master.client.set(f"k{i}", "v" * 20)
    replica = group.restart(replica)
    replica.replicaof(master)
    replica.wait_link_up()
    replica.wait_offset(master)
    assert master.log().count("Full resync requested") == 2
    assert replica.client.dbsize() == 1000


def test_a_replica_over_its_output_limit_is_dropped_and_resyncs(group: Group) -> None:
    master = group.ours("m", "--client-output-buffer-limit", "replica", "256kb", "0", "0")
    replica = group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up()
    replica.pause()
    try:
        value = b"x" * 10_000
        for i in range(800):  # 8 MB: more than the socket buffers and the limit
            master.client.set(f"big{i}", value)
        wait_until(
            lambda: "overcoming of output buffer limits" in master.log(),
            10,
            "the master dropping the replica over its limit",
        )
    finally:
        replica.resume()
    replica.wait_link_up()
    replica.wait_offset(master)
    assert replica.client.dbsize() == 800


def _sigterm_and_wait_for_the_wait(master: Node) -> subprocess.Popen[bytes]:
    """SIGTERM ``master`` and return once it logs that it waits for its replicas."""
    process = master.process.process
    assert process is not None
    process.send_signal(signal.SIGTERM)
    wait_until(
        lambda: "Waiting for replicas before shutting down" in master.log(),
        10,
        "the master waiting for its replica",
    )
    return process


def test_sigterm_on_a_master_waits_for_a_lagging_replica(group: Group) -> None:
    master = group.ours("m")
    replica = group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up()
    replica.pause()
    try:
        master.client.set("last", "write")
        process = _sigterm_and_wait_for_the_wait(master)
        assert process.poll() is None
    finally:
        replica.resume()
    process.wait(15)
    assert "All replicas are in sync" in master.log()
    assert replica.client.get("last") == b"write"


@pytest.mark.parametrize("kind", ["ours", "real"])
def test_a_master_waiting_for_its_replica_at_shutdown_still_serves_reads(
    group: Group, kind: str
) -> None:
    """During the wait only writes are held (redis's client pause WRITE): a new client is
    accepted and answered, its write gets no reply; the bus and INFO go on likewise, so
    cluster peers do not see the node fail for ``shutdown-timeout`` seconds."""
    start = group.ours if kind == "ours" else group.real
    master = start("m")
    replica = start("r")
    replica.replicaof(master)
    replica.wait_link_up()
    master.client.set("last", "write")
    replica.wait_offset(master)
    replica.pause()
    try:
        master.client.set("unacked", "write")
        process = _sigterm_and_wait_for_the_wait(master)
        late: Any = redis.Redis(port=master.port, socket_timeout=5)
        # one attempt: redis-py's default retries (jittered backoff) could outlast the
        # master's 10 s wait and then meet a closed port
        once = Retry(NoBackoff(), 0)
        held: Any = redis.Redis(port=master.port, socket_timeout=0.5, retry=once)
        try:
            assert late.get("last") == b"write"
            assert late.execute_command("INFO", "server")
            with pytest.raises(redis.TimeoutError):
                held.set("during", "shutdown")
            assert process.poll() is None
        finally:
            late.close()
            held.close()
    finally:
        replica.resume()
    process.wait(15)
    assert replica.client.get("unacked") == b"write"
    assert replica.client.get("during") is None
