"""Numbered databases survive an AOF restart: writes are logged behind SELECT <n>."""

from __future__ import annotations

from nodes.aof import read_commands
from tests.nodes.core.conftest import connect
from tests.support.servers import free_port, splitbrain_server

AOF = ["--appendonly", "yes"]


def test_aof_replays_writes_into_their_databases(tmp_path):
    port = free_port()
    proc = splitbrain_server(tmp_path, port, AOF).start()
    try:
        c = connect(port)
        c.set("k", "zero")
        c.execute_command("SELECT", 3)
        c.set("k", "three")
        c.execute_command("SET", "t", "x", "EX", 1000)
        c.execute_command("MOVE", "t", 5)
        c.execute_command("SELECT", 0)
        c.incr("n")
        c.execute_command("SWAPDB", 3, 4)
        c.close()
    finally:
        proc.stop()
    incr = tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof"
    commands, _ = read_commands(incr.read_bytes(), "aof")
    argvs = [argv for _, argv in commands]
    assert [b"SELECT", b"3"] in argvs and argvs.index([b"SELECT", b"3"]) == 1
    assert argvs[-1] == [b"SWAPDB", b"3", b"4"]
    proc = splitbrain_server(tmp_path, port, AOF).start()
    try:
        c = connect(port)
        assert c.get("k") == b"zero" and c.get("n") == b"1"
        c.execute_command("SELECT", 4)
        assert c.get("k") == b"three"
        c.execute_command("SELECT", 5)
        assert 990 <= c.ttl("t") <= 1000
        c.execute_command("SELECT", 3)
        assert c.dbsize() == 0
        c.close()
    finally:
        proc.stop()
