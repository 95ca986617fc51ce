"""Sets: SADD SREM SMEMBERS SISMEMBER SCARD.

Redis 7.0 keeps a small all-integer set as an intset and answers SMEMBERS in numeric
order, so those replies are compared exactly; any other set is a hash table whose
iteration order depends on a per-process hash seed, so SMEMBERS is compared unordered.
"""

from tests.nodes.differential.runner import Script, cmd, script, unordered

HASHED = "a set that is not an intset is a hash table: order depends on the hash seed"

SCRIPTS: list[Script] = [
    script(
        "sets-basic",
        cmd("SADD", "s", "a", "b", "c", "a"),
        cmd("SADD", "s", "c", "d"),
        cmd("SCARD", "s"),
        cmd("SMEMBERS", "s", same=unordered, why=HASHED),
        cmd("SISMEMBER", "s", "a"),
        cmd("SISMEMBER", "s", "z"),
        cmd("SISMEMBER", "missing", "a"),
        cmd("SREM", "s", "a", "z", "a"),
        cmd("SREM", "missing", "a"),
        cmd("SCARD", "missing"),
        cmd("SMEMBERS", "missing"),
        cmd("SREM", "s", "b", "c", "d"),
        cmd("EXISTS", "s"),
        cmd("TYPE", "s"),
        cmd("SADD", "e", ""),
        cmd("SMEMBERS", "e"),
        cmd("TYPE", "e"),
    ),
    script(
        "sets-intset-order",
        cmd("SADD", "i", 5, 3, -1, 100, 0, 3, "-9223372036854775808", "9223372036854775807"),
        cmd("SMEMBERS", "i"),
        cmd("SREM", "i", 3),
        cmd("SMEMBERS", "i"),
        cmd("SISMEMBER", "i", "05"),
        cmd("SISMEMBER", "i", 5),
        cmd("SADD", "i", "07", "+7", " 7", "7.0"),
        cmd("SMEMBERS", "i", same=unordered, why=HASHED),
        cmd("SADD", "big", *range(600)),
        cmd("SCARD", "big"),
        cmd("SMEMBERS", "big", same=unordered, why=HASHED),
        cmd("SADD", "j", *range(512, 0, -1)),
        cmd("SMEMBERS", "j"),
        cmd("SADD", "j", 0),
        cmd("SMEMBERS", "j", same=unordered, why=HASHED),
    ),
    script(
        "sets-errors",
        cmd("SADD", "s"),
        cmd("SREM", "s"),
        cmd("SMEMBERS"),
        cmd("SMEMBERS", "a", "b"),
        cmd("SISMEMBER", "s"),
        cmd("SISMEMBER", "s", "a", "b"),
        cmd("SCARD"),
        cmd("SET", "str", "v"),
        cmd("SADD", "str", "a"),
        cmd("SREM", "str", "a"),
        cmd("SMEMBERS", "str"),
        cmd("SISMEMBER", "str", "a"),
        cmd("SCARD", "str"),
        cmd("SADD", "s", "a"),
        cmd("LPUSH", "s", "a"),
        cmd("GET", "s"),
    ),
]
