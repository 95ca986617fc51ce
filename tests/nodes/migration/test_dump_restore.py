"""DUMP / RESTORE / MIGRATE: errors compared byte for byte with redis-server 7.0 (those
that do not depend on the payload format), round trips of every type on our node, AOF
propagation, DUMP bytes equal to redis-server's, and MIGRATE between our node and a
real redis-server both ways."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from nodes.migration.links import IDLE_MS, MAX_LINKS, TargetLinks
from nodes.rdb import payload as payloads
from nodes.rdb.crc64 import crc64
from tests.nodes.differential.conftest import ServerPair, start_pair
from tests.support.servers import ServerProcess, splitbrain_server

pytestmark = [pytest.mark.redis]


def _encode(*args: bytes | str | int) -> bytes:
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class Raw:
    """A RESP2 connection returning each reply's raw first line (and a bulk's body)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed"
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n: int) -> bytes:
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed"
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2 :]
        return data

    def _reply(self) -> bytes:
        line = self._line()
        if line[:1] == b"$" and line != b"$-1":
            return line[:1] + self._exact(int(line[1:]))
        if line[:1] == b"*" and line != b"*-1":
            return b"*" + b"|".join(self._reply() for _ in range(int(line[1:])))
        return line

    def call(self, *args: bytes | str | int) -> bytes:
        self.sock.sendall(_encode(*args))
        return self._reply()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPair]:
    yield from start_pair(tmp_path_factory.mktemp("dump"))


def _both(pair: ServerPair, *args: bytes | str | int) -> tuple[bytes, bytes]:
    theirs, ours = Raw(pair.theirs.port), Raw(pair.ours.port)
    try:
        return theirs.call(*args), ours.call(*args)
    finally:
        theirs.close()
        ours.close()


SAME_REPLY = [
    ("RESTORE", "dr:busy", 0, "x"),
    ("RESTORE", "dr:busy", 0, "x", "REPLACE"),
    ("RESTORE", "dr:new", 0, "x"),
    ("RESTORE", "dr:new", 0, ""),
    ("RESTORE", "dr:new", -1, "x"),
    ("RESTORE", "dr:new", "abc", "x"),
    ("RESTORE", "dr:busy", -1, "x"),
    ("RESTORE", "dr:new", 0, "x", "bogus"),
    ("RESTORE", "dr:busy", 0, "x", "bogus"),
    ("RESTORE", "dr:new", 0, "x", "IDLETIME", -1),
    ("RESTORE", "dr:new", 0, "x", "IDLETIME", "abc"),
    ("RESTORE", "dr:new", 0, "x", "IDLETIME"),
    ("RESTORE", "dr:new", 0, "x", "FREQ", 256),
    ("RESTORE", "dr:new", 0, "x", "FREQ", -1),
    ("RESTORE", "dr:new", 0, "x", "IDLETIME", 5, "FREQ", 3),
    ("RESTORE", "dr:new", 0, "x", "FREQ", 3, "IDLETIME", 5),
    ("RESTORE", "dr:new", 0, "x", "ABSTTL", "REPLACE", "IDLETIME", 10),
    ("RESTORE", "dr:new"),
    ("RESTORE", "dr:new", 0),
    ("RESTORE-ASKING", "dr:new", 0, "x"),
    ("RESTORE-ASKING", "dr:busy", 0, "x"),
    ("DUMP",),
    ("DUMP", "a", "b"),
    ("DUMP", "dr:missing"),
    ("MIGRATE", "127.0.0.1", 1, "dr:busy", 0, 100, "KEYS", "a"),
    ("MIGRATE", "127.0.0.1", 1, "dr:missing", 0, 100),
    ("MIGRATE", "127.0.0.1", 1, "", 0, 100, "KEYS", "dr:missing", "dr:missing2"),
    ("MIGRATE", "127.0.0.1", 1, "dr:busy", 0, 100, "bogus"),
    ("MIGRATE", "127.0.0.1", 1, "dr:busy", 0, 100, "AUTH"),
    ("MIGRATE", "127.0.0.1", 1, "dr:busy", 0, 100, "AUTH2", "user"),
    ("MIGRATE", "127.0.0.1", 1, "dr:busy", "x", 100),
    ("MIGRATE", "127.0.0.1", 1, "dr:busy", 0, "x"),
    ("MIGRATE", "127.0.0.1", 1, "dr:busy", 0),
]


