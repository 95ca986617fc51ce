"""WAIT and min-replicas-to-write against real splitbrain-server processes: counts,
timeouts, early return, a paused (SIGSTOP) replica, -NOREPLICAS."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import redis

from tests.nodes.replication.conftest import Group, Node
from tests.support.servers import wait_until

pytestmark = pytest.mark.slow


def _pair(group: Group, replicas: int = 1) -> tuple[Node, list[Node]]:
    master = group.ours("m")
    followers = [group.ours(f"r{i}") for i in range(replicas)]
    for follower in followers:
        follower.replicaof(master)
    for follower in followers:
        follower.wait_link_up()
    return master, followers


def _timed_wait(node: Node, wanted: int, timeout_ms: int) -> tuple[int, float]:
    start = time.monotonic()
    count = node.client.execute_command("WAIT", wanted, timeout_ms)
    return int(count), time.monotonic() - start


def test_wait_counts_returns_early_and_honours_the_timeout(group: Group) -> None:
    master, _ = _pair(group, replicas=2)
    m = master.client
    m.set("k", "v")
    count, took = _timed_wait(master, 2, 5000)
    assert count == 2
    assert took < 1.0  # returned early: GETACK made the replicas answer at once
    m.set("k", "w")
    count, took = _timed_wait(master, 3, 400)
    assert count == 2  # only two replicas exist: the timeout decides, the count is exact
    assert 0.35 <= took < 2.0
    assert _timed_wait(master, 0, 0)[0] == 2
    # Blocking is per client: another client is served while one waits.
    other = redis.Redis(port=master.port, socket_timeout=5)
    try:
        m.set("k", "x")
        start = time.monotonic()
        assert other.get("k") == b"x"
        assert time.monotonic() - start < 0.5
    finally:
        other.close()
    with pytest.raises(redis.ResponseError, match="timeout is negative"):
        m.execute_command("WAIT", 1, -1)


def test_wait_with_a_paused_replica_times_out_with_fewer_acks(group: Group) -> None:
    master, (fast, slow) = _pair(group, replicas=2)
    m = master.client
    m.set("a", "1")
    assert _timed_wait(master, 2, 5000)[0] == 2
    slow.pause()
    try:
        m.set("a", "2")
        count, took = _timed_wait(master, 2, 500)
        assert count == 1  # the write stays: WAIT never rolls back
        assert 0.45 <= took < 2.5
        assert m.get("a") == b"2"
        fast.wait_offset(master)
        assert fast.client.get("a") == b"2"
    finally:
        slow.resume()
    count, _ = _timed_wait(master, 2, 5000)
    assert count == 2
    assert slow.client.get("a") == b"2"


def test_wait_on_a_replica_is_an_error(group: Group) -> None:
    _, (replica,) = _pair(group)
    with pytest.raises(redis.ResponseError, match="WAIT cannot be used with replica instances"):
        replica.client.execute_command("WAIT", 1, 0)


def test_min_replicas_to_write(group: Group) -> None:
    master, (replica,) = _pair(group)
    m = master.client
    m.execute_command("CONFIG", "SET", "min-replicas-to-write", "2")
    with pytest.raises(
        redis.ResponseError, match=r"^NOREPLICAS Not enough good replicas to write\.$"
    ):
        m.set("x", "1")
    assert m.get("x") is None  # reads are fine
    m.execute_command("CONFIG", "SET", "min-replicas-to-write", "1")
    assert m.set("x", "1")
    assert master.info()["min_slaves_good_slaves"] == "1"
    # A replica that stops acknowledging stops counting after min-replicas-max-lag.
    m.execute_command("CONFIG", "SET", "min-replicas-max-lag", "1")
    replica.pause()

    def accepted() -> bool:
        try:
            return bool(m.set("y", "1"))
        except redis.ResponseError as exc:
            assert "NOREPLICAS Not enough good replicas" in str(exc)
            return False

    try:
        wait_until(lambda: not accepted(), 10, "-NOREPLICAS after the replica went quiet")
    finally:
        replica.resume()
    wait_until(accepted, 10, "writes accepted again")


def test_a_blocked_wait_is_unblocked_when_the_master_becomes_a_replica(group: Group) -> None:
    master, _ = _pair(group)
    other = group.ours("other")
    waiter: Any = redis.Redis(port=master.port, socket_timeout=10)
    errors: list[str] = []

    def wait_forever() -> None:
        try:
            waiter.set("k", "v")
            waiter.execute_command("WAIT", 2, 0)  # two replicas: never satisfied
        except redis.ResponseError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=wait_forever)
    try:
        thread.start()
        wait_until(
            lambda: (
                "blocked_clients:1" in master.client.execute_command("INFO", "clients").decode()
            ),
            10,
            "the WAIT to block",
        )
        master.replicaof(other)
        thread.join(10)
        assert errors and errors[0].startswith("UNBLOCKED force unblock")
    finally:
        thread.join(10)
        waiter.close()
