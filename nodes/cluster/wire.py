"""The Redis 7.0 cluster bus packet format: encode and strictly decode.

Every packet is a 2256-byte header (``HEADER``) followed by a body whose length is fixed
by the type. A decoder that accepts a packet whose ``totlen`` is not exactly what its type
and counts imply would let a peer desynchronise the stream, so :func:`decode` refuses
those with a :class:`WireError` naming the reason; the transport closes the link.
All integers are big-endian; slot bitmaps keep Redis's bit order (slot ``j`` is bit
``j & 7`` of byte ``j >> 3``), which is exactly a little-endian integer whose bit ``j``
is slot ``j``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag

SIGNATURE = b"RCmb"
PROTOCOL_VERSION = 1
NAME_LEN = 40
IP_LEN = 46
SLOT_BITMAP_LEN = 2048
HEADER = struct.Struct(">4sIHHHHQQQ40s2048s40s46sH30sHHHB3s")
GOSSIP = struct.Struct(">40sII46sHHHHH")
EXT_HEADER = struct.Struct(">IHH")
UPDATE = struct.Struct(">Q40s2048s")
PUBLISH_LENGTHS = struct.Struct(">II")
MODULE_HEADER = struct.Struct(">QIB")
HEADER_LEN = HEADER.size  # 2256
NULL_NAME = b"\x00" * NAME_LEN
MAX_PACKET = 1 << 26  # refuse absurd lengths before buffering them


class MessageType(IntEnum):
    PING = 0
    PONG = 1
    MEET = 2
    FAIL = 3
    PUBLISH = 4
    FAILOVER_AUTH_REQUEST = 5
    FAILOVER_AUTH_ACK = 6
    UPDATE = 7
    MFSTART = 8
    MODULE = 9
    PUBLISHSHARD = 10

    @property
    def stats_name(self) -> str:
        """The name CLUSTER INFO uses in ``cluster_stats_messages_<name>_sent``."""
        return _STATS_NAMES[self]


_STATS_NAMES = {
    MessageType.PING: "ping",
    MessageType.PONG: "pong",
    MessageType.MEET: "meet",
    MessageType.FAIL: "fail",
    MessageType.PUBLISH: "publish",
    MessageType.PUBLISHSHARD: "publishshard",
    MessageType.FAILOVER_AUTH_REQUEST: "auth-req",
    MessageType.FAILOVER_AUTH_ACK: "auth-ack",
    MessageType.UPDATE: "update",
    MessageType.MFSTART: "mfstart",
    MessageType.MODULE: "module",
}


class NodeFlag(IntFlag):
    NONE = 0
    MASTER = 1
    SLAVE = 2
    PFAIL = 4
    FAIL = 8
    MYSELF = 16
    HANDSHAKE = 32
    NOADDR = 64
    MEET = 128
    MIGRATE_TO = 256
    NOFAILOVER = 512


class MessageFlag(IntFlag):
    """Bits of ``mflags[0]``."""

    NONE = 0
    PAUSED = 1
    FORCEACK = 2
    EXT_DATA = 4


class ClusterHealth(IntEnum):
    """The ``state`` byte of the header (and ``cluster_state`` in CLUSTER INFO)."""

    OK = 0
    FAIL = 1


EXT_HOSTNAME = 0


class WireError(Exception):
    """A packet that is not a valid Redis 7.0 cluster bus message (the peer's fault)."""


class BadSignature(WireError):
    pass


class BadLength(WireError):
    pass


class BadVersion(WireError):
    pass


class UnknownType(WireError):
    pass


@dataclass(frozen=True, slots=True)
class GossipEntry:
    node_id: str
    ping_sent: int  # seconds
    pong_received: int  # seconds
    ip: str
    port: int
    cport: int
    flags: NodeFlag
    pport: int = 0


@dataclass(frozen=True, slots=True)
class Extension:
    """One ping extension; 7.0 defines only the hostname (type 0)."""

    type: int
    payload: bytes

    @staticmethod
    def hostname(name: str) -> Extension:
        raw = name.encode() + b"\x00"
        return Extension(EXT_HOSTNAME, raw.ljust(_pad8(len(raw)), b"\x00"))

    def hostname_value(self) -> str:
        return self.payload.split(b"\x00", 1)[0].decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class GossipBody:
    """PING, PONG and MEET: gossip entries then ping extensions."""

    entries: tuple[GossipEntry, ...] = ()
    extensions: tuple[Extension, ...] = ()


@dataclass(frozen=True, slots=True)
class FailBody:
    node_id: str


@dataclass(frozen=True, slots=True)
class PublishBody:
    channel: bytes
    message: bytes


@dataclass(frozen=True, slots=True)
class UpdateBody:
    config_epoch: int
    node_id: str
    slots: int  # bitmask: bit j = slot j


@dataclass(frozen=True, slots=True)
class ModuleBody:
    module_id: int
    module_type: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class EmptyBody:
    """FAILOVER_AUTH_REQUEST, FAILOVER_AUTH_ACK, MFSTART."""


Body = GossipBody | FailBody | PublishBody | UpdateBody | ModuleBody | EmptyBody


@dataclass(frozen=True, slots=True)
class Message:
    type: MessageType
    sender: str
    current_epoch: int = 0
    config_epoch: int = 0
    offset: int = 0
    myslots: int = 0
    slaveof: str | None = None
    myip: str = ""
    port: int = 0
    pport: int = 0
    cport: int = 0
    flags: NodeFlag = NodeFlag.NONE
    state: ClusterHealth = ClusterHealth.OK
    mflags: MessageFlag = MessageFlag.NONE
    body: Body = field(default_factory=EmptyBody)


def slots_to_bitmap(mask: int) -> bytes:
    return mask.to_bytes(SLOT_BITMAP_LEN, "little")


def bitmap_to_slots(bitmap: bytes) -> int:
    return int.from_bytes(bitmap, "little")


def _cstr(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("latin-1")


def _name(raw: bytes) -> str:
    return raw.decode("latin-1")


def _name_bytes(name: str) -> bytes:
    raw = name.encode("latin-1")
    if len(raw) != NAME_LEN:
        raise ValueError(f"node id must be {NAME_LEN} bytes, got {len(raw)}: {name!r}")
    return raw


def _ip_bytes(ip: str) -> bytes:
    raw = ip.encode("latin-1")
    if len(raw) >= IP_LEN:
        raise ValueError(f"ip too long for the bus: {ip!r}")
    return raw


def _pad8(n: int) -> int:
    return (n + 7) & ~7


def _encode_body(body: Body) -> tuple[int, int, bytes]:
    """(count, extension count, body bytes)."""
    if isinstance(body, GossipBody):
        parts = [
            GOSSIP.pack(
                _name_bytes(g.node_id),
                g.ping_sent,
                g.pong_received,
                _ip_bytes(g.ip),
                g.port,
                g.cport,
                int(g.flags),
                g.pport,
                0,
            )
            for g in body.entries
        ]
        for ext in body.extensions:
            size = EXT_HEADER.size + _pad8(len(ext.payload))
            parts.append(EXT_HEADER.pack(size, ext.type, 0))
            parts.append(ext.payload.ljust(_pad8(len(ext.payload)), b"\x00"))
        return len(body.entries), len(body.extensions), b"".join(parts)
    if isinstance(body, FailBody):
        return 0, 0, _name_bytes(body.node_id)
    if isinstance(body, PublishBody):
        data = PUBLISH_LENGTHS.pack(len(body.channel), len(body.message))
        return 0, 0, data + body.channel + body.message
    if isinstance(body, UpdateBody):
        return (
            0,
            0,
            UPDATE.pack(body.config_epoch, _name_bytes(body.node_id), slots_to_bitmap(body.slots)),
        )
    if isinstance(body, ModuleBody):
        head = MODULE_HEADER.pack(body.module_id, len(body.payload), body.module_type)
        return 0, 0, head + body.payload
    return 0, 0, b""


def encode(msg: Message) -> bytes:
    """The wire bytes of ``msg`` (totlen and counts computed here)."""
    count, extensions, body = _encode_body(msg.body)
    mflags = msg.mflags
    if extensions:
        mflags |= MessageFlag.EXT_DATA
    header = HEADER.pack(
        SIGNATURE,
        HEADER_LEN + len(body),
        PROTOCOL_VERSION,
        msg.port,
        int(msg.type),
        count,
        msg.current_epoch,
        msg.config_epoch,
        msg.offset,
        _name_bytes(msg.sender),
        slots_to_bitmap(msg.myslots),
        NULL_NAME if msg.slaveof is None else _name_bytes(msg.slaveof),
        _ip_bytes(msg.myip),
        extensions,
        b"",
        msg.pport,
        msg.cport,
        int(msg.flags) & 0xFFFF,
        int(msg.state),
        bytes([int(mflags), 0, 0]),
    )
    return header + body


def frame_length(prefix: bytes) -> int:
    """The total length announced by the first 8 bytes of a packet (signature checked)."""
    if len(prefix) < 8:
        raise BadLength(f"need 8 bytes to frame a packet, got {len(prefix)}")
    if prefix[:4] != SIGNATURE:
        raise BadSignature(f"bad signature {prefix[:4]!r}")
    (totlen,) = struct.unpack_from(">I", prefix, 4)
    if totlen < HEADER_LEN or totlen > MAX_PACKET:
        raise BadLength(f"totlen {totlen} out of range")
    return int(totlen)


def _decode_gossip(data: bytes, count: int, ext_count: int, has_ext: bool) -> GossipBody:
    need = count * GOSSIP.size
    if len(data) < need:
        raise BadLength(f"{count} gossip entries need {need} bytes, body has {len(data)}")
    entries = []
    for i in range(count):
        name, ping, pong, ip, port, cport, flags, pport, _ = GOSSIP.unpack_from(
            data, i * GOSSIP.size
        )
        entries.append(
            GossipEntry(_name(name), ping, pong, _cstr(ip), port, cport, NodeFlag(flags), pport)
        )
    pos = need
    extensions = []
    if has_ext:
        for _ in range(ext_count):
            if len(data) - pos < EXT_HEADER.size:
                raise BadLength("truncated ping extension header")
            length, ext_type, _pad = EXT_HEADER.unpack_from(data, pos)
            if length % 8 != 0 or length < EXT_HEADER.size:
                raise BadLength(f"ping extension length {length} is not padded to 8")
            if length > len(data) - pos:
                raise BadLength("ping extension runs past the packet")
            extensions.append(Extension(ext_type, data[pos + EXT_HEADER.size : pos + length]))
            pos += length
    if pos != len(data):
        raise BadLength(f"gossip body is {len(data)} bytes, expected {pos}")
    return GossipBody(tuple(entries), tuple(extensions))


def _decode_body(mtype: MessageType, data: bytes, count: int, ext: int, mflags: int) -> Body:
    if mtype in (MessageType.PING, MessageType.PONG, MessageType.MEET):
        return _decode_gossip(data, count, ext, bool(mflags & MessageFlag.EXT_DATA))
    if mtype is MessageType.FAIL:
        if len(data) != NAME_LEN:
            raise BadLength(f"FAIL body is {len(data)} bytes, expected {NAME_LEN}")
        return FailBody(_name(data))
    if mtype in (MessageType.PUBLISH, MessageType.PUBLISHSHARD):
        if len(data) < PUBLISH_LENGTHS.size:
            raise BadLength("truncated PUBLISH body")
        clen, mlen = PUBLISH_LENGTHS.unpack_from(data)
        if len(data) != PUBLISH_LENGTHS.size + clen + mlen:
            raise BadLength(f"PUBLISH body is {len(data)} bytes, expected {8 + clen + mlen}")
        return PublishBody(data[8 : 8 + clen], data[8 + clen :])
    if mtype in (
        MessageType.FAILOVER_AUTH_REQUEST,
        MessageType.FAILOVER_AUTH_ACK,
        MessageType.MFSTART,
    ):
        if data:
            raise BadLength(f"{mtype.name} carries {len(data)} unexpected body bytes")
        return EmptyBody()
    if mtype is MessageType.UPDATE:
        if len(data) != UPDATE.size:
            raise BadLength(f"UPDATE body is {len(data)} bytes, expected {UPDATE.size}")
        epoch, name, bitmap = UPDATE.unpack(data)
        return UpdateBody(epoch, _name(name), bitmap_to_slots(bitmap))
    # MODULE
    if len(data) < MODULE_HEADER.size:
        raise BadLength("truncated MODULE body")
    module_id, length, module_type = MODULE_HEADER.unpack_from(data)
    if len(data) != MODULE_HEADER.size + length:
        raise BadLength(f"MODULE body is {len(data)} bytes, expected {13 + length}")
    return ModuleBody(module_id, module_type, data[MODULE_HEADER.size :])


def decode(data: bytes) -> Message:
    """Parse one whole packet; raise a :class:`WireError` unless it is exactly well formed."""
    if len(data) < HEADER_LEN:
        raise BadLength(f"packet of {len(data)} bytes is shorter than the {HEADER_LEN} header")
    (
        sig,
        totlen,
        ver,
        port,
        mtype,
        count,
        current_epoch,
        config_epoch,
        offset,
        sender,
        myslots,
        slaveof,
        myip,
        extensions,
        _reserved,
        pport,
        cport,
        flags,
        state,
        mflags,
    ) = HEADER.unpack_from(data)
    if sig != SIGNATURE:
        raise BadSignature(f"bad signature {sig!r}")
    if totlen != len(data):
        raise BadLength(f"totlen {totlen} but packet is {len(data)} bytes")
    if ver != PROTOCOL_VERSION:
        raise BadVersion(f"protocol version {ver}")
    try:
        kind = MessageType(mtype)
    except ValueError:
        raise UnknownType(f"unknown message type {mtype}") from None
    body = _decode_body(kind, data[HEADER_LEN:], count, extensions, mflags[0])
    return Message(
        type=kind,
        sender=_name(sender),
        current_epoch=current_epoch,
        config_epoch=config_epoch,
        offset=offset,
        myslots=bitmap_to_slots(myslots),
        slaveof=None if slaveof == NULL_NAME else _name(slaveof),
        myip=_cstr(myip),
        port=port,
        pport=pport,
        cport=cport,
        flags=NodeFlag(flags),
        state=ClusterHealth.FAIL if state else ClusterHealth.OK,
        mflags=MessageFlag(mflags[0] & 0x7),
        body=body,
    )
