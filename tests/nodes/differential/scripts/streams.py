"""Streams without consumer groups: XADD (ids, NOMKSTREAM, MAXLEN/MINID with = and ~ and
LIMIT), XLEN, XRANGE/XREVRANGE (exclusive bounds, COUNT), XDEL, XTRIM, XREAD, XINFO
STREAM, TYPE, DUMP; errors; RESP2 and RESP3.

Explicit IDs keep replies deterministic; an auto ID (``*``) is the server's clock and is
compared by shape. Node sizes follow ``stream-node-max-entries`` (100) and
``stream-node-max-bytes`` (4096), so approximate trimming and XINFO's radix-tree counters
are compared exactly on streams over several nodes.
"""

from tests.nodes.differential.framing import Reply
from tests.nodes.differential.runner import Comparison, Script, Step, both_protocols, cmd

CLOCK_ID = "an auto-generated ID is the server's clock"
CLOCK = "delivery and seen times are each server's clock"


def clock_ints(tolerance: int) -> Comparison:
    """Same reply structure; integers may differ by ``tolerance`` (times taken on two
    servers a few ms apart), everything else exact."""

    def same(a: Reply, b: Reply) -> bool:
        if a.kind != b.kind:
            return False
        if a.kind == ":" and a.value is not None and b.value is not None:
            return abs(int(a.value) - int(b.value)) <= tolerance
        if a.is_aggregate and a.value is None and b.value is None:
            return len(a.items) == len(b.items) and all(
                same(x, y) for x, y in zip(a.items, b.items, strict=True)
            )
        return a.raw == b.raw

    return same


def auto_id(a: Reply, b: Reply) -> bool:
    """An auto-generated ``<ms>-<seq>`` ID: both bulk strings of that form."""

    def ok(r: Reply) -> bool:
        if r.kind != "$" or r.value is None:
            return False
        ms, dash, seq = r.value.partition(b"-")
        return bool(dash) and ms.isdigit() and seq.isdigit()

    return ok(a) and ok(b)


def _fill(key: str, n: int, first: int = 1, fields: int = 1) -> list[Step]:
    steps = []
    for i in range(first, first + n):
        pairs: list[str | int] = []
        for f in range(fields):
            pairs += [f"f{f}", i * (f + 1)]
        steps.append(cmd("XADD", key, f"{i}-0", *pairs))
    return steps


_BASIC = (
    cmd("XADD", "s", "1-1", "a", 1, "b", 2),
    cmd("XADD", "s", "1-*", "a", 3, "b", 4),
    cmd("XADD", "s", "1-*", "c", "x"),
    cmd("XADD", "s", 5, "a", 5, "b", 6),
    cmd("XADD", "s", "5-*", "a", 5),
    cmd("XADD", "s", "7-0", "", ""),
    cmd("XADD", "s", "*", "a", 1, same=auto_id, why=CLOCK_ID),
    cmd("XLEN", "s"),
    cmd("XLEN", "missing"),
    cmd("TYPE", "s"),
    cmd("OBJECT", "ENCODING", "s"),
    cmd("XRANGE", "s", "-", "(7"),
    cmd("XRANGE", "s", "1", "1"),
    cmd("XRANGE", "s", "(1-1", "5"),
    cmd("XRANGE", "s", "-", "+", "COUNT", 2),
    cmd("XRANGE", "s", "-", "+", "count", 0),
    cmd("XRANGE", "s", "-", "7", "COUNT", -3),
    cmd("XREVRANGE", "s", "(7", "-"),
    cmd("XREVRANGE", "s", "5", "(1-2", "COUNT", 1),
    cmd("XRANGE", "missing", "-", "+"),
    cmd("XRANGE", "s", "9", "3"),
    cmd("XDEL", "s", "1-2", "1-2", "9-9", "5-1"),
    cmd("XRANGE", "s", "-", "7"),
    cmd("XDEL", "missing", "1-1"),
    cmd("XLEN", "s"),
)

