"""Pure parts: the backlog window, the RDB snapshot, the stream parser."""

from __future__ import annotations

import itertools
from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nodes.aof import encode_command
from nodes.databases import Databases
from nodes.keyspace import Keyspace
from nodes.rdb.crc64 import crc64
from nodes.replication.backlog import Backlog
from nodes.replication.rdb import RdbError, encode_rdb, load_rdb
from nodes.replication.stream import StreamError, StreamParser, encoded_length


@given(
    size=st.integers(1, 4000),
    start=st.integers(0, 10**6),
    chunks=st.lists(st.binary(min_size=1, max_size=700), max_size=40),
)
def test_backlog_serves_exactly_the_bytes_it_still_holds(
    size: int, start: int, chunks: list[bytes]
) -> None:
    backlog = Backlog(size, start)
    stream = b"".join(chunks)
    for chunk in chunks:
        backlog.append(chunk)
    assert backlog.offset == start + len(stream)
    assert min(len(stream), size) <= backlog.histlen <= size + max(size // 8, 1024)
    assert backlog.first_byte_offset == backlog.offset - backlog.histlen + 1
    for wanted in range(start, backlog.offset + 3):
        if backlog.can_serve(wanted):
            # Offset n is the stream's byte n - start (1-based).
            assert backlog.tail_from(wanted) == stream[wanted - start - 1 :]
        else:
            assert wanted < backlog.first_byte_offset or wanted > backlog.offset + 1


def _databases(first: Keyspace, count: int = 16) -> Databases:
    return Databases(first, count, lambda db, key: None)


def _loaded(payload: bytes) -> Keyspace:
    keyspace = Keyspace(lambda: 1_000)
    load_rdb(_databases(keyspace), payload)
    return keyspace


def test_rdb_round_trip_and_damage() -> None:
    keyspace = Keyspace(lambda: 1_000)
    keyspace.set(b"s", b"v\r\nwith crlf")
    keyspace.set(b"l", deque([b"a", b"b"]))
    keyspace.set(b"h", {b"f": b"1"})
    keyspace.set(b"t", b"x" * 20_000)
    keyspace.set_expire_at(b"t", 5_000)
    payload = encode_rdb(_databases(keyspace), "a" * 40, 7, 1_000)
    assert payload.startswith(b"REDIS0010")
    assert b"repl-id" in payload
    loaded = _loaded(payload)
    assert loaded.data == keyspace.data
    assert loaded.expires == {b"t": 5_000}
    with pytest.raises(RdbError, match="checksum mismatch"):
        _loaded(payload[:60] + b"X" + payload[61:])
    with pytest.raises(RdbError):
        _loaded(payload[:-3])
    with pytest.raises(RdbError, match="wrong signature"):
        _loaded(b"SBSNAP1\n" + payload)
    assert _loaded(encode_rdb(_databases(Keyspace(lambda: 0)), "b" * 40, 0, 0)).data == {}
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA


def test_every_database_travels_and_a_server_without_it_refuses() -> None:
    source = _databases(Keyspace(lambda: 1_000))
    source.get(0).set(b"zero", b"0")
    source.get(3).set(b"three", b"3")
    source.get(3).set_expire_at(b"three", 9_000)
    source.get(15).set(b"last", deque([b"x"]))
    source.get(7)  # made but empty: left out of the file
    payload = encode_rdb(source, "d" * 40, 1, 1_000)
    assert payload.count(b"\xfe") >= 3
    target = _databases(Keyspace(lambda: 1_000))
    target.get(5).set(b"stale", b"gone")
    assert load_rdb(target, payload) == 3
    assert {i: dict(ks.data) for i, ks in target.live() if len(ks)} == {
        0: {b"zero": b"0"},
        3: {b"three": b"3"},
        15: {b"last": deque([b"x"])},
    }
    assert target.get(3).expires == {b"three": 9_000}
    cluster_like = _databases(Keyspace(lambda: 1_000), count=1)
    cluster_like.get(0).set(b"kept", b"1")
    with pytest.raises(RdbError, match="more than 1 databases"):
        load_rdb(cluster_like, payload)
    assert cluster_like.get(0).data == {b"kept": b"1"}  # nothing touched


@given(
    commands=st.lists(st.lists(st.binary(max_size=30), min_size=1, max_size=5), max_size=20),
    cuts=st.lists(st.integers(0, 2000), max_size=8),
)
def test_stream_parser_keeps_each_commands_exact_bytes(
    commands: list[list[bytes]], cuts: list[int]
) -> None:
    stream = b"".join(encode_command(argv) for argv in commands)
    assert sum(encoded_length(argv) for argv in commands) == len(stream)
    parser = StreamParser()
    got: list[list[bytes]] = []
    taken = b""
    points = sorted({c for c in cuts if c < len(stream)} | {0, len(stream)})
    for start, end in itertools.pairwise(points):
        got += parser.feed(stream[start:end])
        taken += parser.take()
    assert got == commands
    assert taken == stream
    assert parser.buffered == 0


def test_stream_parser_refuses_what_is_not_a_command() -> None:
    with pytest.raises(StreamError):
        StreamParser().feed(b"+OK\r\n")
    with pytest.raises(StreamError):
        StreamParser().feed(b"*1\r\n$x\r\n")


@given(
    strings=st.dictionaries(st.binary(min_size=1, max_size=20), st.binary(max_size=300)),
    lists=st.dictionaries(
        st.binary(min_size=1, max_size=20), st.lists(st.binary(max_size=50), min_size=1)
    ),
    expiries=st.lists(st.integers(2_000, 2**50), max_size=5),
)
def test_rdb_round_trips_any_strings_lists_and_expiries(
    strings: dict[bytes, bytes], lists: dict[bytes, list[bytes]], expiries: list[int]
) -> None:
    keyspace = Keyspace(lambda: 1_000)
    for key, value in strings.items():
        keyspace.set(b"s:" + key, value)
    for key, items in lists.items():
        keyspace.set(b"l:" + key, deque(items))
    keys = list(keyspace.data)
    for key, when in zip(keys, expiries, strict=False):
        keyspace.set_expire_at(key, when)
    loaded = _loaded(encode_rdb(_databases(keyspace), "c" * 40, 1, 1_000))
    assert loaded.data == keyspace.data
    assert loaded.expires == keyspace.expires
