"""COMMAND INFO, COMMAND GETKEYS and COMMAND DOCS agree with redis-server 7.0.

Client libraries route and classify commands by these fields (redis-py's cluster client
asks COMMAND GETKEYS-equivalent key positions), so for every command splitbrain-server
implements, the first six COMMAND INFO fields (name, arity, flags, first key, last key,
step) must be byte-identical, and key extraction must agree on sample invocations.
COMMAND DOCS of every command and subcommand redis-server lists is byte-identical in
RESP2 and RESP3 (but for the order of a container's subcommands, redis's dict order).
"""

from __future__ import annotations

import socket

import pytest

from tests.nodes.differential.conftest import ServerPair
from tests.nodes.differential.framing import Reply, ReplyReader
from tests.nodes.differential.runner import REPLY_TIMEOUT, cmd

pytestmark = pytest.mark.redis

# Every command of issue 2 (containers: their subcommands are checked by name too).
ISSUE_2_COMMANDS = (
    "ping",
    "echo",
    "quit",
    "select",
    "hello",
    "auth",
    "client",
    "info",
    "dbsize",
    "flushall",
    "flushdb",
    "keys",
    "scan",
    "type",
    "exists",
    "del",
    "unlink",
    "expire",
    "pexpire",
    "ttl",
    "pttl",
    "persist",
    "get",
    "set",
    "setnx",
    "getset",
    "mget",
    "mset",
    "incr",
    "incrby",
    "decr",
    "decrby",
    "append",
    "strlen",
    "lpush",
    "rpush",
    "lpop",
    "rpop",
    "lrange",
    "llen",
    "lindex",
    "sadd",
    "srem",
    "smembers",
    "sismember",
    "scard",
    "hset",
    "hget",
    "hdel",
    "hgetall",
    "hlen",
    "hincrby",
    "zadd",
    "zrem",
    "zscore",
    "zcard",
    "zrange",
    "zrank",
    "multi",
    "exec",
    "discard",
    "watch",
    "unwatch",
    "config",
    "command",
    "function",
    "shutdown",
    "debug",
    "cluster",
    # Scripting and functions (issue 12).
    "eval",
    "evalsha",
    "eval_ro",
    "evalsha_ro",
    "script",
    "fcall",
    "fcall_ro",
)

# The data-type commands of issue 12: their whole COMMAND INFO entry (flags, ACL
# categories, tips, key specs) must be byte-identical to redis-server 7.0's.
ISSUE_12_COMMANDS: tuple[str, ...] = (
    "rename",
    "renamenx",
    "copy",
    "touch",
    "sort",
    "sort_ro",
    "hexists",
    "hsetnx",
    "hmset",
    "hmget",
    "hkeys",
    "hvals",
    "hstrlen",
    "hincrbyfloat",
    "hrandfield",
    "hscan",
    "lpushx",
    "rpushx",
    "linsert",
    "lset",
    "ltrim",
    "lrem",
    "lpos",
    "lmove",
    "rpoplpush",
    "lmpop",
    "smismember",
    "smove",
    "spop",
    "srandmember",
    "sinter",
    "sintercard",
    "sinterstore",
    "sunion",
    "sunionstore",
    "sdiff",
    "sdiffstore",
    "sscan",
    "zunionstore",
    "zinterstore",
    "zdiffstore",
    "zunion",
    "zinter",
    "zdiff",
    "zintercard",
    "zrangestore",
    "zpopmin",
    "zpopmax",
    "zmpop",
    "zrandmember",
    "zmscore",
    "zlexcount",
    "zremrangebylex",
    "zremrangebyrank",
    "zremrangebyscore",
    "zscan",
    "setbit",
    "getbit",
    "bitcount",
    "bitpos",
    "bitop",
    "bitfield",
    "bitfield_ro",
    "getrange",
    "substr",
    "setrange",
    "lcs",
    "pfadd",
    "pfcount",
    "pfmerge",
    "pfdebug",
    "pfselftest",
    "geoadd",
    "geopos",
    "geodist",
    "geohash",
    "geosearch",
    "geosearchstore",
    "georadius",
    "georadius_ro",
    "georadiusbymember",
    "georadiusbymember_ro",
)
ISSUE_12_STREAM_COMMANDS: tuple[str, ...] = (
    "xadd",
    "xlen",
    "xrange",
    "xrevrange",
    "xdel",
    "xtrim",
    "xread",
    "xreadgroup",
    "xack",
    "xpending",
    "xclaim",
    "xautoclaim",
    "xsetid",
)
ISSUE_12_COMMANDS += ISSUE_12_STREAM_COMMANDS
ISSUE_12_CONTAINERS: tuple[str, ...] = ("object", "memory", "xgroup", "xinfo")
ISSUE_12_COMMANDS += ("monitor",)
ISSUE_12_CONTAINERS += ("acl", "slowlog", "latency")

