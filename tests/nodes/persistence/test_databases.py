"""Every numbered database is kept, not only db 0, as redis-server 7.0 keeps them: in
dump.rdb (both ways between ours and redis-server), in the AOF (its rewritten base, with
or without the RDB preamble), and in a full sync (both ways)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.nodes.persistence.conftest import check_rdb
from tests.support.servers import ServerProcess, redis_server, splitbrain_server, wait_until

pytestmark = [pytest.mark.redis]

DBS = (0, 3, 15)


def _fill(port: int) -> None:
    for db in DBS:
        conn: Any = redis.Redis(port=port, db=db)
        conn.set(f"s{db}", f"v{db}")
        conn.rpush(f"l{db}", "a", "b")
        conn.set(f"e{db}", "ttl", ex=3600)
        conn.close()


def _read(port: int) -> dict[int, dict[bytes, object]]:
    """db -> key -> (type, value) of every non-empty database 0..15."""
    out: dict[int, dict[bytes, object]] = {}
    for db in range(16):
        conn: Any = redis.Redis(port=port, db=db)
        keys = sorted(conn.keys("*"))
        if keys:
            out[db] = {
                k: conn.get(k) if conn.type(k) == b"string" else conn.lrange(k, 0, -1) for k in keys
            }
            assert 3000 < conn.ttl(f"e{db}") <= 3600
        conn.close()
    return out


WANT = {
    db: {b"e%d" % db: b"ttl", b"l%d" % db: [b"a", b"b"], b"s%d" % db: b"v%d" % db} for db in DBS
}


def _restart(server: ServerProcess) -> ServerProcess:
    server.stop()
    return ServerProcess(server.argv, server.port, server.workdir).start()


@pytest.mark.parametrize("maker", ["ours", "real"])
def test_dump_rdb_keeps_every_database_across_kinds(tmp_path: Path, maker: str):
    first, second = (
        (splitbrain_server, redis_server) if maker == "ours" else (redis_server, splitbrain_server)
    )
    made = first(tmp_path / "a").start()
    try:
        _fill(made.port)
        assert redis.Redis(port=made.port).save() is True
    finally:
        made.stop()
    check = check_rdb(tmp_path / "a" / "dump.rdb")
    assert check.returncode == 0, check.stdout + check.stderr
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "a" / "dump.rdb", tmp_path / "b" / "dump.rdb")
    loaded = second(tmp_path / "b").start()
    try:
        assert _read(loaded.port) == WANT
    finally:
        loaded.stop()


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_the_aof_keeps_every_database_across_a_rewrite_and_a_restart(tmp_path: Path, preamble: str):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
    server = splitbrain_server(tmp_path, args=args).start()
    try:
        _fill(server.port)
        conn: Any = redis.Redis(port=server.port)
        conn.bgrewriteaof()
        wait_until(
            lambda: conn.info("persistence")["aof_rewrite_in_progress"] == 0, 20, "the rewrite"
        )
        conn.close()
        server = _restart(server)
        assert _read(server.port) == WANT
    finally:
        server.stop()


@pytest.mark.parametrize("kinds", [("ours", "real"), ("real", "ours")], ids=["to-real", "to-ours"])
def test_a_full_sync_carries_every_database(tmp_path: Path, kinds: tuple[str, str]):
    starts = {"ours": splitbrain_server, "real": redis_server}
    master = starts[kinds[0]](tmp_path / "m").start()
    replica = starts[kinds[1]](tmp_path / "r").start()
    try:
        _fill(master.port)
        conn: Any = redis.Redis(port=replica.port)
        conn.set("only-on-the-replica", "1")
        conn.replicaof("127.0.0.1", master.port)
        wait_until(
            lambda: conn.info("replication").get("master_link_status") == "up",
            20,
            "the replica in sync",
        )
        wait_until(lambda: _read(replica.port) == WANT, 10, "every database on the replica")
    finally:
        replica.stop()
        master.stop()


@pytest.mark.parametrize("kind", ["ours", "real"])
def test_changes_in_any_database_count_toward_the_save_points(tmp_path: Path, kind: str):
    """redis counts one ``server.dirty`` for all databases: writes outside db 0 show in
    ``rdb_changes_since_last_save`` and trigger a save point, and are in the file."""
    make = splitbrain_server if kind == "ours" else redis_server
    server = make(tmp_path, args=("--save", "3600 1000")).start()
    try:
        three: Any = redis.Redis(port=server.port, db=3)
        for i in range(5):
            three.set(f"k{i}", i)
        info = three.info("persistence")
        assert info["rdb_changes_since_last_save"] == 5
        saves = info["rdb_saves"]
        three.config_set("save", "1 6")
        redis.Redis(port=server.port, db=15).set("last", "x")

        def saved() -> bool:  # rdb_saves counts a save as it starts
            info = three.info("persistence")
            return bool(info["rdb_saves"] > saves and info["rdb_bgsave_in_progress"] == 0)

        wait_until(saved, 30, "the save point's save")
        assert three.info("persistence")["rdb_changes_since_last_save"] == 0
        three.close()
    finally:
        server.kill()
    restarted = _restart(server)
    try:
        again: Any = redis.Redis(port=restarted.port, db=3)
        assert again.mget("k0", "k4") == [b"0", b"4"]
        assert redis.Redis(port=restarted.port, db=15).get("last") == b"x"
        assert again.info("persistence")["rdb_changes_since_last_save"] == 0
        again.close()
    finally:
        restarted.stop()
