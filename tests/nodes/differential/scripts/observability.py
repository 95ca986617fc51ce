"""SLOWLOG, LATENCY and MONITOR beside redis-server.

Durations, timestamps, ids and client addresses are server state: the comparisons below
keep exact what both servers must agree on (logged arguments and client names, call
counts, the MONITOR line after its timestamp and address) and say why for the rest.
"""

from tests.nodes.differential.framing import Reply
from tests.nodes.differential.runner import Script, Step, cmd, except_fields, script

SLOW_STATE = "an entry's id, time, duration and client address are server state"
CALLS_ONLY = "the histogram buckets are durations; the call counts must agree"
MONITOR_STATE = "a MONITOR line starts with the time and the client's address"


def slowlog_entries(a: Reply, b: Reply) -> bool:
    """SLOWLOG GET: the same number of entries, each with the same arguments and client
    name (items 3 and 5), integers where redis has integers."""
    if a.kind != "*" or b.kind != "*" or len(a.items) != len(b.items):
        return a.raw == b.raw
    for x, y in zip(a.items, b.items, strict=True):
        if len(x.items) != 6 or len(y.items) != 6:
            return False
        if [i.kind for i in x.items] != [i.kind for i in y.items]:
            return False
        if x.items[3].raw != y.items[3].raw or x.items[5].raw != y.items[5].raw:
            return False
    return True


def histogram_calls(a: Reply, b: Reply) -> bool:
    """LATENCY HISTOGRAM: the same commands with the same ``calls``."""
    if not (a.is_aggregate and b.is_aggregate) or len(a.items) != len(b.items):
        return a.raw == b.raw
    for i in range(0, len(a.items), 2):
        if a.items[i].raw != b.items[i].raw:
            return False
        mine, theirs = a.items[i + 1], b.items[i + 1]
        if mine.items[:2] != theirs.items[:2] or mine.kind != theirs.kind:
            return False
    return True


def monitor_line(a: Reply, b: Reply) -> bool:
    """``+<time> [<db> <addr>] <args>``: the db and the arguments exactly (each line of
    several read at once)."""
    if a.kind == "*" and b.kind == "*" and a.value is None and a.items:
        if len(a.items) != len(b.items):
            return False
        return all(monitor_line(x, y) for x, y in zip(a.items, b.items, strict=True))
    if a.kind != "+" or b.kind != "+" or a.value is None or b.value is None:
        return a.raw == b.raw

    def parts(value: bytes) -> tuple[bytes, bytes]:
        head, _, args = value.partition(b"] ")
        return head.partition(b" [")[2].split(b" ")[0], args

    return parts(a.value) == parts(b.value)


def watch(lines: int = 1) -> Step:
    """Read ``lines`` MONITOR lines on the monitoring connection (client 1)."""
    return Step((), raw=b"", replies=lines, client=1, same=monitor_line, why=MONITOR_STATE)


SCRIPTS: list[Script] = [
    script(
        "slowlog",
        cmd("CONFIG", "SET", "slowlog-log-slower-than", 0),
        cmd("SLOWLOG", "RESET"),
        cmd("SET", "k", "v"),
        cmd("CLIENT", "SETNAME", "named"),
        cmd("AUTH", "x", "y"),
        cmd(
            "HELLO",
            2,
            "AUTH",
            "default",
            "pw",
            "SETNAME",
            "renamed",
            same=except_fields(b"id"),
            why="client ids are per-server counters",
        ),
        cmd("SET", "big", "x" * 200),
        cmd("RPUSH", "l", *range(40)),
        cmd("SLOWLOG", "LEN"),
        cmd("SLOWLOG", "GET", 3, same=slowlog_entries, why=SLOW_STATE),
        cmd("SLOWLOG", "GET", same=slowlog_entries, why=SLOW_STATE),
        cmd("SLOWLOG", "GET", -1, same=slowlog_entries, why=SLOW_STATE),
        cmd("SLOWLOG", "GET", 0),
        cmd("SLOWLOG", "GET", -2),
        cmd("SLOWLOG", "GET", "x"),
        cmd("SLOWLOG", "GET", 1, 2),
        cmd("SLOWLOG", "LEN", 1),
        cmd("SLOWLOG", "FOO"),
        cmd("SLOWLOG", "HELP"),
        cmd("SLOWLOG"),
        cmd("CONFIG", "SET", "slowlog-max-len", 2),
        cmd("SLOWLOG", "LEN"),
        cmd("CONFIG", "SET", "slowlog-max-len", 128),
        cmd("CONFIG", "SET", "slowlog-log-slower-than", -1),
        cmd("SLOWLOG", "RESET"),
        cmd("SET", "k", "v"),
        cmd("SLOWLOG", "LEN"),
        cmd("CONFIG", "SET", "slowlog-log-slower-than", 10000),
    ),
    script(
        "latency",
        cmd("LATENCY", "RESET"),
        cmd("LATENCY", "LATEST"),
        cmd("LATENCY", "HISTORY", "command"),
        cmd("LATENCY", "GRAPH", "command"),
        cmd("LATENCY", "DOCTOR"),
        cmd("LATENCY", "RESET", "command", "fast-command"),
        cmd("LATENCY", "HELP"),
        cmd("LATENCY", "NOSUCH"),
        cmd("LATENCY", "HISTORY"),
        cmd("LATENCY", "HISTOGRAM", "nosuch"),
        cmd("LASTSAVE", same=lambda a, b: a.kind == b.kind, why="a timestamp"),
        cmd("LASTSAVE", same=lambda a, b: a.kind == b.kind, why="a timestamp"),
        cmd("LATENCY", "HISTOGRAM", "lastsave", "nosuch", same=histogram_calls, why=CALLS_ONLY),
        cmd("CONFIG", "SET", "latency-tracking", "no"),
        cmd("LASTSAVE", same=lambda a, b: a.kind == b.kind, why="a timestamp"),
        cmd("LATENCY", "HISTOGRAM", "LASTSAVE", same=histogram_calls, why=CALLS_ONLY),
        cmd("CONFIG", "SET", "latency-tracking", "yes"),
    ),
    script(
        "monitor",
        cmd("MONITOR", client=1),
        cmd("SET", "k", 'v x\n"\x01'),
        watch(),
        cmd("GET", "k"),
        watch(),
        cmd("CONFIG", "GET", "maxmemory"),
        cmd("AUTH", "a", "b"),
        watch(),
        cmd("MULTI"),
        cmd("INCR", "n"),
        cmd("EXEC"),
        watch(3),
        cmd("EVAL", "return redis.call('incrby', KEYS[1], ARGV[1])", 1, "n", 5),
        watch(2),
        cmd("SELECT", 1),
        cmd("GET", "k"),
        watch(2),
        cmd("MULTI", client=2),
        cmd("MONITOR", client=2),
        cmd("EXEC", client=2),
    ),
]