# Issue 12, pub/sub and blocking commands: the whole COMMAND INFO entry (flags, ACL
# categories, tips, key specs, subcommands) must be byte-identical.
PUBSUB_AND_BLOCKING_COMMANDS: tuple[str, ...] = (
    "subscribe",
    "unsubscribe",
    "psubscribe",
    "punsubscribe",
    "publish",
    "pubsub",
    "ssubscribe",
    "sunsubscribe",
    "spublish",
    "blpop",
    "brpop",
    "blmove",
    "brpoplpush",
    "blmpop",
    "bzpopmin",
    "bzpopmax",
    "bzmpop",
)

GETKEYS_SAMPLES: list[tuple[str, ...]] = [
    ("GET", "k"),
    ("SET", "k", "v", "EX", "10"),
    ("SETNX", "k", "v"),
    ("GETSET", "k", "v"),
    ("MGET", "a", "b", "c"),
    ("MSET", "a", "1", "b", "2"),
    ("INCR", "k"),
    ("INCRBY", "k", "2"),
    ("DECR", "k"),
    ("DECRBY", "k", "2"),
    ("APPEND", "k", "v"),
    ("STRLEN", "k"),
    ("DEL", "a", "b", "c"),
    ("UNLINK", "a", "b"),
    ("EXISTS", "a", "b"),
    ("TYPE", "k"),
    ("EXPIRE", "k", "10"),
    ("PEXPIRE", "k", "10", "NX"),
    ("TTL", "k"),
    ("PTTL", "k"),
    ("PERSIST", "k"),
    ("LPUSH", "l", "a", "b"),
    ("RPUSH", "l", "a"),
    ("LPOP", "l"),
    ("RPOP", "l", "2"),
    ("LRANGE", "l", "0", "-1"),
    ("LLEN", "l"),
    ("LINDEX", "l", "0"),
    ("SADD", "s", "a", "b"),
    ("SREM", "s", "a"),
    ("SMEMBERS", "s"),
    ("SISMEMBER", "s", "a"),
    ("SCARD", "s"),
    ("HSET", "h", "f", "v", "g", "w"),
    ("HGET", "h", "f"),
    ("HDEL", "h", "f", "g"),
    ("HGETALL", "h"),
    ("HLEN", "h"),
    ("HINCRBY", "h", "f", "1"),
    ("ZADD", "z", "NX", "1", "m"),
    ("ZREM", "z", "a", "b"),
    ("ZSCORE", "z", "m"),
    ("ZCARD", "z"),
    ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    ("ZRANK", "z", "m"),
    ("ZREVRANK", "z", "m"),
    ("ZREVRANGE", "z", "0", "-1"),
    ("ZRANGEBYSCORE", "z", "0", "1"),
    ("ZREVRANGEBYSCORE", "z", "1", "0"),
    ("ZRANGEBYLEX", "z", "-", "+"),
    ("ZREVRANGEBYLEX", "z", "+", "-"),
    ("ZINCRBY", "z", "1", "m"),
    ("ZCOUNT", "z", "0", "1"),
    ("WATCH", "a", "b"),
    ("RENAME", "a", "b"),
    ("COPY", "a", "b", "REPLACE"),
    ("TOUCH", "a", "b"),
    ("SORT", "l", "BY", "w_*", "LIMIT", "0", "1", "GET", "#", "STORE", "d"),
    ("SORT", "l", "STORE", "d1", "STORE", "d2"),
    ("SORT", "l", "GET", "store", "ALPHA"),
    ("SORT_RO", "l", "STORE", "d"),
    ("OBJECT", "ENCODING", "k"),
    ("MEMORY", "USAGE", "k"),
    ("HMGET", "h", "a", "b"),
    ("HSCAN", "h", "0", "MATCH", "*"),
    ("HRANDFIELD", "h", "2", "WITHVALUES"),
    ("LMOVE", "a", "b", "LEFT", "RIGHT"),
    ("RPOPLPUSH", "a", "b"),
    ("LMPOP", "2", "a", "b", "LEFT"),
    ("LMPOP", "3", "a", "b", "LEFT"),
    ("LMPOP", "0", "a", "LEFT"),
    ("LMPOP", " 1x", "a", "LEFT"),
    ("SINTERCARD", "2", "a", "b", "LIMIT", "1"),
    ("SINTERSTORE", "d", "a", "b"),
    ("SMOVE", "a", "b", "m"),
    ("SDIFF", "a", "b", "c"),
    ("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"),
    ("ZINTER", "2", "a", "b"),
    ("ZDIFFSTORE", "d", "3", "a", "b"),
    ("ZINTERCARD", "1", "a", "LIMIT", "3"),
    ("ZRANGESTORE", "d", "s", "0", "-1"),
    ("ZMPOP", "1", "a", "MIN"),
    ("BITOP", "AND", "d", "a", "b"),
    ("LCS", "a", "b"),
    ("BITFIELD", "f", "GET", "u8", "0"),
    ("BITFIELD", "f", "OVERFLOW", "SAT", "GET", "u8", "0", "INCRBY", "u8", "0", "1"),
    ("BITFIELD", "f", "GET", "u8"),
    ("SET", "k", "v", "GET"),
    ("MIGRATE", "h", "1", "", "0", "5", "KEYS", "a", "b"),
    ("MIGRATE", "h", "1", "a", "0", "5"),
    ("PFMERGE", "d", "a", "b"),
    ("PFCOUNT", "a", "b"),
    ("GEORADIUS", "g", "1", "2", "3", "km", "STORE", "a", "STOREDIST", "b"),
    ("GEORADIUSBYMEMBER", "g", "m", "3", "km", "STORE", "a"),
    ("GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m", "BYRADIUS", "1", "km"),
    ("EVAL", "return 1", "2", "a", "b", "c"),
    ("EVAL", "return 1", "0"),
    ("EVALSHA_RO", "0123456789012345678901234567890123456789", "1", "k"),
    ("FCALL", "f", "1", "a", "b"),
    ("FCALL_RO", "f", "0", "x"),
    ("BLPOP", "a", "b", "0"),
    ("BLMOVE", "a", "b", "LEFT", "RIGHT", "0"),
    ("BLMPOP", "0", "2", "a", "b", "LEFT"),
    ("BZMPOP", "1", "1", "z", "MIN", "COUNT", "2"),
    ("LMPOP", "2", "a", "b", "RIGHT"),
    ("ZMPOP", "1", "z", "MAX"),
    ("SSUBSCRIBE", "a", "b"),
    ("SPUBLISH", "c", "m"),
    ("SUNSUBSCRIBE", "c"),
    ("SUBSCRIBE", "c"),
    ("XADD", "s", "*", "f", "v"),
    ("XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0"),
    ("XREAD", "BLOCK", "0", "STREAMS", "streams", "0"),
    ("XREAD", "STREAMS", "a", "b", "0"),
    ("XREAD", "FOO", "STREAMS", "a", "0"),
    ("XREADGROUP", "GROUP", "streams", "c", "NOACK", "STREAMS", "a", ">"),
    ("XGROUP", "CREATE", "s", "g", "$"),
    ("XINFO", "STREAM", "s"),
    ("XAUTOCLAIM", "s", "g", "c", "0", "0"),
    # Errors: wrong arity, no keys, unknown command.
    ("MSET", "a", "1", "b"),
    ("GET",),
    ("PING",),
    ("NOSUCHCOMMAND", "k"),
    ("ZADD", "z"),
]


