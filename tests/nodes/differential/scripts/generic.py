"""The keyspace: DEL UNLINK EXISTS TYPE KEYS SCAN DBSIZE FLUSHDB FLUSHALL SELECT.

KEYS and SCAN return keys in hash-table order, which depends on Redis's per-process hash
seed, so those replies are compared unordered (SCAN: the cursor exactly, with COUNT large
enough that one call covers the whole keyspace and both servers must answer cursor 0).
"""

from tests.nodes.differential.runner import Script, cmd, scan_page, script, unordered

HASH_ORDER = "Redis returns keys in hash-table order (per-process seed)"

SCRIPTS: list[Script] = [
    script(
        "generic-keys",
        cmd("MSET", "a", 1, "b", 2, "c", 3, "ab", 4, "h{x}", 5, "h{y}", 6),
        cmd("RPUSH", "list", "x"),
        cmd("SADD", "set", "x"),
        cmd("HSET", "hash", "f", "v"),
        cmd("ZADD", "zset", 1, "m"),
        cmd("DBSIZE"),
        cmd("EXISTS", "a", "a", "nope", "b"),
        cmd("EXISTS", "nope"),
        cmd("TYPE", "a"),
        cmd("TYPE", "list"),
        cmd("TYPE", "set"),
        cmd("TYPE", "hash"),
        cmd("TYPE", "zset"),
        cmd("TYPE", "nope"),
        cmd("KEYS", "*", same=unordered, why=HASH_ORDER),
        cmd("KEYS", "a*", same=unordered, why=HASH_ORDER),
        cmd("KEYS", "?", same=unordered, why=HASH_ORDER),
        cmd("KEYS", "[ab]", same=unordered, why=HASH_ORDER),
        cmd("KEYS", "[^a]", same=unordered, why=HASH_ORDER),
        cmd("KEYS", "h\\{x*", same=unordered, why=HASH_ORDER),
        cmd("KEYS", "nothing*"),
        cmd("KEYS", "a"),
        cmd("SCAN", 0, "COUNT", 1000, same=scan_page, why=HASH_ORDER),
        cmd("SCAN", 0, "MATCH", "h*", "COUNT", 1000, same=scan_page, why=HASH_ORDER),
        cmd("SCAN", 0, "TYPE", "string", "COUNT", 1000, same=scan_page, why=HASH_ORDER),
        cmd("SCAN", 0, "TYPE", "zset", "COUNT", 1000),
        cmd("SCAN", 0, "TYPE", "nosuchtype", "COUNT", 1000),
        cmd("SCAN", "x"),
        cmd("SCAN", 0, "COUNT", 0),
        cmd("SCAN", 0, "COUNT", "x"),
        cmd("SCAN", 0, "MATCH"),
        cmd("SCAN", 0, "FOO", 1),
        cmd("DEL", "a", "nope", "a", "b"),
        cmd("UNLINK", "c", "list", "nope"),
        cmd("DBSIZE"),
        cmd("DEL"),
        cmd("EXISTS"),
        cmd("TYPE"),
        cmd("KEYS"),
        cmd("DBSIZE", "x"),
        cmd("FLUSHDB"),
        cmd("DBSIZE"),
        cmd("SET", "k", "v"),
        cmd("FLUSHALL", "SYNC"),
        cmd("FLUSHALL", "ASYNC"),
        cmd("FLUSHDB", "foo"),
        cmd("EXISTS", "k"),
        cmd("SELECT", 0),
        cmd("SELECT", "x"),
        cmd("SELECT", 99),
        cmd("SELECT"),
    ),
    script(
        "generic-unknown-and-case",
        cmd("NOSUCHCOMMAND", "a", "b"),
        cmd("nosuch"),
        cmd("get", "k"),
        cmd("sEt", "k", "v"),
        cmd("Get", "k"),
        cmd("CLIENT", "NOSUCH"),
        cmd("CONFIG", "NOSUCH"),
        cmd("COMMAND", "NOSUCH"),
    ),
]
