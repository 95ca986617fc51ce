"""dump.rdb: ours is accepted by redis-check-rdb and loaded by redis-server 7.0; one
written by redis-server loads on ours; BGSAVE, save points, LASTSAVE and INFO, the save
at SHUTDOWN, DEBUG RELOAD; and a corrupt or unsupported file stops the start with one
clear line."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.nodes.persistence.conftest import (
    check_rdb,
    connect,
    fill,
    needs_redis_tools,
    snapshot,
)
from tests.support.servers import redis_server, splitbrain_server, wait_until

pytestmark = [pytest.mark.redis, needs_redis_tools]


def test_our_save_is_checked_and_loaded_by_redis(tmp_path: Path, rng: random.Random):
    ours = splitbrain_server(tmp_path / "ours").start()
    try:
        client = connect(ours.port)
        fill(client, rng)
        want = snapshot(client)
        assert client.save() is True
    finally:
        ours.stop()
    check = check_rdb(tmp_path / "ours" / "dump.rdb")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "RDB looks OK" in check.stdout
    (tmp_path / "theirs").mkdir()
    shutil.copy(tmp_path / "ours" / "dump.rdb", tmp_path / "theirs" / "dump.rdb")
    theirs = redis_server(tmp_path / "theirs").start()
    try:
        assert snapshot(connect(theirs.port)) == want
    finally:
        theirs.stop()


def test_a_redis_dump_loads_on_ours(tmp_path: Path, rng: random.Random):
    theirs = redis_server(tmp_path / "theirs").start()
    try:
        client = connect(theirs.port)
        fill(client, rng)
        client.set("s:expired", "gone", px=1)
        want = snapshot(client)
        want.pop(b"s:expired", None)
        assert client.save() is True
    finally:
        theirs.stop()
    (tmp_path / "ours").mkdir()
    shutil.copy(tmp_path / "theirs" / "dump.rdb", tmp_path / "ours" / "dump.rdb")
    ours = splitbrain_server(tmp_path / "ours").start()
    try:
        client = connect(ours.port)
        assert snapshot(client) == want
        assert client.info("persistence")["rdb_changes_since_last_save"] == 0
        conn = client.connection_pool.get_connection()
        conn.send_command("SMEMBERS", "set:int")
        members = conn.read_response()
        client.connection_pool.release(conn)
        assert members == sorted(members, key=int)  # still an intset: numeric order
    finally:
        ours.stop()


def _info(client: Any) -> dict[str, Any]:
    info: dict[str, Any] = client.info("persistence")
    return info


def test_bgsave_lastsave_and_info(tmp_path: Path):
    ours = splitbrain_server(tmp_path).start()
    try:
        client = connect(ours.port)
        client.mset({f"k{i}": i for i in range(2000)})
        assert _info(client)["rdb_changes_since_last_save"] == 2000  # MSET counts each key
        before = client.lastsave()
        assert client.bgsave() is True
        assert _info(client)["rdb_saves"] == 1  # counted as it starts, as redis
        wait_until(lambda: _info(client)["rdb_bgsave_in_progress"] == 0, 30, "the background save")
        info = _info(client)
        assert info["rdb_last_bgsave_status"] == "ok"
        assert info["rdb_changes_since_last_save"] == 0
        assert client.lastsave() >= before
        assert not list(tmp_path.glob("temp-*.rdb"))
        assert check_rdb(tmp_path / "dump.rdb").returncode == 0
        with pytest.raises(redis.ResponseError, match="syntax error"):
            client.execute_command("BGSAVE", "NOW")
    finally:
        ours.stop()


def test_save_points_trigger_a_background_save(tmp_path: Path):
    ours = splitbrain_server(tmp_path, args=("--save", "1 3")).start()
    try:
        client = connect(ours.port)
        client.set("a", "1")
        client.set("b", "2")
        assert _info(client)["rdb_saves"] == 0  # 2 changes: not yet
        client.set("c", "3")
        wait_until(
            lambda: (
                _info(client)["rdb_saves"] == 1 and _info(client)["rdb_bgsave_in_progress"] == 0
            ),
            30,
            "a save point's save",
        )
        assert _info(client)["rdb_changes_since_last_save"] == 0
    finally:
        ours.kill()
    restarted = splitbrain_server(tmp_path).start()
    try:
        assert connect(restarted.port).mget("a", "b", "c") == [b"1", b"2", b"3"]
    finally:
        restarted.stop()


def test_shutdown_saves_with_save_points_and_not_with_nosave(tmp_path: Path):
    ours = splitbrain_server(tmp_path, args=("--save", "3600 1")).start()
    client = connect(ours.port)
    client.set("kept", "1")
    client.shutdown()  # returns once the server closed the connection
    assert ours.process is not None and ours.process.wait(20) == 0
    ours = splitbrain_server(tmp_path, args=("--save", "3600 1")).start()
    client = connect(ours.port)
    assert client.get("kept") == b"1"
    client.set("lost", "1")
    client.shutdown(nosave=True)  # returns once the server closed the connection
    assert ours.process is not None and ours.process.wait(20) == 0
    ours = splitbrain_server(tmp_path).start()  # no save points: SHUTDOWN SAVE still saves
    client = connect(ours.port)
    assert client.get("lost") is None
    client.set("saved", "1")
    client.shutdown(save=True)  # returns once the server closed the connection
    assert ours.process is not None and ours.process.wait(20) == 0
    ours = splitbrain_server(tmp_path).start()
    try:
        assert connect(ours.port).get("saved") == b"1"
    finally:
        ours.stop()


def test_debug_reload_keeps_the_dataset(tmp_path: Path, rng: random.Random):
    ours = splitbrain_server(tmp_path, args=("--enable-debug-command", "yes")).start()
    try:
        client = connect(ours.port)
        fill(client, rng)
        want = snapshot(client)
        assert client.execute_command("DEBUG", "RELOAD") == b"OK"
        assert snapshot(client) == want
    finally:
        ours.stop()


def _start_fails(workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nodes", "--port", "0", "--dir", str(workdir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("damage", "what"),
    [
        (lambda data: data[:-20], "checksum mismatch"),
        (lambda data: b"NOTREDIS" + data[8:], "wrong signature"),
        (lambda data: data[:9] + b"\x05" + data[10:], "checksum mismatch"),
        (lambda data: b"REDIS0011" + data[9:], "version 11"),
    ],
    ids=["truncated", "signature", "flipped", "newer"],
)
def test_a_corrupt_dump_refuses_to_start_with_one_line(tmp_path: Path, damage, what: str):
    ours = splitbrain_server(tmp_path).start()
    try:
        client = connect(ours.port)
        client.rpush("list", *range(100))
        client.save()
    finally:
        ours.stop()
    path = tmp_path / "dump.rdb"
    path.write_bytes(damage(path.read_bytes()))
    run = _start_fails(tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "dump.rdb" in lines[0] and what in lines[0], lines[0]


def test_a_module_value_in_a_dump_is_named_clearly(tmp_path: Path):
    """A type we do not serve (here a module value, type 7) stops the start with one
    line naming the key and the type."""
    key = b"\x01m"
    body = b"REDIS0010\xfe\x00\x07" + key + b"\x00" * 8 + b"\xff"
    (tmp_path / "dump.rdb").write_bytes(body + b"\x00" * 8)
    run = _start_fails(tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "'m'" in run.stderr and "module" in run.stderr, run.stderr


@pytest.mark.parametrize("kind", ["ours", "real"])
def test_rdb_key_save_delay_keeps_a_bgsave_running_until_flushall_stops_it(
    tmp_path: Path, kind: str
):
    """redis's own tests slow a save with ``rdb-key-save-delay`` (µs a key) to see it in
    progress: a second BGSAVE and SAVE are refused meanwhile, and FLUSHALL stops it
    (redis kills the child) without writing its snapshot of the old data."""
    start = splitbrain_server if kind == "ours" else redis_server
    server = start(tmp_path, args=("--save", "")).start()
    try:
        client = connect(server.port)
        client.mset({f"k{i}": i for i in range(100)})
        client.config_set("rdb-key-save-delay", 100000)  # 10 s for 100 keys
        assert client.bgsave() is True
        assert _info(client)["rdb_bgsave_in_progress"] == 1
        for args in (("BGSAVE",), ("BGSAVE", "SCHEDULE"), ("SAVE",)):
            with pytest.raises(redis.ResponseError, match=r"^Background save already in progress$"):
                client.execute_command(*args)
        client.flushall()
        wait_until(lambda: _info(client)["rdb_bgsave_in_progress"] == 0, 5, "the save stopped")
        assert not (tmp_path / "dump.rdb").exists()
        client.config_set("rdb-key-save-delay", 0)
        assert client.bgsave() is True
        wait_until(lambda: _info(client)["rdb_bgsave_in_progress"] == 0, 10, "the next save")
        assert _info(client)["rdb_last_bgsave_status"] == "ok"
        assert (tmp_path / "dump.rdb").exists()
    finally:
        server.stop()
