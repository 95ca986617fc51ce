"""FAILOVER (a coordinated failover of a standalone master) on our server and on a real
redis-server 7.0, the same steps on both: the replies and errors compared, the roles and
data after a failover checked."""

from __future__ import annotations

import socket

import pytest
import redis

from tests.nodes.replication.conftest import Group, Node
from tests.support.servers import wait_until

pytestmark = pytest.mark.slow

KINDS = ["ours", "real"]


def _trio(group: Group, kind: str) -> tuple[Node, Node, Node]:
    start = group.ours if kind == "ours" else group.real
    master, a, b = start("m"), start("a"), start("b")
    for replica in (a, b):
        replica.replicaof(master)
    for replica in (a, b):
        replica.wait_link_up()
    return master, a, b


def _reply(node: Node, *args: str | int) -> object:
    """The reply, or the error text."""
    try:
        return node.client.execute_command(*args)
    except redis.ResponseError as exc:
        return f"ERR: {exc}"


@pytest.mark.parametrize("kind", KINDS)
def test_failover_to_a_named_replica_swaps_the_roles(group: Group, kind: str) -> None:
    master, a, b = _trio(group, kind)
    for i in range(100):
        master.client.set(f"k{i}", i)
    assert master.client.execute_command("FAILOVER", "TO", "127.0.0.1", a.port) == b"OK"
    wait_until(lambda: a.info()["role"] == "master", 10, "the target promoted")
    wait_until(
        lambda: (
            master.info().get("master_port") == str(a.port)
            and master.info().get("master_link_status") == "up"
        ),
        10,
        "the old master following the target",
    )
    assert master.info()["master_failover_state"] == "no-failover"
    assert a.client.get("k99") == b"99"
    a.client.set("after", "failover")
    master.wait_offset(a)
    assert master.client.get("after") == b"failover"
    # the new master kept the history: the old master continued partially
    stats = a.client.execute_command("INFO", "stats").decode()
    assert "sync_partial_ok:1" in stats.split("\r\n"), stats
    assert b.info()["role"] == "slave"


@pytest.mark.parametrize("kind", KINDS)
def test_failover_to_any_replica(group: Group, kind: str) -> None:
    master, a, b = _trio(group, kind)
    master.client.set("x", "1")
    assert master.client.execute_command("FAILOVER") == b"OK"
    wait_until(lambda: master.info()["role"] == "slave", 10, "the old master demoted")
    promoted = [n for n in (a, b) if n.info()["role"] == "master"]
    assert len(promoted) == 1
    assert master.info()["master_port"] == str(promoted[0].port)


@pytest.mark.parametrize("kind", KINDS)
def test_a_waiting_failover_holds_writes_until_aborted(group: Group, kind: str) -> None:
    master, a, b = _trio(group, kind)
    master.client.set("before", "1")
    a.pause()
    b.pause()
    try:
        master.client.set("unacked", "1")  # no replica can have acknowledged this
        reply = master.client.execute_command("FAILOVER", "TIMEOUT", 60000)
        assert reply == b"OK"
        assert master.info()["master_failover_state"] == "waiting-for-sync"
        assert _reply(master, "FAILOVER") == "ERR: FAILOVER already in progress."
        assert _reply(master, "REPLICAOF", "NO", "ONE") == (
            "ERR: REPLICAOF not allowed while failing over."
        )
        held = socket.create_connection(("127.0.0.1", master.port), timeout=0.5)
        held.sendall(b"*3\r\n$3\r\nSET\r\n$6\r\nduring\r\n$5\r\npause\r\n")
        with pytest.raises(TimeoutError):
            held.recv(100)  # held, not refused
        assert master.client.get("before") == b"1"  # reads go on
        assert master.client.execute_command("FAILOVER", "ABORT") == b"OK"
        assert master.info()["master_failover_state"] == "no-failover"
        assert master.info()["role"] == "master"
        held.settimeout(5)
        assert held.recv(100) == b"+OK\r\n"  # the held write ran once the pause lifted
        held.close()
        assert master.client.get("during") == b"pause"
    finally:
        a.resume()
        b.resume()


@pytest.mark.parametrize("kind", KINDS)
def test_a_failover_that_times_out_aborts(group: Group, kind: str) -> None:
    master, a, b = _trio(group, kind)
    a.pause()
    b.pause()
    try:
        master.client.set("unacked", "1")
        assert master.client.execute_command("FAILOVER", "TIMEOUT", 300) == b"OK"
        wait_until(
            lambda: master.info()["master_failover_state"] == "no-failover",
            5,
            "the failover to time out",
        )
        assert master.info()["role"] == "master"
        assert master.client.set("writable", "again")
    finally:
        a.resume()
        b.resume()


def _errors(group: Group, kind: str) -> list[object]:
    master, a, _b = _trio(group, kind)
    steps: list[tuple[Node, tuple[str | int, ...]]] = [
        (master, ("FAILOVER", "ABORT")),
        (master, ("FAILOVER", "ABORT", "x")),
        (master, ("FAILOVER", "TIMEOUT", "0")),
        (master, ("FAILOVER", "TIMEOUT", "-5")),
        (master, ("FAILOVER", "TIMEOUT", "abc")),
        (master, ("FAILOVER", "TIMEOUT", "10", "TIMEOUT", "20")),
        (master, ("FAILOVER", "TO", "127.0.0.1")),
        (master, ("FAILOVER", "TO", "127.0.0.1", "notaport")),
        (master, ("FAILOVER", "TO", "127.0.0.1", "1")),
        (master, ("FAILOVER", "FORCE")),
        (master, ("FAILOVER", "TO", "127.0.0.1", a.port, "FORCE")),
        (master, ("FAILOVER", "FORCE", "FORCE")),
        (master, ("FAILOVER", "bogus")),
        (a, ("FAILOVER",)),
        (a, ("PSYNC", "0" * 40, "1", "FAILOVER")),
        (master, ("PSYNC", "?", "-1", "FAILOVER")),
    ]
    out: list[object] = []
    for node, args in steps:
        out.append(_reply(node, *args))
    return out


def test_failover_errors_match_redis(group: Group) -> None:
    ours = _errors(group, "ours")
    theirs = _errors(group, "real")
    assert ours == theirs
    assert all(isinstance(r, str) and r.startswith("ERR: ") for r in ours), ours