@pytest.mark.parametrize("args", SAME_REPLY, ids=lambda a: " ".join(map(str, a)))
def test_same_reply_as_redis(pair: ServerPair, args: tuple[str | int, ...]):
    _both(pair, "SET", "dr:busy", "v")
    theirs, ours = _both(pair, *args)
    assert ours == theirs


def test_corrupted_payload_refused_like_redis(pair: ServerPair):
    _both(pair, "SET", "dr:src", "hello world")
    theirs_conn, ours_conn = Raw(pair.theirs.port), Raw(pair.ours.port)
    try:
        replies = []
        for conn in (theirs_conn, ours_conn):
            payload = conn.call("DUMP", "dr:src")[1:]
            for bad in (
                payload[:-1] + bytes([payload[-1] ^ 0x40]),  # checksum
                payload[:3] + bytes([payload[3] ^ 1]) + payload[4:],  # body
                payload[:-10],  # truncated
            ):
                replies.append(conn.call("RESTORE", "dr:corrupt", 0, bad))
            assert conn.call("EXISTS", "dr:corrupt") == b":0"
        assert replies == [b"-ERR DUMP payload version or checksum are wrong"] * 6
    finally:
        theirs_conn.close()
        ours_conn.close()


ROUND_TRIP = [
    (("SET", "rt", "a string"), ("GET", "rt")),
    (("RPUSH", "rt", "a", "b", "c", "a"), ("LRANGE", "rt", 0, -1)),
    (("HSET", "rt", "f1", "v1", "f2", "v2"), ("HGETALL", "rt")),
    (("SADD", "rt", "1", "2", "3"), ("SMEMBERS", "rt")),
    (("SADD", "rt", "x", "y"), ("SCARD", "rt")),
    (("ZADD", "rt", "1.5", "a", "-2", "b", "0", "c"), ("ZRANGE", "rt", 0, -1, "WITHSCORES")),
    (("SET", "rt", "x" * 100_000), ("STRLEN", "rt")),
]


@pytest.mark.parametrize(("fill", "read"), ROUND_TRIP, ids=lambda a: str(a[0]))
def test_round_trip_each_type(pair: ServerPair, fill: tuple[str, ...], read: tuple[str, ...]):
    for server in (pair.theirs, pair.ours):
        conn = Raw(server.port)
        try:
            conn.call("DEL", "rt", "rt2")
            conn.call(*fill)
            before = conn.call(*read)
            payload = conn.call("DUMP", "rt")[1:]
            assert conn.call("RESTORE", "rt2", 0, payload) == b"+OK"
            read2 = (read[0], "rt2", *read[2:])
            assert conn.call(*read2) == before
            assert conn.call("PTTL", "rt2") == b":-1"
            assert (
                conn.call("RESTORE", "rt2", 0, payload)
                == b"-BUSYKEY Target key name already exists."
            )
            assert conn.call("RESTORE", "rt2", 50_000, payload, "REPLACE") == b"+OK"
            pttl = int(conn.call("PTTL", "rt2")[1:])
            assert 40_000 < pttl <= 50_000
            # an absolute TTL in the past: OK, and the key is gone
            assert conn.call("RESTORE", "rt2", 1000, payload, "REPLACE", "ABSTTL") == b"+OK"
            assert conn.call("EXISTS", "rt2") == b":0"
        finally:
            conn.close()


FILLS = [
    ("SET", "mx:str", "a string value longer than twenty bytes, LZF-compressible " * 3),
    ("SET", "mx:int", "12345"),
    ("RPUSH", "mx:list", "a", "b", "3", "-7", "x" * 70),
    ("SADD", "mx:intset", "1", "2", "300000", "-5"),
    ("SADD", "mx:set", "x", "y", "z"),
    ("HSET", "mx:hash", "f1", "v1", "f2", "22"),
    ("ZADD", "mx:zset", "1.5", "a", "-2", "b", "0", "c", "3", "d"),
    ("PEXPIRE", "mx:str", 600_000),
]
READS = [
    ("GET", "mx:str"),
    ("GET", "mx:int"),
    ("LRANGE", "mx:list", 0, -1),
    ("SMEMBERS", "mx:intset"),
    ("SCARD", "mx:set"),
    ("HGETALL", "mx:hash"),
    ("ZRANGE", "mx:zset", 0, -1, "WITHSCORES"),
]
MX_KEYS = ["mx:str", "mx:int", "mx:list", "mx:intset", "mx:set", "mx:hash", "mx:zset"]


