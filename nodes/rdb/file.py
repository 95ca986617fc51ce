"""Whole RDB files: ``REDIS0010``, aux fields, ``SELECTDB 0``, ``RESIZEDB``, each key
(``0xFC`` millisecond expiry first when it has one), ``EOF`` and the CRC-64 of all that
(little-endian; 0 means "not computed").

:func:`write` streams to a binary file object, so a large dataset is never held
twice in memory; :func:`read` loads a whole file's keys, and every problem is an
:class:`RdbError` saying what and where (the caller names the file).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, Final

from nodes.rdb import encoder
from nodes.rdb.crc64 import crc64
from nodes.rdb.decoder import UnsupportedType, decode
from nodes.rdb.format import (
    MILLIS,
    OP_AUX,
    OP_EOF,
    OP_EXPIRETIME,
    OP_EXPIRETIME_MS,
    OP_FREQ,
    OP_FUNCTION,
    OP_FUNCTION2,
    OP_IDLE,
    OP_MODULE_AUX,
    OP_RESIZEDB,
    OP_SELECTDB,
    RDB_VERSION,
    SECONDS,
    RdbError,
    aux,
    length,
    string,
)
from nodes.rdb.reader import Reader
from nodes.rdb.snapshot import Dataset

CHECKSUM_LIMIT: Final = 16 << 20
"""Files larger than this are written with a checksum of 0 (ours is pure Python, about
3 MB/s) and read without checking one."""
REDIS_VERSION: Final = b"7.0.15"
_CHUNK: Final = 1 << 16


@dataclass(slots=True)
class Contents:
    """What a file holds: its keys (database number, key, value, absolute expiry in ms or
    None) and aux fields."""

    entries: list[tuple[int, bytes, object, int | None]] = field(default_factory=list)
    aux: dict[bytes, bytes] = field(default_factory=dict)
    end: int = 0
    """Offset just past the checksum (an old AOF's commands may follow an RDB preamble)."""


def replication_history(contents: Contents) -> tuple[str, int] | None:
    """The replication id and offset a file was saved at (``repl-id``, ``repl-offset``
    with a ``repl-stream-db`` that is not -1), or None when it has no valid ones."""
    aux = contents.aux
    replid = aux.get(b"repl-id", b"")
    offset = aux.get(b"repl-offset", b"-1")
    stream_db = aux.get(b"repl-stream-db", b"-1")
    if len(replid) != 40 or stream_db.strip() == b"-1" or not offset.strip().isdigit():
        return None
    return replid.decode("ascii", errors="replace"), int(offset)


def aux_fields(
    *, now_s: int, aof_base: bool = False, repl: tuple[str, int] | None = None
) -> list[tuple[bytes, bytes]]:
    """The aux fields redis 7.0 writes (``repl``: replication id and offset)."""
    fields = [
        (b"redis-ver", REDIS_VERSION),
        (b"redis-bits", b"64"),
        (b"ctime", b"%d" % now_s),
        (b"used-mem", b"0"),
    ]
    if repl is not None:
        fields += [
            (b"repl-stream-db", b"0"),
            (b"repl-id", repl[0].encode()),
            (b"repl-offset", b"%d" % repl[1]),
        ]
    fields.append((b"aof-base", b"1" if aof_base else b"0"))
    return fields


class _Sink:
    """Buffers writes, feeds the running checksum while the output is small enough."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.buf: list[bytes] = []
        self.buffered = 0
        self.written = 0
        self.crc: int | None = 0

    def add(self, data: bytes) -> None:
        self.buf.append(data)
        self.buffered += len(data)
        if self.buffered >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        data = b"".join(self.buf)
        self.buf = []
        self.buffered = 0
        self.written += len(data)
        if self.crc is not None:
            self.crc = crc64(data, self.crc) if self.written <= CHECKSUM_LIMIT else None
        self.out.write(data)


def write(
    out: BinaryIO,
    dataset: Dataset,
    aux_pairs: list[tuple[bytes, bytes]],
    stop: Callable[[], bool] | None = None,
) -> int:
    """Write an RDB file of the frozen databases to ``out``; returns its size. Each
    database with live keys comes after its SELECTDB and RESIZEDB, empty ones are left
    out (redis's ``rdbSaveRio``). ``stop`` is polled between keys: True raises
    :class:`InterruptedError`."""
    sink = _Sink(out)
    sink.add(b"REDIS%04d" % RDB_VERSION)
    for key, value in aux_pairs:
        sink.add(aux(key, value))
    for index, frozen in dataset:
        keys, expires = frozen.counts()
        if not keys:
            continue
        sink.add(bytes((OP_SELECTDB,)) + length(index))
        sink.add(bytes((OP_RESIZEDB,)) + length(keys) + length(expires))
        for entry in frozen.entries():
            if stop is not None and stop():
                raise InterruptedError("RDB writing stopped")
            if entry.expire_ms is not None:
                sink.add(bytes((OP_EXPIRETIME_MS,)) + MILLIS.pack(entry.expire_ms))
            rdb_type, body = encoder.encode(entry.value, compress=False)
            sink.add(bytes((rdb_type,)) + string(entry.key, compress=False))
            sink.add(body)
    sink.add(bytes((OP_EOF,)))
    sink.flush()
    checksum = sink.crc or 0
    out.write(struct.pack("<Q", checksum))
    return sink.written + 8


def to_bytes(dataset: Dataset, aux_pairs: list[tuple[bytes, bytes]]) -> bytes:
    """A whole file in memory (the replication payload)."""
    out = io.BytesIO()
    write(out, dataset, aux_pairs)
    return out.getvalue()


def read(data: bytes, *, now_ms: int | None = None, trailing: bool = False) -> Contents:
    """The keys of an RDB file, each with its database number. Keys already expired at
    ``now_ms`` are left out (None: keep them all, as a replica or an AOF base does).
    Bytes after the checksum are an error unless ``trailing``."""
    if len(data) < 9 or not data.startswith(b"REDIS"):
        raise RdbError("wrong signature trying to load DB from file (not an RDB file)")
    try:
        version = int(data[5:9])
    except ValueError:
        raise RdbError("wrong signature trying to load DB from file (bad version)") from None
    if not 1 <= version <= RDB_VERSION:
        raise RdbError(f"can't handle RDB format version {version}")
    if not trailing and version >= 5 and len(data) <= CHECKSUM_LIMIT + 8:
        stored = struct.unpack("<Q", data[-8:])[0]
        if stored and crc64(memoryview(data)[:-8]) != stored:
            raise RdbError("RDB checksum mismatch")
    r = Reader(data, 9)
    contents = Contents()
    expire_ms: int | None = None
    db = 0
    while True:
        at = r.pos
        op = r.byte()
        if op == OP_EOF:
            break
        if op == OP_AUX:
            key = r.string()
            contents.aux[key] = r.string()
        elif op == OP_SELECTDB:
            db = r.length()
        elif op == OP_RESIZEDB:
            r.length()
            r.length()
        elif op == OP_EXPIRETIME_MS:
            expire_ms = MILLIS.unpack(r.take(8))[0]
        elif op == OP_EXPIRETIME:
            expire_ms = SECONDS.unpack(r.take(4))[0] * 1000
        elif op == OP_IDLE:
            r.length()
        elif op == OP_FREQ:
            r.byte()
        elif op in (OP_FUNCTION, OP_FUNCTION2):
            raise RdbError(f"functions at offset {at}: splitbrain-server has no FUNCTION")
        elif op == OP_MODULE_AUX:
            raise RdbError(f"module data at offset {at}: splitbrain-server has no modules")
        else:
            key = r.string()
            try:
                value = decode(op, r)
            except UnsupportedType as exc:
                raise RdbError(
                    f"key {key.decode(errors='replace')!r} at offset {at} holds a {exc.name}, "
                    "which splitbrain-server does not support"
                ) from None
            except RdbError as exc:
                name = key.decode(errors="replace")
                raise RdbError(f"{exc} (key {name!r} at offset {at})") from None
            if expire_ms is None or now_ms is None or expire_ms > now_ms:
                contents.entries.append((db, key, value, expire_ms))
            expire_ms = None
    if version >= 5:
        stored = struct.unpack("<Q", r.take(8))[0]
        if (
            trailing
            and stored
            and r.pos <= CHECKSUM_LIMIT + 8
            and crc64(data[: r.pos - 8]) != stored
        ):
            raise RdbError("RDB checksum mismatch")
    contents.end = r.pos
    if r.remaining() and not trailing:
        raise RdbError(f"{r.remaining()} bytes after the end of the RDB at offset {r.pos}")
    return contents
