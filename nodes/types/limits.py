"""The encoding thresholds redis-server reads from its config (``hash-max-listpack-entries``
and friends), as the value types consult them when a collection grows.

:data:`LIMITS` holds the defaults until :func:`bind` copies a server's config into it and
follows ``CONFIG SET``. One process serves one server, so one table is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nodes.config import Config


@dataclass(slots=True)
class EncodingLimits:
    hash_max_listpack_entries: int = 512
    hash_max_listpack_value: int = 64
    zset_max_listpack_entries: int = 128
    zset_max_listpack_value: int = 64
    set_max_intset_entries: int = 512


LIMITS = EncodingLimits()

_OPTIONS = {
    "hash-max-listpack-entries": "hash_max_listpack_entries",
    "hash-max-listpack-value": "hash_max_listpack_value",
    "zset-max-listpack-entries": "zset_max_listpack_entries",
    "zset-max-listpack-value": "zset_max_listpack_value",
    "set-max-intset-entries": "set_max_intset_entries",
}


def bind(config: Config) -> None:
    """Take the thresholds from ``config`` now and after every CONFIG SET of one."""
    for option, attribute in _OPTIONS.items():
        setattr(LIMITS, attribute, config.get_int(option))

        def changed(value: str, attribute: str = attribute) -> None:
            setattr(LIMITS, attribute, int(value))

        config.listeners.setdefault(option, []).append(changed)