_ERRORS = (
    cmd("XADD", "s"),
    cmd("XADD", "s", "1-1"),
    cmd("XADD", "s", "1-1", "a"),
    cmd("XADD", "s", "1-1", "a", 1, "b"),
    cmd("XADD", "s", "0-0", "a", 1),
    cmd("XADD", "s", "0", "a", 1),
    cmd("XADD", "s", "0-*", "a", 1),
    cmd("XADD", "s", "2-1", "a", 1),
    cmd("XADD", "s", "2-1", "a", 1),
    cmd("XADD", "s", "2-0", "a", 1),
    cmd("XADD", "s", "2", "a", 1),
    cmd("XADD", "s", "abc", "a", 1),
    cmd("XADD", "s", "1-x", "a", 1),
    cmd("XADD", "s", "-", "a", 1),
    cmd("XADD", "s", "+", "a", 1),
    cmd("XADD", "s", "-5", "a", 1),
    cmd("XADD", "s", "18446744073709551616-0", "a", 1),
    cmd("XADD", "s", "3-18446744073709551616", "a", 1),
    cmd("XADD", "s", " 3-1", "a", 1),
    cmd("XADD", "s", "+4-0", "a", 1),
    cmd("XADD", "s", "MAXLEN", "a", 1),
    cmd("XADD", "s", "MAXLEN", -1, "*", "a", 1),
    cmd("XADD", "s", "MAXLEN", "x", "*", "a", 1),
    cmd("XADD", "s", "MAXLEN", 1, "MINID", 1, "*", "a", 1),
    cmd("XADD", "s", "MINID", 1, "MAXLEN", 1, "*", "a", 1),
    cmd("XADD", "s", "LIMIT", 10, "*", "a", 1),
    cmd("XADD", "s", "MAXLEN", 10, "LIMIT", 10, "*", "a", 1),
    cmd("XADD", "s", "MAXLEN", "~", 10, "LIMIT", -1, "*", "a", 1),
    cmd("XADD", "s", "MINID", "-", "*", "a", 1),
    cmd("XADD", "s", "NOMKSTREAM", "*"),
    cmd("XADD", "nothere", "NOMKSTREAM", "*", "a", 1),
    cmd("EXISTS", "nothere"),
    cmd("XADD", "s", "18446744073709551615-18446744073709551615", "a", 1),
    cmd("XADD", "s", "*", "a", 1),
    cmd("XADD", "s", "18446744073709551615-*", "a", 1),
    cmd("XLEN", "s"),
    cmd("XRANGE", "s"),
    cmd("XRANGE", "s", "-"),
    cmd("XRANGE", "s", "x", "+"),
    cmd("XRANGE", "s", "-", "y"),
    cmd("XRANGE", "s", "(-", "+"),
    cmd("XRANGE", "s", "-", "(+"),
    cmd("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"),
    cmd("XRANGE", "s", "-", "(0-0"),
    cmd("XRANGE", "s", "-", "+", "COUNT"),
    cmd("XRANGE", "s", "-", "+", "COUNT", "x"),
    cmd("XRANGE", "s", "-", "+", "LIMIT", 1),
    cmd("XREVRANGE", "s", "+"),
    cmd("XDEL", "s"),
    cmd("XDEL", "s", "x"),
    cmd("XDEL", "s", "1-1", "-"),
    cmd("XLEN"),
    cmd("SET", "str", "v"),
    cmd("XADD", "str", "*", "a", 1),
    cmd("XADD", "str", "NOMKSTREAM", "*", "a", 1),
    cmd("XLEN", "str"),
    cmd("XRANGE", "str", "-", "+"),
    cmd("XRANGE", "str", "x", "+"),
    cmd("XREVRANGE", "str", "+", "-"),
    cmd("XDEL", "str", "1-1"),
    cmd("XTRIM", "str", "MAXLEN", 1),
    cmd("XREAD", "STREAMS", "str", "0"),
    cmd("XINFO", "STREAM", "str"),
    cmd("XSETID", "str", "1-1"),
)

_TRIM = (
    *_fill("t", 250),
    cmd("XINFO", "STREAM", "t"),
    cmd("XTRIM", "t", "MAXLEN", "~", 180),
    cmd("XLEN", "t"),
    cmd("XTRIM", "t", "MAXLEN", "~", 120),
    cmd("XTRIM", "t", "MAXLEN", "=", 140),
    cmd("XTRIM", "t", "MAXLEN", 140),
    cmd("XTRIM", "t", "MINID", "~", "160"),
    cmd("XTRIM", "t", "MINID", "~", "220", "LIMIT", 50),
    cmd("XTRIM", "t", "MINID", "~", "220", "LIMIT", 200),
    cmd("XTRIM", "t", "MINID", 225),
    cmd("XRANGE", "t", "-", "+", "COUNT", 3),
    cmd("XINFO", "STREAM", "t"),
    cmd("XADD", "t", "MAXLEN", 3, "300-0", "x", 1),
    cmd("XRANGE", "t", "-", "+"),
    cmd("XADD", "t", "MINID", "=", "250", "301-0", "x", 2),
    cmd("XADD", "t", "MINID", "~", "300-1", "LIMIT", 0, "302-0", "x", 3),
    cmd("XTRIM", "t", "MAXLEN", 0),
    cmd("XLEN", "t"),
    cmd("XINFO", "STREAM", "t"),
    cmd("EXISTS", "t"),
    cmd("XTRIM", "t"),
    cmd("XTRIM", "t", "LIMIT", 3),
    cmd("XTRIM", "t", "MAXLEN", 1, "LIMIT", 3),
    cmd("XTRIM", "t", "MAXLEN", 1, "foo"),
    cmd("XTRIM", "t", "MINID", "x"),
    cmd("XTRIM", "missing", "MAXLEN", 1),
    cmd("XTRIM", "t", "NOMKSTREAM", "MAXLEN", 1),
)

