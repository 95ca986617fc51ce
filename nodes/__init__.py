"""splitbrain-server: a Redis-Cluster-compatible node written in Python (asyncio).

Layers, bottom up (after mini-redis): ``resp`` (frames) -> ``commands`` (one module
per command family, a registry) -> ``connection`` -> ``server``; ``keyspace``, ``aof``,
``types``, ``cluster/`` (the cluster bus, slots, failover), ``migration/`` and
``replication/`` beside them.
"""

from nodes.keyslot import HASH_SLOTS, crc16, keyslot

__all__ = ["HASH_SLOTS", "crc16", "keyslot"]
