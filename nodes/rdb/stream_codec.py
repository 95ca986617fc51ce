"""Streams in RDB: type 19 (``RDB_TYPE_STREAM_LISTPACKS_2``, what redis 7.0 writes), and
type 15 (redis 5/6) read too.

Layout (``rdbSaveObject``): the number of nodes, then per node its master ID (16 bytes
big endian, as a string) and its listpack (as a string); the length; the last ID, the
first ID and the largest deleted ID (two lengths each); entries added; the groups: name,
last ID, entries read (-1 as 2**64-1), the group PEL (16-byte ID, delivery time as 8
bytes little endian, delivery count), then the consumers (name, seen time, their PEL as
bare IDs). Node listpacks are the ones :class:`nodes.types.stream.StreamNode` lays out,
so a stream gives redis-server's bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from nodes.rdb import listpack
from nodes.rdb.format import MILLIS, TYPE_STREAM_LISTPACKS_2, RdbError, length
from nodes.rdb.reader import Reader
from nodes.types.stream import (
    FLAG_DELETED,
    FLAG_SAMEFIELDS,
    INVALID_ENTRIES_READ,
    Stream,
    StreamEntry,
    StreamNode,
)
from nodes.types.stream_groups import ConsumerGroup, Nack
from nodes.types.stream_ids import MASK64


class FrozenGroup(NamedTuple):
    name: bytes
    last_id: int
    entries_read: int
    pel: tuple[tuple[int, int, int], ...]
    """(ID, delivery time, delivery count), in ID order."""
    consumers: tuple[tuple[bytes, int, tuple[int, ...]], ...]
    """(name, seen time, pending IDs), in name order."""


class FrozenStream(NamedTuple):
    nodes: tuple[tuple[int, bytes], ...]
    """(master ID, listpack)."""
    length: int
    last_id: int
    first_id: int
    max_deleted: int
    entries_added: int
    groups: tuple[FrozenGroup, ...]


def freeze(s: Stream) -> FrozenStream:
    """A copy later writes cannot change (the listpacks are built now, or reused from
    the last snapshot for nodes that did not change since)."""
    groups = tuple(
        FrozenGroup(
            name,
            g.last_id,
            g.entries_read,
            tuple((i, g.pel[i].delivery_time, g.pel[i].delivery_count) for i in sorted(g.pel)),
            tuple(
                (cname, c.seen_time, tuple(sorted(c.pel)))
                for cname, c in sorted(g.consumers.items())
            ),
        )
        for name, g in sorted(s.groups.items())
    )
    nodes = tuple((node.master, node.encoded()) for node in s.nodes)
    return FrozenStream(
        nodes, s.length, s.last_id, s.first_id, s.max_deleted, s.entries_added, groups
    )


def _id_lengths(stream_id: int) -> bytes:
    return length(stream_id >> 64) + length(stream_id & MASK64)


def encode(value: FrozenStream, put: Callable[[bytes], bytes]) -> tuple[int, bytes]:
    parts = [length(len(value.nodes))]
    for master, blob in value.nodes:
        parts.append(put(master.to_bytes(16, "big")))
        parts.append(put(blob))
    parts.append(length(value.length))
    parts.append(_id_lengths(value.last_id))
    parts.append(_id_lengths(value.first_id))
    parts.append(_id_lengths(value.max_deleted))
    parts.append(length(value.entries_added))
    parts.append(length(len(value.groups)))
    for g in value.groups:
        parts.append(put(g.name))
        parts.append(_id_lengths(g.last_id))
        parts.append(length(g.entries_read & MASK64))
        parts.append(length(len(g.pel)))
        for entry_id, when, count in g.pel:
            parts.append(entry_id.to_bytes(16, "big") + MILLIS.pack(when) + length(count))
        parts.append(length(len(g.consumers)))
        for name, seen, ids in g.consumers:
            parts.append(put(name))
            parts.append(MILLIS.pack(seen))
            parts.append(length(len(ids)))
            parts.extend(i.to_bytes(16, "big") for i in ids)
    return TYPE_STREAM_LISTPACKS_2, b"".join(parts)


def _int(item: bytes) -> int:
    try:
        return int(item)
    except ValueError:
        raise RdbError("stream listpack holds a non-integer where a number belongs") from None


def _node(master: int, items: list[bytes]) -> StreamNode:
    """A node from its listpack elements; :class:`RdbError` if they are not a stream's."""
    try:
        count, deleted, nfields = _int(items[0]), _int(items[1]), _int(items[2])
        fields = tuple(items[3 : 3 + nfields])
        if len(fields) != nfields or _int(items[3 + nfields]) != 0:
            raise RdbError("bad stream master entry")
        node = StreamNode(master, fields)
        pos = 4 + nfields
        master_ms, master_seq = master >> 64, master & MASK64
        while pos < len(items):
            flags = _int(items[pos])
            ms = (master_ms + _int(items[pos + 1])) & MASK64
            seq = (master_seq + _int(items[pos + 2])) & MASK64
            pos += 3
            if flags & FLAG_SAMEFIELDS:
                own: tuple[bytes, ...] | None = None
                values = tuple(items[pos : pos + nfields])
                if len(values) != nfields:
                    raise RdbError("stream entry cut short")
                pos += nfields
            else:
                n = _int(items[pos])
                flat = items[pos + 1 : pos + 1 + 2 * n]
                if len(flat) != 2 * n:
                    raise RdbError("stream entry cut short")
                own, values = tuple(flat[0::2]), tuple(flat[1::2])
                pos += 1 + 2 * n
            entry = StreamEntry(flags, (ms << 64) | seq, own, values)
            if _int(items[pos]) != StreamNode.lp_count(entry):
                raise RdbError("stream entry with a wrong lp-count")
            pos += 1
            if node.entries and entry.id <= node.entries[-1].id:
                raise RdbError("stream entries out of order")
            node.entries.append(entry)
            node.body_bytes += node.entry_bytes(entry)
    except IndexError:
        raise RdbError("stream listpack cut short") from None
    live = sum(1 for e in node.entries if not e.flags & FLAG_DELETED)
    if live != count or len(node.entries) - live != deleted:
        raise RdbError("stream node counters do not match its entries")
    node.count, node.deleted = count, deleted
    return node