_NODES = (
    *_fill("n", 130, fields=2),
    cmd("XADD", "n", "200-0", "other", "field"),
    cmd("XADD", "n", "201-0", "f0", 1, "f1", 2),
    cmd("XADD", "n", "202-0", "big", "x" * 3000),
    cmd("XADD", "n", "203-0", "big", "y" * 3000),
    cmd("XADD", "n", "204-0", "f0", 10, "f1", 20),
    cmd("XINFO", "STREAM", "n"),
    cmd("DUMP", "n"),
    cmd("XDEL", "n", "1-0", "2-0", "202-0", "203-0", "50-0"),
    cmd("XINFO", "STREAM", "n"),
    cmd("DUMP", "n"),
    cmd("XRANGE", "n", "-", "+", "COUNT", 3),
    cmd("XREVRANGE", "n", "+", "-", "COUNT", 3),
    cmd("XRANGE", "n", "48", "52"),
    cmd("XTRIM", "n", "MAXLEN", 60),
    cmd("XINFO", "STREAM", "n", "FULL", "COUNT", 2),
    cmd("DUMP", "n"),
    cmd("COPY", "n", "n2"),
    cmd("XINFO", "STREAM", "n2"),
    cmd("DUMP", "n2"),
    cmd("XDEL", "n", *[f"{i}-0" for i in range(71, 131)], "200-0", "201-0", "204-0"),
    cmd("XLEN", "n"),
    cmd("XINFO", "STREAM", "n"),
    cmd("DUMP", "n"),
    cmd("XADD", "n", "205-0", "a", 1),
    cmd("XINFO", "STREAM", "n", "FULL"),
)

_READ = (
    *_fill("r1", 5),
    *_fill("r2", 3, first=10),
    cmd("XREAD", "STREAMS", "r1", "0"),
    cmd("XREAD", "COUNT", 2, "STREAMS", "r1", "r2", "2", "0-0"),
    cmd("XREAD", "STREAMS", "r1", "r2", "missing", "5", "$", "0"),
    cmd("XREAD", "STREAMS", "r1", "r2", "$", "12"),
    cmd("XREAD", "STREAMS", "r1", "r1", "r2", "3", "4", "10"),
    cmd("XREAD", "count", -1, "streams", "r1", "4-0"),
    cmd("XREAD", "STREAMS", "missing", "0"),
    cmd("XREAD", "BLOCK", 0, "STREAMS", "r1", "0"),
    cmd("MULTI"),
    cmd("XREAD", "BLOCK", 0, "STREAMS", "r1", "$"),
    cmd("XREAD", "BLOCK", 100, "STREAMS", "missing", "$"),
    cmd("EXEC"),
    cmd("XREAD", "STREAMS", "r1"),
    cmd("XREAD", "STREAMS", "r1", "r2", "0"),
    cmd("XREAD", "r1", "0"),
    cmd("XREAD", "COUNT", "x", "STREAMS", "r1", "0"),
    cmd("XREAD", "BLOCK", "x", "STREAMS", "r1", "0"),
    cmd("XREAD", "BLOCK", -1, "STREAMS", "r1", "0"),
    cmd("XREAD", "GROUP", "g", "c", "STREAMS", "r1", "0"),
    cmd("XREAD", "NOACK", "STREAMS", "r1", "0"),
    cmd("XREAD", "STREAMS", "r1", ">"),
    cmd("XREAD", "STREAMS", "r1", "-"),
    cmd("XREAD", "STREAMS", "r1", "zz"),
    cmd("XREAD", "FOO", "STREAMS", "r1", "0"),
    cmd("XREAD", "STREAMS"),
    cmd("XREAD", "COUNT", 1, "STREAMS"),
)

