"""Differential fuzzing of the wire protocol: mutated request streams get byte-identical
answers (including ``-ERR Protocol error: ...`` and where the connection closes) from
splitbrain-server and redis-server 7.0."""

from __future__ import annotations

import random
import re
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.nodes.core.conftest import exchange
from tests.support.servers import ServerProcess

COMMANDS = [
    b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n",
    b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n",
    b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
    b"*1\r\n$5\r\nMULTI\r\n",
    b"*1\r\n$4\r\nEXEC\r\n",
    b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n",
    b"PING\r\n",
    b"ECHO \"a b\" 'c'\r\n",
    b"*3\r\n$4\r\nMGET\r\n$1\r\nk\r\n$1\r\nn\r\n",
    b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n",
    b"HELLO 2\r\n",
    b"*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$3\r\n1.5\r\n",
    b"*3\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$3\r\n100\r\n",
    b"*2\r\n$3\r\nTTL\r\n$1\r\nk\r\n",
]
_CLIENT_ID = re.compile(rb"(\$2\r\nid\r\n):\d+\r\n")


def same_up_to_client_ids(data: bytes) -> bytes:
    """HELLO's ``id`` is a per-server counter."""
    return _CLIENT_ID.sub(rb"\1:ID\r\n", data)


FRAMING = b"*$:+-\r\n0123456789 \"'"


def mutate(rnd: random.Random, edits: int) -> bytes:
    buf = bytearray(b"".join(rnd.choice(COMMANDS) for _ in range(rnd.randrange(1, 6))))
    for _ in range(edits):
        pos = rnd.randrange(len(buf) + 1)
        op = rnd.randrange(5)
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] = rnd.choice(FRAMING)
        elif op == 1:
            buf[pos:pos] = bytes([rnd.choice(FRAMING)])
        elif op == 2 and buf:
            del buf[pos : pos + rnd.randrange(1, 4)]
        elif op == 3:
            buf = buf[:pos]
        else:
            buf[pos:pos] = rnd.choice(COMMANDS)
    return bytes(buf)


@pytest.mark.redis
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.tuples(st.integers(0, 2**32), st.integers(1, 6)), st.binary(max_size=120)))
def test_mutated_streams_get_the_same_bytes_as_redis(
    server: ServerProcess, real_redis: ServerProcess, case
):
    data = case if isinstance(case, bytes) else mutate(random.Random(case[0]), case[1])
    for port in (server.port, real_redis.port):
        assert exchange(port, b"FLUSHALL\r\n") == b"+OK\r\n"
    ours = same_up_to_client_ids(exchange(server.port, data))
    theirs = same_up_to_client_ids(exchange(real_redis.port, data))
    assert ours == theirs, f"request {data!r}"


@pytest.mark.redis
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 2**32), st.integers(0, 4), st.lists(st.integers(1, 40), max_size=8))
def test_answers_do_not_depend_on_how_the_stream_is_split(
    server: ServerProcess, real_redis: ServerProcess, seed, edits, cuts
):
    data = mutate(random.Random(seed), edits)
    for port in (server.port, real_redis.port):
        assert exchange(port, b"FLUSHALL\r\n") == b"+OK\r\n"
    ours = same_up_to_client_ids(exchange_in_pieces(server.port, data, cuts))
    theirs = same_up_to_client_ids(exchange(real_redis.port, data))
    assert ours == theirs, f"request {data!r} cut at {cuts}"


def exchange_in_pieces(port: int, data: bytes, cuts: list[int]) -> bytes:
    """Like ``exchange``, but written in several ``send`` calls (Nagle off), so the server
    sees partial commands, and switches between hiredis and our parser mid-stream."""
    with socket.create_connection(("127.0.0.1", port), timeout=2.0) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pos = 0
        try:
            for cut in cuts:
                sock.sendall(data[pos : pos + cut])
                pos += cut
            sock.sendall(data[pos:])
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server closed after a protocol error: read what it said
            pass
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return out


def test_mutation_covers_protocol_errors():
    rnd = random.Random(7)
    streams = [mutate(rnd, 3) for _ in range(200)]
    assert any(re.search(rb"\*[0-9]*[^0-9\r\n]", s) for s in streams)
