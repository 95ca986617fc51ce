"""Effects replication: a script's writes reach the AOF and the replicas as the commands
it ran (one MULTI/EXEC block when there are several), never as the EVAL itself; a
replica (ours or a real redis-server) ends with the same data."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from tests.nodes.scripting.conftest import Group

pytestmark = pytest.mark.redis

# Nondeterministic on purpose: a replica re-running the EVAL would disagree.
WRITES = """
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], tostring(redis.call('TIME')[2]))
redis.call('RPUSH', KEYS[3], n, ARGV[1])
redis.call('HSET', 'h', 'f', math.random())
return n
"""


def _aof_commands(path: Path) -> list[list[bytes]]:
    """The commands in an AOF file (RESP arrays of bulk strings)."""
    data = path.read_bytes()
    out: list[list[bytes]] = []
    pos = 0
    while pos < len(data):
        assert data[pos : pos + 1] == b"*", data[pos : pos + 20]
        end = data.index(b"\r\n", pos)
        count = int(data[pos + 1 : end])
        pos = end + 2
        argv = []
        for _ in range(count):
            end = data.index(b"\r\n", pos)
            size = int(data[pos + 1 : end])
            argv.append(data[end + 2 : end + 2 + size])
            pos = end + 2 + size + 2
        out.append(argv)
    return out


def test_script_effects_reach_the_aof_as_a_transaction(group: Group) -> None:
    node = group.ours("p", "--appendonly", "yes", "--appendfsync", "always")
    c = node.client
    assert c.eval(WRITES, 3, "counter", "stamp", "list", "x") == 1
    assert c.eval("return redis.call('SET', KEYS[1], 'one')", 1, "single") == b"OK"
    assert c.eval("redis.set_repl(redis.REPL_NONE) redis.call('SET', 'hidden', 1)", 0) is None
    assert c.eval("return redis.call('GET', 'nokey')", 0) is None
    commands = _aof_commands(node.process.workdir / "appendonlydir" / "appendonly.aof.1.incr.aof")
    names = [argv[0].upper() for argv in commands]
    assert b"EVAL" not in names and b"EVALSHA" not in names, names
    assert names[:6] == [b"MULTI", b"INCR", b"SET", b"RPUSH", b"HSET", b"EXEC"], names
    assert commands[6] == [b"SET", b"single", b"one"], commands[6:]
    assert len(commands) == 7, commands[7:]


def test_a_replica_gets_the_effects_not_the_script(group: Group) -> None:
    primary = group.ours("p")
    replica = group.ours("r")
    real = group.real("real")
    replica.replicaof(primary)
    real.replicaof(primary)
    replica.wait_link_up()
    real.wait_link_up()
    c = primary.client
    sha = c.script_load(WRITES)
    for i in range(5):
        c.evalsha(sha, 3, "counter", "stamp", "list", str(i))
    lib = (
        "#!lua name=lib\n"
        "redis.register_function('bump', function(keys, args)\n"
        "  return redis.call('INCRBY', keys[1], args[1]) end)"
    )
    assert c.function_load(lib) == b"lib"
    assert c.fcall("bump", 1, "fn-counter", 7) == 7
    replica.wait_offset(primary)
    real.wait_offset(primary)
    expected = primary.dataset()
    assert expected[b"counter"] == b"5"
    assert replica.dataset() == expected
    assert real.dataset() == expected
    # The library came with FUNCTION LOAD; a writing function is refused on a replica.
    for node in (replica, real):
        assert [lib[1] for lib in node.client.function_list()] == [b"lib"]
        with pytest.raises(redis.ReadOnlyError, match="read only replica"):
            node.client.fcall("bump", 1, "fn-counter", 1)
