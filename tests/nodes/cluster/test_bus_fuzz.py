"""Bad input on the bus port of a live node: dropped, logged once, the node keeps serving."""

from __future__ import annotations

import contextlib
import socket
import struct

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nodes.cluster import wire
from nodes.cluster.wire import FailBody, GossipBody, GossipEntry, Message, MessageType, NodeFlag
from tests.nodes.cluster.conftest import Nodes, cluster_info, command
from tests.support.servers import ping

pytestmark = [pytest.mark.slow]

SENDER = "f" * 40
SEEDS = [
    wire.encode(Message(MessageType.PING, SENDER, port=1, cport=1)),
    wire.encode(
        Message(
            MessageType.PONG,
            SENDER,
            body=GossipBody((GossipEntry("e" * 40, 0, 0, "", 1, 1, NodeFlag.MASTER),)),
        )
    ),
    wire.encode(Message(MessageType.FAIL, SENDER, body=FailBody("e" * 40))),
    wire.encode(Message(MessageType.FAILOVER_AUTH_ACK, SENDER)),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    kind = draw(st.sampled_from(["flip", "truncate", "totlen", "type", "garbage", "append"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 16))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    elif kind == "truncate":
        raw = raw[: draw(st.integers(0, len(raw) - 1))]
    elif kind == "totlen":
        raw[4:8] = struct.pack(">I", draw(st.integers(0, 2**32 - 1)))
    elif kind == "type":
        raw[12:14] = struct.pack(">H", draw(st.integers(0, 0xFFFF)))
    elif kind == "garbage":
        raw = bytearray(draw(st.binary(min_size=1, max_size=3000)))
    else:
        extra = draw(st.binary(min_size=1, max_size=300))
        raw += extra
        raw[4:8] = struct.pack(">I", len(raw))
    data = bytes(raw)
    # never send a well-formed MEET: it would make the node connect to an address we chose
    with contextlib.suppress(wire.WireError):
        assume(wire.decode(data).type is not MessageType.MEET)
    return data


def _throw(port: int, data: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(0.5)
        try:
            while sock.recv(65536):
                pass
        except (TimeoutError, ConnectionResetError):
            pass


def test_mutated_packets_do_not_hurt_a_live_node(nodes: Nodes):
    server = nodes.ours(1)[0]
    bus_port = server.port + 10000

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(mutated())
    def throw(data: bytes) -> None:
        _throw(bus_port, data)

    throw()
    assert ping(server.port)
    assert cluster_info(server)["cluster_known_nodes"] == "1"
    assert command(server, "CLUSTER", "MYID")
    log = server.output()
    assert "Traceback" not in log
    assert log.count("bad packet") + log.count("bad data") == 1  # once per peer
    # a valid PING still gets its PONG on the same connection
    with socket.create_connection(("127.0.0.1", bus_port), timeout=2) as sock:
        sock.sendall(SEEDS[0])
        header = b""
        while len(header) < wire.HEADER_LEN:
            chunk = sock.recv(wire.HEADER_LEN - len(header))
            assert chunk, "the node closed the link instead of answering PONG"
            header += chunk
    reply = wire.decode(header[: wire.frame_length(header[:8])])
    assert reply.type is MessageType.PONG
