"""The stream value, laid out as redis 7.0 lays it out (``t_stream.c``): a sorted run of
*nodes* (redis's rax of listpacks), each with a master entry (the first entry's field
names) and entries delta-encoded against the node's master ID. An entry deleted by XDEL
or exact trimming stays in its node as a tombstone (flag ``DELETED``) until the whole
node is empty, exactly as redis keeps it, so that node boundaries, XINFO's counters and
the RDB bytes (:mod:`nodes.rdb.stream_codec`) agree with redis-server's.

A node is closed (a new one starts) when its listpack size plus the new entry's data
reaches ``stream-node-max-bytes`` or it holds ``stream-node-max-entries`` entries
(live and deleted), the limits :data:`nodes.types.limits.LIMITS` follows.

Consumer groups are in :mod:`nodes.types.stream_groups`; IDs are 128-bit ints
(:mod:`nodes.types.stream_ids`).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from typing import Final

from nodes.keyspace import register_value_type
from nodes.rdb import listpack
from nodes.types.limits import LIMITS
from nodes.types.stream_groups import ConsumerGroup
from nodes.types.stream_ids import MASK64, MAX_ID, MIN_ID

FLAG_DELETED: Final = 1
FLAG_SAMEFIELDS: Final = 2
LISTPACK_MAX_SIZE: Final = 1 << 30
"""``STREAM_LISTPACK_MAX_SIZE``: no node (and no entry) beyond 1 GB."""
INVALID_ENTRIES_READ: Final = -1


def _int_size(value: int) -> int:
    """Bytes of an integer listpack element (encoding, data and backlen): 7-bit, 13-bit,
    16, 24, 32 or 64-bit, as :func:`nodes.rdb.listpack.entry` writes it."""
    if 0 <= value <= 127:
        return 2
    if -4096 <= value <= 4095:
        return 3
    if -32768 <= value <= 32767:
        return 4
    if -8388608 <= value <= 8388607:
        return 5
    return 6 if -(1 << 31) <= value < 1 << 31 else 10


def _backlen_size(size: int) -> int:
    if size <= 127:
        return 1
    if size < 16383:
        return 2
    if size < 2097151:
        return 3
    return 4 if size < 268435455 else 5


def _str_size(item: bytes) -> int:
    """Bytes of a string listpack element; strings that read as integers are stored as
    integers (:func:`nodes.rdb.listpack.entry` decides those)."""
    n = len(item)
    if n and n <= 20 and item[0] in _INT_START:
        return len(listpack.entry(item))
    body = n + (1 if n < 64 else 2 if n < 4096 else 5)
    return body + _backlen_size(body)


_INT_START = frozenset(b"-0123456789")


def signed_delta(a: int, b: int) -> int:
    """``a - b`` as redis stores it: a uint64 difference read back as int64."""
    diff = (a - b) & MASK64
    return diff - (1 << 64) if diff >= 1 << 63 else diff


class StreamEntry:
    """One entry of a node: flags, ID, own field names (``None``: the master's), values."""

    __slots__ = ("fields", "flags", "id", "values")

    def __init__(
        self, flags: int, entry_id: int, fields: tuple[bytes, ...] | None, values: tuple[bytes, ...]
    ) -> None:
        self.flags = flags
        self.id = entry_id
        self.fields = fields
        self.values = values


class StreamNode:
    """One listpack of the rax: ``count`` live entries and ``deleted`` tombstones."""

    __slots__ = (
        "body_bytes",
        "count",
        "deleted",
        "entries",
        "fields",
        "fields_bytes",
        "listpack",
        "master",
    )

    def __init__(self, master: int, fields: tuple[bytes, ...]) -> None:
        self.listpack: bytes | None = None
        """The encoded listpack once built (a snapshot), until the node changes."""
        self.master = master
        self.fields = fields
        self.fields_bytes = sum(_str_size(f) for f in fields)
        self.entries: list[StreamEntry] = []
        self.count = 0
        self.deleted = 0
        self.body_bytes = 0

    def listpack_bytes(self) -> int:
        """``lpBytes`` of this node's listpack."""
        master = (
            _int_size(self.count)
            + _int_size(self.deleted)
            + _int_size(len(self.fields))
            + self.fields_bytes
            + _int_size(0)
        )
        return listpack.HEADER + master + self.body_bytes + 1

    def encoded(self) -> bytes:
        """The node's listpack, as redis stores it (built once per change)."""
        if self.listpack is None:
            self.listpack = listpack.build(self.items())
        return self.listpack

    def add(self, entry: StreamEntry) -> None:
        self.listpack = None
        self.entries.append(entry)
        self.count += 1
        self.body_bytes += self.entry_bytes(entry)

    def entry_bytes(self, entry: StreamEntry) -> int:
        entry_id, master = entry.id, self.master
        ms_delta = (entry_id >> 64) - (master >> 64)
        seq_delta = (entry_id & MASK64) - (master & MASK64)
        # flags (< 128: 2 bytes), the two deltas, the values, lp-count (< 128 mostly)
        size = 2
        size += 2 if 0 <= ms_delta <= 127 else _int_size(signed_delta(ms_delta, 0))
        size += 2 if 0 <= seq_delta <= 127 else _int_size(signed_delta(seq_delta, 0))
        if entry.fields is not None:
            size += _int_size(len(entry.values))
            for f in entry.fields:
                size += _str_size(f)
        for v in entry.values:
            size += _str_size(v)
        return size + _int_size(self.lp_count(entry))

    @staticmethod
    def lp_count(entry: StreamEntry) -> int:
        n = len(entry.values)
        return n + 3 if entry.fields is None else 2 * n + 4

    def items(self) -> list[bytes]:
        """The listpack's elements, as redis stores them (integers in decimal)."""
        out = [b"%d" % self.count, b"%d" % self.deleted, b"%d" % len(self.fields)]
        out += self.fields
        out.append(b"0")
        master_ms, master_seq = self.master >> 64, self.master & MASK64
        for e in self.entries:
            out.append(b"%d" % e.flags)
            out.append(b"%d" % signed_delta(e.id >> 64, master_ms))
            out.append(b"%d" % signed_delta(e.id & MASK64, master_seq))
            if e.fields is not None:
                out.append(b"%d" % len(e.values))
                for f, v in zip(e.fields, e.values, strict=True):
                    out += (f, v)
            else:
                out += e.values
            out.append(b"%d" % self.lp_count(e))
        return out

    def pairs(self, entry: StreamEntry) -> list[bytes]:
        """The entry's field/value pairs, flat."""
        names = self.fields if entry.fields is None else entry.fields
        flat: list[bytes] = []
        for f, v in zip(names, entry.values, strict=True):
            flat += (f, v)
        return flat

    def find(self, entry_id: int) -> StreamEntry | None:
        i = bisect.bisect_left(self.entries, entry_id, key=lambda e: e.id)
        if i < len(self.entries) and self.entries[i].id == entry_id:
            return self.entries[i]
        return None


class Stream:
    """A stream value (Redis type ``stream``). An empty stream is a valid value."""

    __slots__ = (
        "entries_added",
        "first_id",
        "groups",
        "last_id",
        "length",
        "masters",
        "max_deleted",
        "nodes",
    )

    def __init__(self) -> None:
        self.nodes: list[StreamNode] = []
        self.masters: list[int] = []
        """The nodes' master IDs (the rax keys), for bisecting."""
        self.length = 0
        self.last_id = MIN_ID
        self.first_id = MIN_ID
        self.max_deleted = MIN_ID
        self.entries_added = 0
        self.groups: dict[bytes, ConsumerGroup] = {}

    # ---- adding --------------------------------------------------------------------
    def append(self, entry_id: int, flat: list[bytes]) -> None:
        """Add an entry (``entry_id`` already checked to be > ``last_id``; ``flat`` the
        field/value pairs, at least one)."""
        fields = tuple(flat[0::2])
        values = tuple(flat[1::2])
        total = sum(map(len, flat))
        node = self.nodes[-1] if self.nodes else None
        if node is not None:
            max_bytes = LIMITS.stream_node_max_bytes
            if max_bytes == 0 or max_bytes > LISTPACK_MAX_SIZE:
                max_bytes = LISTPACK_MAX_SIZE
            max_entries = LIMITS.stream_node_max_entries
            if node.listpack_bytes() + total >= max_bytes or (
                max_entries and node.count + node.deleted >= max_entries
            ):
                node = None
        if node is None:
            node = StreamNode(entry_id, fields)
            self.nodes.append(node)
            self.masters.append(entry_id)
            entry = StreamEntry(FLAG_SAMEFIELDS, entry_id, None, values)
        elif fields == node.fields:
            entry = StreamEntry(FLAG_SAMEFIELDS, entry_id, None, values)
        else:
            entry = StreamEntry(0, entry_id, fields, values)
        node.add(entry)
        self.length += 1
        self.entries_added += 1
        self.last_id = entry_id
        if self.length == 1:
            self.first_id = entry_id

    # ---- reading -------------------------------------------------------------------
    def range(
        self, start: int, end: int, *, rev: bool = False, tombstones: bool = False
    ) -> Iterator[tuple[StreamNode, StreamEntry]]:
        """Entries with ``start <= id <= end`` in ID order (``rev``: reversed); deleted
        ones only with ``tombstones``."""
        nodes = self.nodes
        if not rev:
            i = max(bisect.bisect_right(self.masters, start) - 1, 0)
            for node in nodes[i:]:
                for e in node.entries:
                    if e.id < start or (e.flags & FLAG_DELETED and not tombstones):
                        continue
                    if e.id > end:
                        return
                    yield node, e
        else:
            i = bisect.bisect_right(self.masters, end) - 1
            while i >= 0:
                node = nodes[i]
                for e in reversed(node.entries):
                    if e.id > end or (e.flags & FLAG_DELETED and not tombstones):
                        continue
                    if e.id < start:
                        return
                    yield node, e
                i -= 1

    def lookup(self, entry_id: int) -> tuple[StreamNode, StreamEntry] | None:
        """The live entry with this ID."""
        i = bisect.bisect_right(self.masters, entry_id) - 1
        if i < 0:
            return None
        node = self.nodes[i]
        e = node.find(entry_id)
        if e is None or e.flags & FLAG_DELETED:
            return None
        return node, e

    def exists(self, entry_id: int) -> bool:
        return self.lookup(entry_id) is not None

    def edge_id(self, first: bool, *, tombstones: bool = False) -> int:
        """``streamGetEdgeID``: the first (or last) ID; when there is none, the largest
        possible ID for ``first`` and 0-0 for the last."""
        for _, e in self.range(MIN_ID, MAX_ID, rev=not first, tombstones=tombstones):
            return e.id
        return MAX_ID if first else MIN_ID

    def last_valid_id(self) -> int:
        return self.edge_id(False)

    # ---- removing ------------------------------------------------------------------
    def delete(self, entry_id: int) -> bool:
        """Mark the live entry ``entry_id`` deleted (the node goes when it was its last
        live entry); False when there is no such entry."""
        i = bisect.bisect_right(self.masters, entry_id) - 1
        if i < 0:
            return False
        node = self.nodes[i]
        e = node.find(entry_id)
        if e is None or e.flags & FLAG_DELETED:
            return False
        e.flags |= FLAG_DELETED
        node.listpack = None
        if node.count == 1:
            del self.nodes[i]
            del self.masters[i]
        else:
            node.count -= 1
            node.deleted += 1
        self.length -= 1
        return True

    def trim(self, *, maxlen: int | None, minid: int | None, approx: bool, limit: int) -> int:
        """``streamTrim``: drop entries from the head until at most ``maxlen`` remain or
        none is below ``minid``; whole nodes first, then (unless ``approx``) tombstones
        inside the head node. ``limit`` (0: none) caps the entries removed."""
        deleted = 0
        while self.nodes:
            if maxlen is not None and self.length <= maxlen:
                break
            node = self.nodes[0]
            entries = node.count
            if limit and deleted + entries > limit:
                break
            if maxlen is not None:
                remove_node = self.length - entries >= maxlen
            else:
                assert minid is not None
                remove_node = node.entries[-1].id < minid
            if remove_node:
                del self.nodes[0]
                del self.masters[0]
                self.length -= entries
                deleted += entries
                continue
            if approx:
                break
            from_node = 0
            for e in node.entries:
                if maxlen is not None:
                    if self.length <= maxlen:
                        break
                elif minid is not None and e.id >= minid:
                    break
                if not e.flags & FLAG_DELETED:
                    e.flags |= FLAG_DELETED
                    from_node += 1
                    self.length -= 1
            deleted += from_node
            node.count -= from_node
            node.deleted += from_node
            node.listpack = None
            break
        if self.length == 0:
            self.first_id = MIN_ID
        elif deleted:
            self.first_id = self.edge_id(True)
        return deleted

    # ---- consumer group bookkeeping ------------------------------------------------
    def range_has_tombstones(self, start: int, end: int = MAX_ID) -> bool:
        """``streamRangeHasTombstones``."""
        if not self.length or self.max_deleted == MIN_ID:
            return False
        if self.first_id > self.max_deleted:
            return False
        return start <= self.max_deleted <= end

    def estimate_distance(self, entry_id: int) -> int:
        """``streamEstimateDistanceFromFirstEverEntry``: the logical read counter of
        ``entry_id``, or :data:`INVALID_ENTRIES_READ`."""
        if not self.entries_added:
            return 0
        if not self.length and entry_id <= self.last_id:
            return self.entries_added
        if entry_id == self.last_id:
            return self.entries_added
        if entry_id > self.last_id:
            return INVALID_ENTRIES_READ
        if self.max_deleted == MIN_ID or self.max_deleted < self.first_id:
            if entry_id < self.first_id:
                return self.entries_added - self.length
            if entry_id == self.first_id:
                return self.entries_added - self.length + 1
        return INVALID_ENTRIES_READ

    def lag(self, group: ConsumerGroup) -> int | None:
        """A group's lag as XINFO shows it (``None``: unknown)."""
        if not self.entries_added:
            return 0
        if group.entries_read != INVALID_ENTRIES_READ and not self.range_has_tombstones(
            group.last_id
        ):
            return self.entries_added - group.entries_read
        read = self.estimate_distance(group.last_id)
        if read != INVALID_ENTRIES_READ:
            return self.entries_added - read
        return None

    def rax_nodes(self) -> int:
        """How many nodes redis's radix tree of the master IDs has (XINFO's
        ``radix-tree-nodes``): the root, every key, every branching prefix and every
        child of one (a rax compresses the runs between them into single nodes). Keys
        are 16 bytes, so none is a prefix of another; in sorted order each branching
        prefix is the common prefix of two neighbours."""
        keys = [m.to_bytes(16, "big") for m in self.masters]
        positions = {b"", *keys}
        for a, b in itertools.pairwise(keys):
            common = 0
            while a[common] == b[common]:
                common += 1
            positions.update((a[:common], a[: common + 1], b[: common + 1]))
        return len(positions)

    def digest_parts(self) -> Iterator[bytes]:
        """What DEBUG DIGEST-VALUE mixes in, in order (redis's ``xorObjectDigest``): per
        live entry ``<ms>.<seq>``, then each field and value; groups are left out."""
        for node, entry in self.range(MIN_ID, MAX_ID):
            yield b"%d.%d" % (entry.id >> 64, entry.id & MASK64)
            yield from node.pairs(entry)

    def copy(self) -> Stream:
        """An independent copy (COPY): the same nodes, entries and groups."""
        dup = Stream()
        for node in self.nodes:
            twin = StreamNode(node.master, node.fields)
            twin.entries = [StreamEntry(e.flags, e.id, e.fields, e.values) for e in node.entries]
            twin.count, twin.deleted, twin.body_bytes = node.count, node.deleted, node.body_bytes
            twin.listpack = node.listpack
            dup.nodes.append(twin)
        dup.masters = list(self.masters)
        dup.length, dup.last_id, dup.first_id = self.length, self.last_id, self.first_id
        dup.max_deleted, dup.entries_added = self.max_deleted, self.entries_added
        dup.groups = {name: g.copy() for name, g in self.groups.items()}
        return dup


register_value_type(Stream, b"stream")