def test_dump_bytes_equal_redis_for_deterministic_encodings(pair: ServerPair):
    _both(pair, "DEL", *MX_KEYS)
    for fill in FILLS:
        _both(pair, *fill)
    for key in MX_KEYS:
        if key == "mx:set":
            continue  # a hash-table set: member order depends on the process
        theirs, ours = _both(pair, "DUMP", key)
        assert ours == theirs, key


def test_migrate_between_ours_and_redis_both_ways(pair: ServerPair):
    theirs, ours = Raw(pair.theirs.port), Raw(pair.ours.port)
    try:
        for conn in (theirs, ours):
            conn.call("DEL", *MX_KEYS)
        for fill in FILLS:
            ours.call(*fill)
        expected = [ours.call(*read) for read in READS]
        reply = ours.call("MIGRATE", "127.0.0.1", pair.theirs.port, "", 0, 5000, "KEYS", *MX_KEYS)
        assert reply == b"+OK"
        assert ours.call("EXISTS", *MX_KEYS) == b":0"
        assert [theirs.call(*read) for read in READS] == expected
        assert 0 < int(theirs.call("PTTL", "mx:str")[1:]) <= 600_000
        reply = theirs.call("MIGRATE", "127.0.0.1", pair.ours.port, "", 0, 5000, "KEYS", *MX_KEYS)
        assert reply == b"+OK"
        assert theirs.call("EXISTS", *MX_KEYS) == b":0"
        assert [ours.call(*read) for read in READS] == expected
        assert 0 < int(ours.call("PTTL", "mx:str")[1:]) <= 600_000
    finally:
        theirs.close()
        ours.close()


