"""The full-sync snapshot: the dataset as an RDB file written by :mod:`nodes.rdb` (the
same encoder as SAVE and DUMP, so a redis-server replica loads it), and loading one
sent by a master (ours or redis-server). Every database travels, each after its
SELECTDB."""

from __future__ import annotations

from nodes.databases import Databases
from nodes.rdb import file, snapshot
from nodes.rdb.format import RdbError
from nodes.rdb.load import install, install_paced

__all__ = ["RdbError", "encode_rdb", "load_rdb", "load_rdb_paced"]


def encode_rdb(databases: Databases, replid: str, offset: int, now_ms: int) -> bytes:
    """The dataset as an RDB payload with the replication aux fields; expired keys are
    left out."""
    frozen = snapshot.take_all(databases)
    aux = file.aux_fields(now_s=now_ms // 1000, repl=(replid, offset))
    return file.to_bytes(frozen, aux)


def load_rdb(databases: Databases, payload: bytes) -> int:
    """Replace every database's contents with the payload's (all keys, expired ones
    too: the master's DELs will follow); returns the number of keys. Raises
    :class:`RdbError` before touching anything when the payload is bad."""
    return install(databases, file.read(payload), replace=True)


async def load_rdb_paced(databases: Databases, payload: bytes, key_delay_us: int) -> int:
    """:func:`load_rdb` with ``key-load-delay`` (µs a key, the event loop running
    meanwhile); 0 loads at once."""
    if key_delay_us == 0:
        return load_rdb(databases, payload)
    return await install_paced(databases, file.read(payload), key_delay_us, replace=True)