class Conn:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=REPLY_TIMEOUT)
        self.reader = ReplyReader(self.sock)

    def call(self, *args: str) -> Reply:
        self.sock.sendall(cmd(*args).request())
        return self.reader.read()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def conns(server_pair: ServerPair):
    theirs, ours = Conn(server_pair.theirs.port), Conn(server_pair.ours.port)
    try:
        yield theirs, ours
    finally:
        theirs.close()
        ours.close()


def _names(reply: Reply) -> set[str]:
    assert reply.kind == "*", reply.text()
    return {entry.items[0].value.decode().lower() for entry in reply.items if entry.items[0].value}


def test_every_issue_2_command_is_listed(conns) -> None:
    _, ours = conns
    missing = sorted(set(ISSUE_2_COMMANDS) - _names(ours.call("COMMAND")))
    assert not missing, f"COMMAND does not list: {' '.join(missing)}"


def _head(entry: Reply) -> bytes:
    """The first six COMMAND INFO fields: name, arity, flags, first key, last key, step."""
    return b"".join(i.raw for i in entry.items[:6])


def _info_difference(theirs: Conn, ours: Conn, name: str) -> str | None:
    a, b = theirs.call("COMMAND", "INFO", name), ours.call("COMMAND", "INFO", name)
    if len(a.items) != 1 or not a.items[0].items:
        return f"{name}: redis-server does not know it ({a.text()[:80]})"
    if len(b.items) != 1 or not b.items[0].items:
        return f"{name}: ours answered {b.text()[:80]}"
    head_a, head_b = _head(a.items[0]), _head(b.items[0])
    if head_a != head_b:
        return f"{name}:\n    redis-server: {head_a!r}\n    ours:         {head_b!r}"
    return None