@pytest.fixture
def two_with_aof(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    args = ("--appendonly", "yes", "--appendfsync", "always")
    source = splitbrain_server(tmp_path / "source", args=args).start()
    target = splitbrain_server(tmp_path / "target", args=args)
    try:
        target.start()
        yield source, target
    finally:
        target.stop()
        source.stop()


def test_migrate_moves_atomically_and_propagates(two_with_aof: tuple[ServerProcess, ServerProcess]):
    source, target = two_with_aof
    src, dst = Raw(source.port), Raw(target.port)
    try:
        for i in range(30):
            src.call("SET", f"k{i}", f"v{i}")
        src.call("PEXPIRE", "k0", 600_000)
        src.call("RPUSH", "list", "a", "b")
        keys = [f"k{i}" for i in range(30)]
        reply = src.call("MIGRATE", "127.0.0.1", target.port, "", 0, 5000, "KEYS", *keys, "list")
        assert reply == b"+OK"
        assert src.call("DBSIZE") == b":0"
        assert dst.call("DBSIZE") == b":31"
        assert 0 < int(dst.call("PTTL", "k0")[1:]) <= 600_000
        # COPY keeps the source's key; without REPLACE the target refuses a busy key
        src.call("SET", "k1", "new")
        busy = src.call("MIGRATE", "127.0.0.1", target.port, "k1", 0, 5000, "COPY")
        assert busy == (
            b"-ERR Target instance replied with error: BUSYKEY Target key name already exists."
        )
        assert src.call("GET", "k1") == b"$new"
        assert src.call("MIGRATE", "127.0.0.1", target.port, "k1", 0, 5000, "REPLACE") == b"+OK"
        assert src.call("EXISTS", "k1") == b":0"
        assert dst.call("GET", "k1") == b"$new"
    finally:
        src.close()
        dst.close()
    # both AOFs replay to the same state: the source's DELs, the target's RESTOREs with
    # an absolute TTL
    source.stop()
    target.stop()
    source.start()
    target.start()
    src, dst = Raw(source.port), Raw(target.port)
    try:
        assert src.call("DBSIZE") == b":0"
        assert dst.call("DBSIZE") == b":31"
        assert dst.call("LRANGE", "list", 0, -1) == b"*$a|$b"
        assert 0 < int(dst.call("PTTL", "k0")[1:]) <= 600_000
        assert dst.call("GET", "k1") == b"$new"
    finally:
        src.close()
        dst.close()


def test_payload_format_units():
    payload = payloads.encode(b"abc")
    assert payload[:5] == b"\x00\x03abc"
    assert payload[-10:-8] == b"\x0a\x00"  # RDB version 10
    assert payloads.verify(payload)
    assert payloads.decode(payload) == b"abc"
    for cut in range(len(payload)):
        assert not payloads.verify(payload[:cut])
    newer = payload[:-10] + b"\x0b\x00"
    newer += crc64(newer).to_bytes(8, "little")
    assert not payloads.verify(newer)  # a version after ours
    # a checksum that matches a malformed body is "Bad data format", not a crash
    body = b"\x01\x05\x01a" + b"\x0a\x00"  # a list of 5 with one element
    forged = body + crc64(body).to_bytes(8, "little")
    assert payloads.verify(forged)
    with pytest.raises(payloads.BadPayload):
        payloads.decode(forged)


@pytest.fixture
def silent_target() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


def test_migrate_timeout_like_redis_and_key_kept(pair: ServerPair, silent_target: int):
    _both(pair, "SET", "dr:slow", "v")
    theirs, ours = _both(pair, "MIGRATE", "127.0.0.1", silent_target, "dr:slow", 0, 200)
    assert ours == theirs == b"-IOERR error or timeout reading to target instance"
    assert _both(pair, "GET", "dr:slow") == (b"$v", b"$v")


def test_target_links_cache_and_idle_close():
    now = [0]
    opened: list[socket.socket] = []

    def connect(host: str, port: int, timeout: float) -> socket.socket:
        a, b = socket.socketpair()
        opened.extend((a, b))
        return a

    links = TargetLinks(lambda: now[0], connect)
    try:
        first, fresh = links.get("127.0.0.1", 1, 1000)
        assert fresh
        again, fresh = links.get("127.0.0.1", 1, 1000)
        assert again is first and not fresh
        links.get("127.0.0.1", 2, 1000)
        now[0] = IDLE_MS // 2
        links.get("127.0.0.1", 2, 1000)
        now[0] = IDLE_MS + 1
        assert links.close_idle() == 1
        assert set(links.links) == {("127.0.0.1", 2)}
        for port in range(3, 3 + MAX_LINKS):
            now[0] += 1
            links.get("127.0.0.1", port, 1000)
        assert len(links.links) == MAX_LINKS
        assert ("127.0.0.1", 2) not in links.links  # the least recently used went
    finally:
        links.close_all()
        for sock in opened:
            sock.close()


@pytest.fixture
def protected_target(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    source = splitbrain_server(tmp_path / "source").start()
    target = splitbrain_server(tmp_path / "target", args=("--requirepass", "s3cret"))
    try:
        target.start()
        yield source, target
    finally:
        target.stop()
        source.stop()


def test_migrate_auth_and_auth2(protected_target: tuple[ServerProcess, ServerProcess]):
    source, target = protected_target
    src = Raw(source.port)
    try:
        for i in range(3):
            src.call("SET", f"a{i}", "v")
        port = target.port
        refused = src.call("MIGRATE", "127.0.0.1", port, "a0", 0, 2000)
        assert refused.startswith(b"-ERR Target instance replied with error: NOAUTH")
        wrong = src.call("MIGRATE", "127.0.0.1", port, "a0", 0, 2000, "AUTH", "nope")
        assert wrong.startswith(b"-ERR Target instance replied with error: WRONGPASS")
        assert src.call("EXISTS", "a0") == b":1"
        assert src.call("MIGRATE", "127.0.0.1", port, "a0", 0, 2000, "AUTH", "s3cret") == b"+OK"
        auth2 = ("AUTH2", "default", "s3cret")
        assert src.call("MIGRATE", "127.0.0.1", port, "a1", 0, 2000, *auth2) == b"+OK"
        assert src.call("DBSIZE") == b":1"
    finally:
        src.close()
    dst = Raw(target.port)
    try:
        assert dst.call("AUTH", "s3cret") == b"+OK"
        assert dst.call("DBSIZE") == b":2"
    finally:
        dst.close()
