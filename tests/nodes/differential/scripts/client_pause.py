"""CLIENT PAUSE / UNPAUSE beside redis-server: which commands a WRITE pause holds (writes,
PUBLISH, PFCOUNT, scripts by their flags, an EXEC with writes), what it lets through
(reads, read-only scripts and transactions, commands with errors), the held commands
running in arrival order afterwards, keys not expiring meanwhile, an ALL pause, and the
argument errors. Held clients count as blocked in INFO (what ``wait_blocked`` polls)."""

from tests.nodes.differential.runner import (
    Script,
    cmd,
    raw,
    receive,
    script,
    send,
    until,
    wait_blocked,
)

RO_SCRIPT = "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])"
RW_SCRIPT = "#!lua\nreturn 2"

SCRIPTS: list[Script] = [
    script(
        "client-pause-write",
        cmd("SET", "k", "v"),
        cmd("PFADD", "hll", "a"),
        cmd("CLIENT", "PAUSE", "100000", "WRITE"),
        # Reads, read-only scripts and bad commands are answered at once.
        cmd("GET", "k", client=1),
        cmd("PING", client=1),
        cmd("EVAL", RO_SCRIPT, "1", "k", client=1),
        cmd("EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "k", client=1),
        cmd("SET", "k", client=1),
        cmd("MULTI", client=1),
        cmd("GET", "k", client=1),
        cmd("EXEC", client=1),
        # Writes, PUBLISH, PFCOUNT and writing scripts wait, in arrival order.
        send("SET", "k", "v2", client=1),
        wait_blocked(1),
        send("PUBLISH", "ch", "m", client=2),
        wait_blocked(2),
        send("PFCOUNT", "hll", client=3),
        wait_blocked(3),
        send("EVAL", RW_SCRIPT, "0", client=4),
        wait_blocked(4),
        send("EVAL", "return redis.call('INCR', 'n')", "0", client=5),
        wait_blocked(5),
        cmd("GET", "k"),
        cmd("CLIENT", "UNPAUSE"),
        receive(client=1),
        receive(client=2),
        receive(client=3),
        receive(client=4),
        receive(client=5),
        cmd("GET", "k"),
        cmd("CLIENT", "UNPAUSE"),
    ),
    script(
        "client-pause-transactions",
        # A write queued before the pause makes EXEC wait; a pause from inside a
        # transaction lets the rest of it run.
        cmd("MULTI", client=1),
        cmd("SET", "a", "1", client=1),
        cmd("CLIENT", "PAUSE", "100000", "WRITE"),
        send("EXEC", client=1),
        wait_blocked(1),
        cmd("EXISTS", "a"),
        cmd("CLIENT", "UNPAUSE"),
        receive(client=1),
        cmd("MULTI"),
        cmd("SET", "b", "1"),
        cmd("CLIENT", "PAUSE", "100000", "WRITE"),
        cmd("SET", "c", "1"),
        cmd("EXEC"),
        send("SET", "d", "1", client=1),
        wait_blocked(1),
        cmd("MGET", "b", "c", "d"),
        cmd("CLIENT", "UNPAUSE"),
        receive(client=1),
        cmd("MGET", "b", "c", "d"),
    ),
    script(
        "client-pause-expiry",
        # Keys whose time passes during the pause read as missing but are not
        # deleted (expired_keys does not move) until the pause ends.
        cmd("SET", "gone", "v", "PX", "20"),
        cmd("CLIENT", "PAUSE", "100000", "WRITE"),
        until(b"$-1\r\n", "GET", "gone"),
        cmd("EXISTS", "gone"),
        cmd("DBSIZE"),
        cmd("CLIENT", "UNPAUSE"),
        cmd("GET", "gone"),
        cmd("DBSIZE"),
    ),
    script(
        "client-pause-all-and-errors",
        # ALL holds everything, even the pipelined PING right behind the pause.
        raw(
            b"*4\r\n$6\r\nCLIENT\r\n$5\r\nPAUSE\r\n$3\r\n200\r\n$3\r\nALL\r\n*1\r\n$4\r\nPING\r\n",
            replies=2,
        ),
        cmd("GET", "k", client=1),
        cmd("CLIENT", "PAUSE", "x"),
        cmd("CLIENT", "PAUSE", "-1"),
        cmd("CLIENT", "PAUSE", "x", "MAYBE"),
        cmd("CLIENT", "PAUSE", "10", "WRITE", "more"),
        cmd("CLIENT", "PAUSE"),
        cmd("CLIENT", "UNPAUSE", "x"),
        cmd("CLIENT", "PAUSE", "0"),
        cmd("PING"),
        cmd("CLIENT", "UNPAUSE"),
    ),
]