@pytest.mark.parametrize("name", ISSUE_2_COMMANDS)
def test_command_info_matches_redis(conns, name: str) -> None:
    theirs, ours = conns
    difference = _info_difference(theirs, ours, name)
    assert difference is None, difference


def test_command_info_matches_redis_for_every_other_command_we_implement(conns) -> None:
    theirs, ours = conns
    others = sorted(_names(ours.call("COMMAND")) - set(ISSUE_2_COMMANDS))
    wrong = [d for d in (_info_difference(theirs, ours, n) for n in others) if d is not None]
    assert not wrong, "COMMAND INFO differs:\n" + "\n".join(wrong)


NOT_IN_REDIS_7_0 = {
    b"client|setinfo": "issue 2 asks for it (redis-py sends it); redis 7.0 has no SETINFO"
}


CONTAINERS = ("client", "command", "config", "cluster", "function", "pubsub", *ISSUE_12_CONTAINERS)
"""The container commands splitbrain-server implements (with their subcommands)."""


def _subcommands(reply: Reply, container: bytes) -> dict[bytes, bytes]:
    """The six-field heads of ``container``'s subcommand entries (``config|get``...)."""
    out: dict[bytes, bytes] = {}
    for entry in reply.items:
        if len(entry.items) >= 10 and entry.items[0].value == container:
            for sub in entry.items[9].items:
                if sub.items and sub.items[0].value is not None:
                    out[sub.items[0].value] = _head(sub)
    return out


@pytest.mark.parametrize("container", CONTAINERS)
def test_subcommand_info_matches_redis_for_every_subcommand_we_implement(
    conns, container: str
) -> None:
    theirs, ours = conns
    redis_subs = _subcommands(theirs.call("COMMAND", "INFO", container), container.encode())
    ours_subs = _subcommands(ours.call("COMMAND", "INFO", container), container.encode())
    wrong = [
        f"{name.decode()}:\n    redis-server: {redis_subs.get(name)!r}\n    ours:         {head!r}"
        for name, head in sorted(ours_subs.items())
        if redis_subs.get(name) != head and name not in NOT_IN_REDIS_7_0
    ]
    assert not wrong, "subcommand COMMAND INFO differs:\n" + "\n".join(wrong)


