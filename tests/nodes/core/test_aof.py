"""Append-only file: replay, truncated tail, corruption in the middle, SIGKILL durability."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from nodes.aof import encode_command, read_commands
from tests.nodes.core.conftest import connect, exchange
from tests.support.servers import free_port, splitbrain_server, wait_until

AOF = ["--appendonly", "yes"]
INCR = "appendonly.aof.1.incr.aof"


def _incr_only(workdir: Path, data: bytes) -> Path:
    """A multi-part AOF directory whose manifest names one incr file holding ``data``."""
    directory = workdir / "appendonlydir"
    directory.mkdir(parents=True)
    (directory / "appendonly.aof.manifest").write_text(f"file {INCR} seq 1 type i\n")
    path = directory / INCR
    path.write_bytes(data)
    return path


def test_writes_are_replayed_after_a_restart(tmp_path):
    port = free_port()
    proc = splitbrain_server(tmp_path, port, AOF).start()
    try:
        c = connect(port)
        c.set("s", "v")
        c.incrby("n", 5)
        c.set("ttl", "x", ex=1000)
        c.set("gone", "x")
        c.delete("gone")
        with c.pipeline() as p:
            p.set("t1", 1).set("t2", 2).execute()
        c.close()
    finally:
        proc.stop()
    commands, _ = read_commands((tmp_path / "appendonlydir" / INCR).read_bytes(), "aof")
    names = [argv[0].upper() for _, argv in commands]
    assert b"PXAT" in commands[2][1]  # relative expiry is written as an absolute time
    assert names.count(b"MULTI") == 1
    proc = splitbrain_server(tmp_path, port, AOF).start()
    try:
        c = connect(port)
        assert c.get("s") == b"v"
        assert c.get("n") == b"5"
        assert 990 <= c.ttl("ttl") <= 1000
        assert c.exists("gone") == 0
        assert c.mget("t1", "t2") == [b"1", b"2"]
        c.close()
    finally:
        proc.stop()


def test_a_truncated_last_command_is_dropped_with_a_warning(tmp_path):
    good = encode_command([b"SET", b"a", b"1"]) + encode_command([b"SET", b"b", b"2"])
    cut = encode_command([b"SET", b"c", b"3"])[:-4]
    path = _incr_only(tmp_path, good + cut)
    proc = splitbrain_server(tmp_path, args=AOF).start()
    try:
        c = connect(proc.port)
        assert c.mget("a", "b", "c") == [b"1", b"2", None]
        c.set("d", "4")
        c.close()
        assert "short read while loading the AOF file" in proc.output()
    finally:
        proc.stop()
    commands, valid = read_commands(path.read_bytes(), "aof")
    assert [argv[1] for _, argv in commands] == [b"a", b"b", b"d"]
    assert valid == path.stat().st_size


def test_corruption_in_the_middle_refuses_to_start_naming_file_and_offset(tmp_path):
    first = encode_command([b"SET", b"a", b"1"])
    _incr_only(tmp_path, first + b"garbage!\r\n" + encode_command([b"SET", b"b", b"2"]))
    run = subprocess.run(  # noqa: PLW1510 (the exit status is asserted)
        [
            sys.executable,
            "-m",
            "nodes",
            "--port",
            str(free_port()),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(tmp_path),
            *AOF,
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 1
    assert f"{INCR} at offset {len(first)}" in run.stderr


def test_sigkill_with_appendfsync_always_loses_no_acknowledged_write(tmp_path: Path, rng):
    port = free_port()
    proc = splitbrain_server(tmp_path, port, [*AOF, "--appendfsync", "always"]).start()
    acked: list[int] = []
    stop = threading.Event()

    def writer(start: int) -> None:
        c = connect(port, socket_timeout=5, retry=Retry(NoBackoff(), 0))
        i = start
        try:
            while not stop.is_set() and i < start + 100_000:
                c.set(f"k{i}", i)
                acked.append(i)
                i += 1
        except redis.ConnectionError:
            pass
        finally:
            c.close()

    threads = [threading.Thread(target=writer, args=(n * 1_000_000,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        target = rng.randrange(100, 400)
        wait_until(lambda: len(acked) >= target, 30, f"{target} acknowledged writes")
        proc.kill()
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        proc.stop()
    snapshot = list(acked)
    proc = splitbrain_server(tmp_path, port, AOF).start()
    try:
        c = connect(port)
        values = c.mget([f"k{i}" for i in snapshot])
        lost = [i for i, v in zip(snapshot, values, strict=True) if v != str(i).encode()]
        assert not lost, f"{len(lost)} acknowledged writes lost, e.g. {lost[:5]}"
        c.close()
    finally:
        proc.stop()


def test_a_half_closed_client_still_gets_its_replies_with_the_aof_on(tmp_path):
    proc = splitbrain_server(tmp_path, args=[*AOF, "--appendfsync", "always"]).start()
    try:
        raw = exchange(proc.port, b"SET a 1\r\nINCR n\r\nGET a\r\n")
        assert raw == b"+OK\r\n:1\r\n$1\r\n1\r\n"
    finally:
        proc.stop()
