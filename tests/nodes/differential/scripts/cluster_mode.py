"""Cluster mode (``cluster-enabled yes``, one node): CLUSTER KEYSLOT, unserved slots,
CROSSSLOT for multi-key commands and transactions across slots.

These scripts need servers started in cluster mode, so they run in
``test_cluster_mode.py`` with their own server pair, not with the standalone scripts.
"""

from tests.nodes.differential.runner import Script, cmd, script, until

SCRIPTS: list[Script] = [
    script(
        "cluster-crossslot",
        cmd("CLUSTER", "KEYSLOT", "foo"),
        cmd("CLUSTER", "KEYSLOT", "{user1}.following"),
        cmd("CLUSTER", "KEYSLOT", "{}x"),
        cmd("CLUSTER", "KEYSLOT", ""),
        cmd("CLUSTER", "KEYSLOT"),
        cmd("GET", "a"),
        cmd("MSET", "{a}1", 1, "{a}2", 2),
        # Redis finds the first key's slot unserved before it compares the slots.
        cmd("MSET", "a", 1, "b", 2),
        cmd("MGET", "a", "b"),
        cmd("PING"),
        cmd("CLUSTER", "ADDSLOTSRANGE", 0, 16383),
        # A node that just got its slots reports the cluster down for a moment.
        until(b"$-1\r\n", "GET", "missing"),
        cmd("MSET", "a", 1, "b", 2),
        cmd("MSET", "{a}1", 1, "{a}2", 2),
        cmd("MGET", "{a}1", "{a}2"),
        cmd("MGET", "a", "b"),
        cmd("DEL", "a", "b"),
        cmd("EXISTS", "a", "b"),
        cmd("UNLINK", "{a}1", "b"),
        cmd("EXISTS", "{a}1", "{a}2"),
        cmd("DEL", "{a}1", "{a}2"),
        cmd("WATCH", "a", "b"),
        cmd("WATCH", "{a}1", "{a}2"),
        cmd("UNWATCH"),
        cmd("MULTI"),
        cmd("SET", "a", 1),
        cmd("SET", "b", 2),
        cmd("EXEC"),
        cmd("MULTI"),
        cmd("SET", "{t}a", 1),
        cmd("INCR", "{t}a"),
        cmd("EXEC"),
        cmd("MULTI"),
        cmd("MSET", "a", 1, "b", 2),
        cmd("EXEC"),
        cmd("ZADD", "z", 1, "m"),
        cmd("LPUSH", "l", "x"),
        cmd("SADD", "s", 1),
        cmd("HSET", "h", "f", "v"),
        cmd("ZRANGE", "z", 0, -1, "WITHSCORES"),
        cmd("DBSIZE"),
        cmd("SELECT", 0),
        cmd("SELECT", 1),
        # SORT's BY/GET patterns name keys in any slot: refused in cluster mode.
        cmd("RPUSH", "{s}l", 2, 1),
        cmd("SORT", "{s}l"),
        cmd("SORT", "{s}l", "BY", "nosort"),
        cmd("SORT", "{s}l", "BY", "w_*"),
        cmd("SORT", "{s}l", "GET", "#"),
        cmd("SORT_RO", "{s}l", "GET", "w_*"),
        cmd("SORT", "{s}l", "STORE", "{s}d"),
        cmd("SORT", "{s}l", "STORE", "other"),
        cmd("COPY", "{s}l", "{s}c", "DB", 0),
        cmd("COPY", "{s}l", "{s}c2", "DB", 1),
        cmd("RENAME", "{s}l", "other"),
        cmd("RENAME", "{s}l", "{s}m"),
    ),
]