def test_command_info_of_several_and_unknown_names(conns) -> None:
    theirs, ours = conns
    args = ("COMMAND", "INFO", "get", "nosuchcommand", "ZADD")
    a, b = theirs.call(*args), ours.call(*args)
    assert len(a.items) == len(b.items) == 3, (a.text()[:200], b.text()[:200])
    assert b.items[1].raw == a.items[1].raw  # the null for an unknown name
    for x, y in ((a.items[0], b.items[0]), (a.items[2], b.items[2])):
        assert b"".join(i.raw for i in x.items[:6]) == b"".join(i.raw for i in y.items[:6])


@pytest.mark.parametrize("args", GETKEYS_SAMPLES, ids=" ".join)
def test_command_getkeys_matches_redis(conns, args: tuple[str, ...]) -> None:
    theirs, ours = conns
    a, b = theirs.call("COMMAND", "GETKEYS", *args), ours.call("COMMAND", "GETKEYS", *args)
    assert b.raw == a.raw, f"redis-server {a.text()} ours {b.text()}"


@pytest.mark.parametrize("args", GETKEYS_SAMPLES, ids=" ".join)
def test_command_getkeysandflags_matches_redis(conns, args: tuple[str, ...]) -> None:
    """Each key carries the flags of the key spec that found it (LMOVE: source and
    destination differ)."""
    theirs, ours = conns
    request = ("COMMAND", "GETKEYSANDFLAGS", *args)
    a, b = theirs.call(*request), ours.call(*request)
    assert b.raw == a.raw, f"redis-server {a.text()} ours {b.text()}"


@pytest.mark.parametrize("name", ISSUE_12_COMMANDS)
def test_whole_command_info_matches_redis(conns, name: str) -> None:
    theirs, ours = conns
    a, b = theirs.call("COMMAND", "INFO", name), ours.call("COMMAND", "INFO", name)
    assert b.raw == a.raw, f"redis-server {a.text()}\nours         {b.text()}"


@pytest.mark.parametrize("container", ISSUE_12_CONTAINERS)
def test_whole_subcommand_info_matches_redis(conns, container: str) -> None:
    """Each subcommand we implement has redis's entry, byte for byte (the order of the
    subcommands inside the container is redis's dict order, so entries go by name)."""
    theirs, ours = conns

    def entries(conn: Conn) -> dict[bytes, bytes]:
        reply = conn.call("COMMAND", "INFO", container)
        subs = reply.items[0].items[9].items
        return {sub.items[0].value or b"": sub.raw for sub in subs}

    redis_subs, ours_subs = entries(theirs), entries(ours)
    assert ours_subs, f"{container} has no subcommands"
    wrong = [n.decode() for n, raw in ours_subs.items() if redis_subs.get(n) != raw]
    assert not wrong, f"{container} subcommands differ: {wrong}"


@pytest.mark.parametrize("name", PUBSUB_AND_BLOCKING_COMMANDS)
def test_whole_command_info_of_pubsub_and_blocking_commands(conns, name: str) -> None:
    theirs, ours = conns
    a, b = theirs.call("COMMAND", "INFO", name), ours.call("COMMAND", "INFO", name)
    if name == "pubsub":  # subcommand order is redis's dict order: compare them as a set
        a_subs = sorted(i.raw for i in a.items[0].items[9].items)
        b_subs = sorted(i.raw for i in b.items[0].items[9].items)
        assert b_subs == a_subs
        assert b"".join(i.raw for i in b.items[0].items[:9]) == b"".join(
            i.raw for i in a.items[0].items[:9]
        )
        return
    assert b.raw == a.raw, f"\n    redis-server: {a.raw!r}\n    ours:         {b.raw!r}"


def _listed(conn: Conn, *args: str) -> set[bytes]:
    reply = conn.call("COMMAND", "LIST", *args)
    assert reply.kind == "*", reply.text()
    return {item.value or b"" for item in reply.items}


@pytest.mark.parametrize(
    "args",
    [
        ("FILTERBY", "PATTERN", "client|*"),
        ("FILTERBY", "PATTERN", "*sub*"),
        ("FILTERBY", "ACLCAT", "pubsub"),
        ("FILTERBY", "ACLCAT", "nosuchcategory"),
        ("FILTERBY", "MODULE", "nosuchmodule"),
    ],
)
def test_command_list_filters_match_redis(conns, args: tuple[str, ...]) -> None:
    """Subcommands are listed by their full names, filters see them too."""
    theirs, ours = conns
    assert _listed(ours, *args) - {b"client|setinfo"} == _listed(theirs, *args)


