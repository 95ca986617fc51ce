"""MONITOR beside redis-server: which commands a monitor sees and how (quoting, the
database, ``lua`` for a script's commands, EVAL before its commands, MULTI/EXEC,
passwords redacted, admin and refused commands hidden), and what a monitor itself may
send. Lines are compared without their time and client address (those differ between
the servers): the database, whether it is a script, and the quoted arguments must be
identical."""

import re

from tests.nodes.differential.framing import Reply
from tests.nodes.differential.runner import Script, Step, cmd, except_fields, raw, script

_LINE = re.compile(rb"\+\d+\.\d{6} \[(\d+) (lua|[0-9.:\[\]a-f]+)\] (.*)\r\n", re.S)
_WHY = "the time and the client's address differ between the servers"


def _shape(raw: bytes) -> tuple[bytes, bool, bytes] | None:
    m = _LINE.fullmatch(raw)
    if m is None:
        return None
    return m.group(1), m.group(2) == b"lua", m.group(3)


def monitor_lines(a: Reply, b: Reply) -> bool:
    """The same monitor lines but for their time and client address."""
    ours = [_shape(r.raw) for r in (b.items or (b,))]
    theirs = [_shape(r.raw) for r in (a.items or (a,))]
    return None not in theirs and ours == theirs


def seen(replies: int = 1) -> Step:
    """The monitor (client 0) reads the next ``replies`` lines."""
    return Step((), raw=b"", client=0, replies=replies, same=monitor_lines, why=_WHY)


SCRIPTS: list[Script] = [
    script(
        "monitor-commands",
        cmd("MONITOR"),
        cmd("SET", "k", b'a b"c\n\x01\xff\\', client=1),
        seen(),
        cmd("GET", "k", client=1),
        seen(),
        # Admin commands and refused ones are not shown: the PING is the next line.
        cmd("CONFIG", "GET", "maxmemory", client=1),
        cmd("NOSUCHCOMMAND", client=1),
        cmd("GET", client=1),
        cmd("CLIENT", "GETNAME", client=1),
        cmd("PING", client=1),
        seen(2),
        # A script: EVAL first, then its commands as "lua"; in database 2 after SELECT.
        cmd("SELECT", "2", client=1),
        seen(),
        cmd("EVAL", "redis.call('SET', 'x', 1); return redis.call('GET', 'x')", "0", client=1),
        seen(3),
        cmd("EVALSHA", "0000000000000000000000000000000000000000", "0", client=1),
        seen(),
        # A transaction: MULTI, then its commands when EXEC runs them, then EXEC.
        cmd("MULTI", client=1),
        cmd("SET", "a", "1", client=1),
        cmd("INCR", "a", client=1),
        seen(),
        cmd("EXEC", client=1),
        seen(3),
        # Passwords are redacted.
        cmd("AUTH", "secret", client=1),
        seen(),
        cmd("AUTH", "default", "secret", client=1),
        seen(),
        cmd(
            "HELLO",
            "2",
            "AUTH",
            "default",
            "secret",
            "SETNAME",
            "n",
            client=1,
            same=except_fields(b"id"),
            why="client ids are per-server counters",
        ),
        seen(),
        # A blocking command is shown when it blocks (here: until its timeout).
        cmd("BLPOP", "q", "0.01", client=1),
        seen(),
    ),
    script(
        "monitor-client-rules",
        # Refused inside a transaction; ignored without a reply when already monitoring
        # (the pipelined GET's error is the only reply); a monitor may not touch keys.
        cmd("MULTI", client=1),
        cmd("MONITOR", client=1),
        cmd("EXEC", client=1),
        cmd("MONITOR"),
        raw(b"MONITOR\r\nGET k\r\n"),
        cmd("SET", "k", "v"),
        cmd("PUBLISH", "ch", "m"),
        cmd("EVAL", "return 1", "0"),
        # Its own commands: the reply first, then its line.
        cmd("PING"),
        seen(),
        cmd("ECHO", "me"),
        seen(),
        cmd("RESET"),
        cmd("GET", "k"),
    ),
]