def _read_id(r: Reader) -> int:
    ms = r.length()
    return (ms << 64) | r.length()


def decode(rdb_type: int, r: Reader) -> Stream:
    s = Stream()
    for _ in range(r.count(2)):
        key = r.string()
        if len(key) != 16:
            raise RdbError("stream node key is not the size of a stream ID")
        master = int.from_bytes(key, "big")
        if s.masters and master <= s.masters[-1]:
            raise RdbError("stream nodes out of order")
        items = listpack.entries(r.string())
        if not items:
            raise RdbError("empty listpack inside stream")
        s.nodes.append(_node(master, items))
        s.masters.append(master)
    s.length = r.length()
    s.last_id = _read_id(r)
    if rdb_type == TYPE_STREAM_LISTPACKS_2:
        s.first_id = _read_id(r)
        s.max_deleted = _read_id(r)
        s.entries_added = r.length()
    else:
        s.entries_added = s.length
        s.first_id = s.edge_id(True) if s.nodes else 0
    if s.length != sum(n.count for n in s.nodes):
        raise RdbError("stream length inconsistent with its entries")
    for _ in range(r.count()):
        name = r.string()
        last_id = _read_id(r)
        if rdb_type == TYPE_STREAM_LISTPACKS_2:
            read = r.length()
            entries_read = INVALID_ENTRIES_READ if read == MASK64 else read
        else:
            entries_read = s.estimate_distance(last_id)
        if name in s.groups:
            raise RdbError("duplicated consumer group name")
        group = s.groups[name] = ConsumerGroup(last_id, entries_read)
        for _ in range(r.count(17)):
            entry_id = int.from_bytes(r.take(16), "big")
            when = MILLIS.unpack(r.take(8))[0]
            if entry_id in group.pel:
                raise RdbError("duplicated global PEL entry")
            group.pel[entry_id] = Nack(None, when, r.length())
        for _ in range(r.count()):
            cname = r.string()
            consumer = group.create_consumer(cname, MILLIS.unpack(r.take(8))[0])
            if consumer is None:
                raise RdbError("duplicate stream consumer")
            for _ in range(r.count(16)):
                entry_id = int.from_bytes(r.take(16), "big")
                nack = group.pel.get(entry_id)
                if nack is None or nack.consumer is not None:
                    raise RdbError("consumer PEL entry missing from (or owned in) the group PEL")
                nack.consumer = consumer
                consumer.pel[entry_id] = nack
        if any(nack.consumer is None for nack in group.pel.values()):
            raise RdbError("group PEL entry without a consumer")
    return s