_INFO = (
    cmd("XINFO", "STREAM", "missing"),
    cmd("XINFO", "HELP"),
    cmd("XINFO", "help", "x"),
    cmd("XINFO"),
    cmd("XINFO", "STREAM"),
    cmd("XINFO", "NOPE", "k"),
    *_fill("i", 3),
    cmd("XINFO", "STREAM", "i"),
    cmd("XINFO", "STREAM", "i", "FULL"),
    cmd("XINFO", "STREAM", "i", "FULL", "COUNT", 1),
    cmd("XINFO", "STREAM", "i", "FULL", "COUNT", 0),
    cmd("XINFO", "STREAM", "i", "FULL", "COUNT", -5),
    cmd("XINFO", "STREAM", "i", "FULL", "COUNT"),
    cmd("XINFO", "STREAM", "i", "FULL", "LIMIT", 1),
    cmd("XINFO", "STREAM", "i", "FULL", "COUNT", "x"),
    cmd("XINFO", "STREAM", "i", "PARTIAL"),
    cmd("XINFO", "GROUPS", "i"),
    cmd("XINFO", "GROUPS", "i", "x"),
    cmd("XINFO", "CONSUMERS", "i", "g"),
    cmd("XSETID", "i", "10-0"),
    cmd("XSETID", "i", "2-0"),
    cmd("XSETID", "i", "11-0", "ENTRIESADDED", 1),
    cmd("XSETID", "i", "11-0", "ENTRIESADDED", -1),
    cmd("XSETID", "i", "11-0", "MAXDELETEDID", "12-0"),
    cmd("XSETID", "i", "11-0", "MAXDELETEDID", "2-0", "ENTRIESADDED", 9),
    cmd("XSETID", "i", "11-0", "FOO"),
    cmd("XSETID", "i", "+"),
    cmd("XSETID", "missing", "1-0"),
    cmd("XINFO", "STREAM", "i"),
    cmd("XADD", "i", "11-0", "a", 1),
    cmd("XADD", "i", "11-*", "a", 1),
    cmd("XDEL", "i", "1-0", "2-0", "3-0", "11-1"),
    cmd("XINFO", "STREAM", "i"),
    cmd("XSETID", "i", "0-1"),
    cmd("XINFO", "STREAM", "i"),
    cmd("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"),
    cmd("XINFO", "STREAM", "e"),
    cmd("XINFO", "STREAM", "e", "FULL"),
    cmd("DUMP", "e"),
)

_SCRIPTS = (
    cmd("EVAL", "return redis.call('XREAD','BLOCK',0,'STREAMS','s','$')", 0),
    cmd("EVAL", "return redis.pcall('xread','BLOCK',0,'STREAMS','s','$')", 0),
    cmd(
        "EVAL",
        "redis.call('XADD',KEYS[1],'1-1','a','b') return redis.call('XRANGE',KEYS[1],'-','+')",
        1,
        "s",
    ),
    cmd("EVAL", "return redis.call('XREAD','STREAMS',KEYS[1],'0')", 1, "s"),
    cmd("EVAL", "return redis.call('XINFO','STREAM',KEYS[1])", 1, "s"),
    cmd("EVAL", "return redis.call('XADD',KEYS[1],'1-1','a','b')", 1, "s"),
    cmd("EVAL", "return redis.call('XLEN',KEYS[1])", 1, "s"),
)

_GENERIC = (
    *_fill("g", 3),
    cmd("TYPE", "g"),
    cmd("OBJECT", "ENCODING", "g"),
    cmd("GET", "g"),
    cmd("LPUSH", "g", "x"),
    cmd("HSET", "g", "f", "v"),
    cmd("SORT", "g"),
    cmd("SCAN", 0, "TYPE", "stream"),
    cmd("EXPIRE", "g", 100),
    cmd("TTL", "g"),
    cmd("PERSIST", "g"),
    cmd("COPY", "g", "g2"),
    cmd("XADD", "g2", "9-0", "new", 1),
    cmd("XLEN", "g"),
    cmd("RENAME", "g2", "g3"),
    cmd("XRANGE", "g3", "-", "+"),
    cmd("DUMP", "g3"),
    cmd("DEL", "g", "g3"),
    cmd("EXISTS", "g", "g3"),
    cmd("XGROUP", "CREATE", "e", "grp", "$", "MKSTREAM"),
    cmd("TYPE", "e"),
    cmd("XLEN", "e"),
    cmd("DBSIZE"),
    cmd("MULTI"),
    cmd("XADD", "m", "1-0", "a", 1),
    cmd("XADD", "m", "1-0", "a", 1),
    cmd("XLEN", "m"),
    cmd("XRANGE", "m", "-", "+"),
    cmd("EXEC"),
)

SCRIPTS: list[Script] = [
    *both_protocols("streams-basic", *_BASIC),
    *both_protocols("streams-errors", *_ERRORS),
    Script("streams-trim", _TRIM),
    Script("streams-nodes", _NODES),
    *both_protocols("streams-read", *_READ),
    *both_protocols("streams-info", *_INFO),
    *both_protocols("streams-lua", *_SCRIPTS),
    *both_protocols("streams-generic", *_GENERIC),
]
