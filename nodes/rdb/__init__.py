"""Redis's RDB format (version 10, as redis-server 7.0 writes it): the one value
encoder/decoder behind SAVE/BGSAVE (``dump.rdb``), the AOF's RDB base file, the
replication full sync and DUMP/RESTORE payloads.

Modules, bottom up:

- :mod:`nodes.rdb.crc64` redis's CRC-64 (Jones); :mod:`nodes.rdb.lzf` LZF;
- :mod:`nodes.rdb.format` type and opcode numbers, lengths and strings (writing);
  :mod:`nodes.rdb.reader` the same, reading;
- :mod:`nodes.rdb.listpack`, :mod:`nodes.rdb.ziplist`, :mod:`nodes.rdb.intset` the
  compact containers redis embeds as strings;
- :mod:`nodes.rdb.snapshot` freezes keyspace values (cheap copies) so they can be
  encoded later, off the event loop;
- :mod:`nodes.rdb.encoder` a frozen value -> RDB type + bytes; :mod:`nodes.rdb.decoder`
  the reverse, building keyspace values;
- :mod:`nodes.rdb.file` whole files (header, aux fields, SELECTDB, expiries, EOF,
  checksum); :mod:`nodes.rdb.payload` DUMP payloads;
- :mod:`nodes.rdb.saver` SAVE / BGSAVE / save points / loading at start-up.
"""

from nodes.rdb.format import RDB_VERSION, RdbError

__all__ = ["RDB_VERSION", "RdbError"]
