"""Random and mutated byte streams thrown at a live server never take it down."""

from __future__ import annotations

import random
import socket

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.nodes.core.conftest import exchange
from tests.support.servers import ServerProcess

VALID = (
    b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n"
    b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"
    b"MULTI\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nEXEC\r\n"
    b"HELLO 3\r\nset \"a b\" 'c'\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
)


def mutate(data: bytes, rnd: random.Random, edits: int) -> bytes:
    buf = bytearray(data)
    for _ in range(edits):
        op = rnd.randrange(4)
        pos = rnd.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] = rnd.randrange(256)
        elif op == 1:
            buf[pos:pos] = bytes(
                rnd.choice(b"*$\r\n0123456789-+:") for _ in range(rnd.randrange(1, 4))
            )
        elif op == 2 and buf:
            del buf[pos : pos + rnd.randrange(1, 8)]
        else:
            buf[pos:pos] = rnd.choice([b"*99999999999\r\n", b"$-7\r\n", b"*1\r\n+x\r\n", b"\0"])
    return bytes(buf)


def answers_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        return sock.recv(16) == b"+PONG\r\n"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.binary(max_size=300), st.tuples(st.integers(0, 2**32), st.integers(1, 12))))
def test_server_survives_garbage_and_mutations(server: ServerProcess, case):
    if isinstance(case, bytes):
        data = case
    else:
        seed, edits = case
        data = mutate(VALID, random.Random(seed), edits)
    exchange(server.port, data, timeout=2.0)
    assert answers_ping(server.port), f"no PONG after {data!r}"
