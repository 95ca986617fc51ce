"""Hashes: HSET HGET HDEL HGETALL HLEN HINCRBY.

A small hash in Redis 7.0 is a listpack kept in insertion order, so HGETALL of a small
hash is compared exactly; a large one (over 128 fields) is a hash table and compared as
unordered pairs.
"""

from tests.nodes.differential.runner import Script, cmd, script, unordered_pairs

HASHED = "a hash over 128 fields is a hash table: order depends on the hash seed"

SCRIPTS: list[Script] = [
    script(
        "hashes-basic",
        cmd("HSET", "h", "f1", "v1", "f2", "v2"),
        cmd("HSET", "h", "f1", "new", "f3", "v3"),
        cmd("HGET", "h", "f1"),
        cmd("HGET", "h", "nope"),
        cmd("HGET", "missing", "f"),
        cmd("HLEN", "h"),
        cmd("HLEN", "missing"),
        cmd("HGETALL", "h"),
        cmd("HGETALL", "missing"),
        cmd("HDEL", "h", "f2", "nope", "f2"),
        cmd("HGETALL", "h"),
        cmd("HSET", "h", "f2", "again"),
        cmd("HGETALL", "h"),
        cmd("HDEL", "missing", "f"),
        cmd("HDEL", "h", "f1", "f2", "f3"),
        cmd("EXISTS", "h"),
        cmd("HSET", "h", "", ""),
        cmd("HGETALL", "h"),
        cmd("TYPE", "h"),
    ),
    script(
        "hashes-hincrby",
        cmd("HINCRBY", "h", "n", 5),
        cmd("HINCRBY", "h", "n", -12),
        cmd("HGET", "h", "n"),
        cmd("HSET", "h", "s", "abc", "sp", " 1", "f", "1.5", "big", "9223372036854775807"),
        cmd("HINCRBY", "h", "s", 1),
        cmd("HINCRBY", "h", "sp", 1),
        cmd("HINCRBY", "h", "f", 1),
        cmd("HINCRBY", "h", "big", 1),
        cmd("HINCRBY", "h", "big", 0),
        cmd("HSET", "h", "small", "-9223372036854775808"),
        cmd("HINCRBY", "h", "small", -1),
        cmd("HINCRBY", "h", "n", "x"),
        cmd("HINCRBY", "h", "n", "1.0"),
        cmd("HINCRBY", "h", "n", "9223372036854775808"),
        cmd("HINCRBY", "h", "n", ""),
        cmd("HGETALL", "h"),
    ),
    script(
        "hashes-errors",
        cmd("HSET", "h"),
        cmd("HSET", "h", "f"),
        cmd("HSET", "h", "f", "v", "g"),
        cmd("HGET", "h"),
        cmd("HDEL", "h"),
        cmd("HGETALL"),
        cmd("HLEN"),
        cmd("HINCRBY", "h", "f"),
        cmd("SET", "str", "v"),
        cmd("HSET", "str", "f", "v"),
        cmd("HGET", "str", "f"),
        cmd("HDEL", "str", "f"),
        cmd("HGETALL", "str"),
        cmd("HLEN", "str"),
        cmd("HINCRBY", "str", "f", 1),
        cmd("HSET", "h", "f", "v"),
        cmd("SADD", "h", "x"),
        cmd("INCR", "h"),
    ),
    script(
        "hashes-large",
        cmd("HSET", "h", *[x for i in range(200) for x in (f"f{i}", f"v{i}")]),
        cmd("HLEN", "h"),
        cmd("HGETALL", "h", same=unordered_pairs, why=HASHED),
        cmd("HSET", "long", "f", "x" * 100),
        cmd("HSET", "long", "g", "y"),
        cmd("HGETALL", "long", same=unordered_pairs, why="a value over 64 bytes converts it"),
        cmd("HGET", "h", "f150"),
        cmd("HDEL", "h", *[f"f{i}" for i in range(0, 200, 2)]),
        cmd("HLEN", "h"),
    ),
]
