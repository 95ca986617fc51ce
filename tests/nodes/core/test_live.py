"""splitbrain-server through real clients: redis-py (RESP2 and RESP3), redis-cli, raw bytes."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import redis

from tests.nodes.core.conftest import connect, exchange
from tests.support.servers import REDIS_CLI, ServerProcess, splitbrain_server, wait_until


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def client(server: ServerProcess, request: pytest.FixtureRequest):
    c = connect(server.port, protocol=request.param, socket_timeout=5)
    c.flushall()
    try:
        yield c
    finally:
        c.close()


def test_strings_and_counters(client):
    assert client.set("a", "1") is True
    assert client.get("a") == b"1"
    assert client.incr("a") == 2
    assert client.incrby("a", 10) == 12
    assert client.decr("a") == 11
    assert client.append("a", "x") == 3
    assert client.strlen("a") == 3
    assert client.mset({"b": "2", "c": "3"}) is True
    assert client.mget("a", "b", "nope") == [b"11x", b"2", None]
    assert client.set("a", "z", nx=True) is None
    assert client.set("a", "z", xx=True, get=True) == b"11x"
    assert client.getset("a", "y") == b"z"
    with pytest.raises(redis.ResponseError, match="not an integer"):
        client.incr("a")
    assert client.exists("a", "b", "nope") == 2
    assert client.delete("a", "b", "nope") == 2
    assert client.dbsize() == 1
    assert client.type("c") == b"string"


def test_expiry_ttl_and_persist(client):
    client.set("k", "v", ex=100)
    assert 99 <= client.ttl("k") <= 100
    assert 99_000 <= client.pttl("k") <= 100_000
    assert client.persist("k") is True
    assert client.ttl("k") == -1
    assert client.ttl("missing") == -2
    assert client.pexpire("k", 1) is True
    wait_until(lambda: client.get("k") is None, 5, "lazy expiry of k")


def test_active_expiry_removes_keys_nobody_reads(client):
    for i in range(20):
        client.set(f"e{i}", "v", px=30)
    # DBSIZE does not touch the keys: only the cron's active expiry can empty the db.
    wait_until(lambda: client.dbsize() == 0, 5, "active expiry")


def test_transactions_and_watch(server: ServerProcess, client):
    with client.pipeline() as pipe:
        pipe.set("t", 1).incr("t").get("t")
        assert pipe.execute() == [True, 2, b"2"]
    other = connect(server.port)
    try:
        with client.pipeline() as pipe:
            pipe.watch("t")
            other.set("t", "changed")
            pipe.multi()
            pipe.set("t", "mine")
            with pytest.raises(redis.WatchError):
                pipe.execute()
    finally:
        other.close()
    assert client.get("t") == b"changed"


def test_keys_scan_and_client_commands(client):
    for i in range(30):
        client.set(f"key:{i}", i)
    assert sorted(client.keys("key:1*")) == sorted(
        f"key:{i}".encode() for i in range(30) if str(i).startswith("1")
    )
    assert set(client.scan_iter(match="key:*", count=7)) == {f"key:{i}".encode() for i in range(30)}
    client.client_setname("tester")
    assert client.client_getname() in ("tester", b"tester")
    assert client.client_id() > 0
    assert any(c["name"] == "tester" for c in client.client_list())
    info = client.info()
    assert info["redis_version"] == "7.0.15"
    assert info["db0"]["keys"] == 30


def test_info_lines_end_in_crlf_and_db0_only_with_keys(server: ServerProcess):
    raw = exchange(server.port, b"FLUSHALL\r\nINFO\r\n")
    body = raw.split(b"\r\n", 2)[2]
    assert b"# Server\r\nredis_version:7.0.15\r\n" in body
    assert b"cluster_enabled:0\r\n" in body
    assert b"db0:" not in body
    raw = exchange(server.port, b"SET x 1\r\nINFO keyspace\r\n")
    assert b"db0:keys=1,expires=0,avg_ttl=0\r\n" in raw


def test_hello_switches_protocol(server: ServerProcess):
    raw = exchange(server.port, b"HELLO 3\r\nGET nothing\r\nHELLO 2\r\nGET nothing\r\n")
    assert raw.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")
    assert b"_\r\n*14\r\n" in raw
    assert raw.endswith(b"$-1\r\n")


@pytest.mark.redis
def test_redis_cli_works_unchanged(server: ServerProcess):
    assert REDIS_CLI is not None
    cli = [REDIS_CLI, "-p", str(server.port)]
    run = subprocess.run(
        [*cli, "SET", "cli", "hello"], check=False, capture_output=True, text=True, timeout=10
    )
    assert run.stdout.strip() == "OK"
    run = subprocess.run(
        [*cli, "GET", "cli"], check=False, capture_output=True, text=True, timeout=10
    )
    assert run.stdout.strip() == "hello"
    run = subprocess.run(
        [*cli, "--no-raw", "MGET", "cli", "none"],
        check=False,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert run.stdout.splitlines() == ['1) "hello"', "2) (nil)"]
    run = subprocess.run(
        [*cli, "-3", "HGETALL", "none"], check=False, capture_output=True, text=True, timeout=10
    )
    assert run.returncode == 0


def test_requirepass_and_auth(tmp_path):
    proc = splitbrain_server(tmp_path, args=["--requirepass", "sekret"]).start()
    try:
        assert exchange(proc.port, b"GET a\r\n") == b"-NOAUTH Authentication required.\r\n"
        assert exchange(proc.port, b"AUTH wrong\r\n") == (
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        )
        c = connect(proc.port, password="sekret", protocol=3)
        assert c.set("a", 1) is True
        c.close()
    finally:
        proc.stop()


def test_config_set_appendonly_writes_the_dataset_then_appends(tmp_path):
    proc = splitbrain_server(tmp_path).start()
    try:
        c = connect(proc.port)
        c.set("before", "1")
        assert c.config_set("appendonly", "yes") is True
        c.set("after", "2")
        with pytest.raises(redis.ResponseError, match="argument 'dir'"):
            c.config_set("dir", str(tmp_path / "missing"))
        c.close()
    finally:
        proc.stop()
    text = b"".join(p.read_bytes() for p in sorted((tmp_path / "appendonlydir").iterdir()))
    assert b"before" in text
    assert b"after" in text


def test_crossslot_in_cluster_mode(tmp_path):
    proc = splitbrain_server(tmp_path, args=["--cluster-enabled", "yes"]).start()
    try:
        # Like redis: an unserved first slot is reported before the slot mismatch.
        raw = exchange(proc.port, b"MSET a 1 b 2\r\nINFO cluster\r\n")
        assert raw.startswith(b"-CLUSTERDOWN Hash slot not served\r\n")
        assert b"cluster_enabled:1\r\n" in raw
        raw = exchange(proc.port, b"CLUSTER ADDSLOTSRANGE 0 16383\r\nMSET a 1 b 2\r\n")
        assert raw == b"+OK\r\n-CROSSSLOT Keys in request don't hash to the same slot\r\n"
    finally:
        proc.stop()


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    got = b""
    while len(got) < size:
        chunk = sock.recv(size - len(got))
        assert chunk, "connection closed"
        got += chunk
    return got


def test_debug_sleep_blocks_everyone_and_wait_blocks_only_its_client(tmp_path):
    proc = splitbrain_server(tmp_path, args=["--enable-debug-command", "yes"]).start()
    try:
        waiter = socket.create_connection(("127.0.0.1", proc.port), timeout=5)
        other = socket.create_connection(("127.0.0.1", proc.port), timeout=5)
        sent = time.monotonic()
        # multibulk, so the hiredis fast path has to hand the PING over to our parser
        waiter.sendall(b"*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$4\r\n1000\r\n*1\r\n$4\r\nPING\r\n")
        other.sendall(b"PING\r\n")
        assert _read_exactly(other, 7) == b"+PONG\r\n"  # served while WAIT blocks
        assert time.monotonic() - sent < 0.9
        # WAIT answers at its timeout, and the PING queued behind it only then.
        assert _read_exactly(waiter, 11) == b":0\r\n+PONG\r\n"
        assert time.monotonic() - sent >= 0.98
        # DEBUG SLEEP stalls every client: a PING that reaches the server after it waits.
        # (Which of two sockets the server reads first is up to it: retry until the
        # PING came second, a bounded number of times.)
        for _ in range(10):
            other.sendall(b"DEBUG SLEEP 0.3\r\n")
            waiter.sendall(b"PING\r\n")
            sent = time.monotonic()
            assert _read_exactly(waiter, 7) == b"+PONG\r\n"
            waited = time.monotonic() - sent
            assert _read_exactly(other, 5) == b"+OK\r\n"
            if waited >= 0.2:
                break
        else:
            pytest.fail("a PING sent during DEBUG SLEEP was never delayed by it")
        waiter.close()
        other.close()
    finally:
        proc.stop()


def test_redis_py_parses_the_command_table(client):
    table = client.command()
    assert table["get"]["arity"] == 2
    assert table["mset"]["step_count"] == 2 or table["mset"].get("step") == 2
    assert client.command_getkeys("MSET", "a", "1", "b", "2") in ([b"a", b"b"], ["a", "b"])
    assert client.command_count() == len(table)


def test_many_concurrent_pipelining_clients(server: ServerProcess):
    clients = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(100)]
    try:
        exchange(server.port, b"DEL counter\r\n")
        for sock in clients:
            sock.sendall(b"*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n" * 50)
        for sock in clients:
            got = b""
            while got.count(b"\r\n") < 50:
                chunk = sock.recv(65536)
                assert chunk, "connection closed early"
                got += chunk
            assert all(line.startswith(b":") for line in got.split(b"\r\n")[:-1])
        assert exchange(server.port, b"GET counter\r\n") == b"$4\r\n5000\r\n"
    finally:
        for sock in clients:
            sock.close()