def test_command_list_names_are_redis_names(conns) -> None:
    theirs, ours = conns
    our_names, their_names = _listed(ours), _listed(theirs)
    assert b"client|kill" in our_names and b"config|get" in our_names
    extra = sorted(n.decode() for n in our_names - their_names)
    assert extra == ["client|setinfo"], extra  # redis-py's handshake needs it (7.2)
    missing = sorted(n.decode() for n in their_names - our_names)
    assert missing == [], missing  # every command and subcommand of redis 7.0
    for args in (("FILTERBY",), ("FILTERBY", "COLOR", "x"), ("x",)):
        assert ours.call("COMMAND", "LIST", *args).raw == theirs.call("COMMAND", "LIST", *args).raw


@pytest.fixture(scope="module")
def conns3(server_pair: ServerPair):
    """A RESP3 connection (HELLO 3) to each server."""
    theirs, ours = Conn(server_pair.theirs.port), Conn(server_pair.ours.port)
    try:
        for conn in (theirs, ours):
            hello = conn.call("HELLO", "3")
            assert hello.kind == "%", hello.text()[:200]
        yield theirs, ours
    finally:
        theirs.close()
        ours.close()


@pytest.fixture(scope="module")
def redis_names(conns) -> list[str]:
    """Every command and subcommand redis-server 7.0 has, by full name (COMMAND LIST)."""
    theirs, _ = conns
    names = sorted(n.decode() for n in _listed(theirs))
    assert len(names) > 300 and "client|kill" in names, names[:10]
    return names


Entry = tuple[bytes, tuple[bytes, ...], bytes, dict[bytes, bytes]]
"""One COMMAND DOCS entry: its map header, its fields but ``subcommands`` (key and value
bytes, in order), the subcommands map header and the subcommand entries by name."""


def _header(reply: Reply) -> bytes:
    return reply.raw[: reply.raw.index(b"\r\n") + 2]


def _entry(reply: Reply) -> Entry:
    fields: list[bytes] = []
    subs_header, subs = b"", {}
    for k, v in zip(reply.items[0::2], reply.items[1::2], strict=True):
        if k.value == b"subcommands":
            subs_header = _header(v)
            named = zip(v.items[0::2], v.items[1::2], strict=True)
            subs = {n.value or b"": d.raw for n, d in named}
            fields.append(k.raw)  # where it comes among the fields
        else:
            fields += [k.raw, v.raw]
    return _header(reply), tuple(fields), subs_header, subs


def _docs(reply: Reply) -> tuple[bytes, dict[bytes, Entry]]:
    """A COMMAND DOCS reply: its header and its entries by name (redis writes a
    container's subcommands, and every command for COMMAND DOCS alone, in its dict's
    order, so entries are compared by name)."""
    assert reply.kind in "*%", reply.text()[:200]
    named = zip(reply.items[0::2], reply.items[1::2], strict=True)
    return _header(reply), {n.raw: _entry(e) for n, e in named}


def _where(theirs: bytes, ours: bytes) -> str:
    """The two byte strings around the first place they differ."""
    pairs = enumerate(zip(theirs, ours, strict=False))
    at = next((i for i, (x, y) in pairs if x != y), min(len(theirs), len(ours)))
    start = max(at - 60, 0)
    return (
        f"at byte {at}:\n    redis-server: {theirs[start : at + 80]!r}"
        f"\n    ours:         {ours[start : at + 80]!r}"
    )


