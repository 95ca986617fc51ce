"""The bus packet codec: round-trips, exact sizes, and strict rejection of bad packets."""

from __future__ import annotations

import contextlib
import dataclasses
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodes.cluster import wire
from nodes.cluster.wire import (
    ClusterHealth,
    EmptyBody,
    Extension,
    FailBody,
    GossipBody,
    GossipEntry,
    Message,
    MessageFlag,
    MessageType,
    NodeFlag,
    PublishBody,
    UpdateBody,
    WireError,
)

names = st.text(alphabet="0123456789abcdef", min_size=40, max_size=40)
ips = st.sampled_from(["", "127.0.0.1", "10.1.2.3", "::1", "fe80::1"])
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
u64 = st.integers(0, 2**64 - 1)
flags = st.builds(NodeFlag, st.integers(0, 1023))
entries = st.builds(GossipEntry, names, u32, u32, ips, u16, u16, flags, u16)
extensions = st.builds(Extension.hostname, st.text(alphabet="abcxyz.-0123", max_size=30))
gossip_bodies = st.builds(
    GossipBody,
    st.lists(entries, max_size=5).map(tuple),
    st.lists(extensions, max_size=2).map(tuple),
)
bodies = st.one_of(
    gossip_bodies,
    st.builds(FailBody, names),
    st.builds(PublishBody, st.binary(max_size=40), st.binary(max_size=40)),
    st.builds(UpdateBody, u64, names, st.integers(0, (1 << 16384) - 1)),
    st.just(EmptyBody()),
)
TYPES_FOR = {
    GossipBody: [MessageType.PING, MessageType.PONG, MessageType.MEET],
    FailBody: [MessageType.FAIL],
    PublishBody: [MessageType.PUBLISH, MessageType.PUBLISHSHARD],
    UpdateBody: [MessageType.UPDATE],
    EmptyBody: [
        MessageType.FAILOVER_AUTH_REQUEST,
        MessageType.FAILOVER_AUTH_ACK,
        MessageType.MFSTART,
    ],
}


@st.composite
def messages(draw: st.DrawFn) -> Message:
    body = draw(bodies)
    mtype = draw(st.sampled_from(TYPES_FOR[type(body)]))
    return Message(
        type=mtype,
        sender=draw(names),
        current_epoch=draw(u64),
        config_epoch=draw(u64),
        offset=draw(u64),
        myslots=draw(st.integers(0, (1 << 16384) - 1)),
        slaveof=draw(st.one_of(st.none(), names)),
        myip=draw(ips),
        port=draw(u16),
        pport=draw(u16),
        cport=draw(u16),
        flags=draw(flags),
        state=draw(st.sampled_from(ClusterHealth)),
        mflags=draw(st.sampled_from([MessageFlag.NONE, MessageFlag.PAUSED, MessageFlag.FORCEACK])),
        body=body,
    )


def test_sizes_match_redis():
    assert wire.HEADER_LEN == 2256
    assert wire.GOSSIP.size == 104
    ping = wire.encode(Message(MessageType.PING, "a" * 40))
    assert len(ping) == 2256 and ping[:4] == b"RCmb"
    fail = wire.encode(Message(MessageType.FAIL, "a" * 40, body=FailBody("b" * 40)))
    assert len(fail) == 2256 + 40
    update = wire.encode(Message(MessageType.UPDATE, "a" * 40, body=UpdateBody(3, "b" * 40, 1)))
    assert len(update) == 2256 + 8 + 40 + 2048


def test_slot_bitmap_bit_order_is_redis():
    raw = wire.encode(Message(MessageType.PING, "a" * 40, myslots=(1 << 0) | (1 << 9)))
    bitmap = raw[80 : 80 + 2048]
    assert bitmap[0] == 0b1 and bitmap[1] == 0b10


def test_hostname_extension_layout():
    msg = Message(MessageType.PING, "a" * 40, body=GossipBody((), (Extension.hostname("host-1"),)))
    raw = wire.encode(msg)
    ext = raw[2256:]
    assert struct.unpack(">IHH", ext[:8]) == (16, 0, 0)
    assert ext[8:] == b"host-1\x00\x00"
    assert raw[2253] & MessageFlag.EXT_DATA
    assert wire.decode(raw).body == msg.body


@settings(max_examples=150, deadline=None)
@given(messages())
def test_round_trip(msg):
    raw = wire.encode(msg)
    decoded = wire.decode(raw)
    if isinstance(msg.body, GossipBody) and msg.body.extensions:
        assert decoded.mflags == msg.mflags | MessageFlag.EXT_DATA
        decoded = dataclasses.replace(decoded, mflags=msg.mflags)
    assert decoded == msg
    assert wire.encode(decoded) == raw


@settings(max_examples=200, deadline=None)
@given(messages(), st.data())
def test_mutated_length_is_rejected(msg, data):
    raw = wire.encode(msg)
    cut = data.draw(st.integers(0, len(raw) - 1))
    with pytest.raises(WireError):
        wire.decode(raw[:cut])
    extra = data.draw(st.binary(min_size=1, max_size=200))
    longer = raw + extra
    # even with totlen patched to match, the body length is wrong for the type
    patched = longer[:4] + struct.pack(">I", len(longer)) + longer[8:]
    with pytest.raises(WireError):
        wire.decode(patched)


@settings(max_examples=200, deadline=None)
@given(messages(), st.data())
def test_random_byte_flips_never_crash(msg, data):
    raw = bytearray(wire.encode(msg))
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    with contextlib.suppress(WireError):
        wire.decode(bytes(raw))


def test_unknown_type_signature_and_version_rejected():
    raw = bytearray(wire.encode(Message(MessageType.PING, "a" * 40)))
    bad_type = bytes(raw[:12]) + struct.pack(">H", 77) + bytes(raw[14:])
    with pytest.raises(wire.UnknownType):
        wire.decode(bad_type)
    with pytest.raises(wire.BadSignature):
        wire.decode(b"XXXX" + bytes(raw[4:]))
    with pytest.raises(wire.BadVersion):
        wire.decode(bytes(raw[:8]) + struct.pack(">H", 2) + bytes(raw[10:]))
    with pytest.raises(wire.BadLength):
        wire.frame_length(b"RCmb" + struct.pack(">I", 100))
    assert wire.frame_length(bytes(raw[:8])) == 2256