def _docs_difference(label: str, a: Reply, b: Reply) -> str | None:
    """Where our COMMAND DOCS reply ``b`` differs from redis-server's ``a``."""
    (head_a, entries_a), (head_b, entries_b) = _docs(a), _docs(b)
    if head_a != head_b or entries_a.keys() != entries_b.keys():
        names_a = {n.decode(errors="replace") for n in entries_a}
        names_b = {n.decode(errors="replace") for n in entries_b}
        return (
            f"{label}: redis-server {head_a!r}, ours {head_b!r}; ours lacks "
            f"{sorted(names_a - names_b)[:20]}, has more {sorted(names_b - names_a)[:20]}"
        )
    wrong: list[str] = []
    for name, (header, fields, subs_header, subs) in entries_a.items():
        header_b, fields_b, subs_header_b, subs_b = entries_b[name]
        if (header, fields, subs_header) != (header_b, fields_b, subs_header_b):
            theirs_raw = header + b"".join(fields) + subs_header
            ours_raw = header_b + b"".join(fields_b) + subs_header_b
            wrong.append(f"{label} {name!r} {_where(theirs_raw, ours_raw)}")
        for sub, raw in sorted(subs.items()):
            ours = subs_b.get(sub)
            if ours is None:
                wrong.append(f"{label} {sub!r}: not among our subcommands")
            elif ours != raw:
                wrong.append(f"{label} {sub!r} {_where(raw, ours)}")
        extra = sorted(subs_b.keys() - subs.keys())
        if extra:
            wrong.append(f"{label} {name!r}: subcommands redis does not list: {extra}")
    return "\n".join(wrong) or None


def test_command_docs_matches_redis(conns, conns3, redis_names: list[str]) -> None:
    """COMMAND DOCS of each command and subcommand redis-server has (COMMAND LIST), in
    RESP2 and RESP3: byte-identical but for the order of a container's subcommands."""
    wrong: list[str] = []
    for protocol, (theirs, ours) in (("RESP2", conns), ("RESP3", conns3)):
        for name in redis_names:
            a, b = theirs.call("COMMAND", "DOCS", name), ours.call("COMMAND", "DOCS", name)
            difference = _docs_difference(f"{protocol} {name}", a, b)
            if difference is not None:
                wrong.append(difference)
    assert not wrong, f"{len(wrong)} COMMAND DOCS differ:\n" + "\n".join(wrong)


def test_container_docs_match_redis(conns, conns3, redis_names: list[str]) -> None:
    """Every container (ACL, CLIENT, ... XINFO): its own fields exactly, every subcommand
    entry redis lists and none more (by name: redis lists them in its dict's order)."""
    containers = sorted({n.partition("|")[0] for n in redis_names if "|" in n})
    assert len(containers) >= 15 and "xinfo" in containers, containers
    wrong: list[str] = []
    for protocol, (theirs, ours) in (("RESP2", conns), ("RESP3", conns3)):
        for container in containers:
            a = theirs.call("COMMAND", "DOCS", container)
            b = ours.call("COMMAND", "DOCS", container)
            entries = list(_docs(a)[1].values())
            assert len(entries) == 1 and entries[0][3], f"{container}: {a.text()[:200]}"
            difference = _docs_difference(f"{protocol} {container}", a, b)
            if difference is not None:
                wrong.append(difference)
    assert not wrong, "container COMMAND DOCS differ:\n" + "\n".join(wrong)


def test_command_docs_without_names_lists_every_command(conns, conns3) -> None:
    """COMMAND DOCS alone: an entry for every command, each redis's (by name: redis
    writes them in its dict's order)."""
    wrong: list[str] = []
    for protocol, (theirs, ours) in (("RESP2", conns), ("RESP3", conns3)):
        a, b = theirs.call("COMMAND", "DOCS"), ours.call("COMMAND", "DOCS")
        assert len(_docs(a)[1]) > 200, a.text()[:200]
        difference = _docs_difference(f"{protocol} COMMAND DOCS", a, b)
        if difference is not None:
            wrong.append(difference)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "names",
    [
        ("nosuchcommand",),
        ("get", "nosuchcommand", "ZADD", "client|nosuch", "get|x", "config|get|x", ""),
        ("CONFIG|Get", "|", "client|", "xinfo|stream"),
    ],
    ids=" ".join,
)
def test_command_docs_skips_unknown_names(conns, conns3, names: tuple[str, ...]) -> None:
    """Unknown names are left out of the map (an empty map when none is known); the
    others come in the order asked."""
    for theirs, ours in (conns, conns3):
        a = theirs.call("COMMAND", "DOCS", *names)
        b = ours.call("COMMAND", "DOCS", *names)
        assert b.raw == a.raw, f"redis-server {a.text()[:300]}\nours         {b.text()[:300]}"
