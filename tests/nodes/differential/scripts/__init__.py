"""Differential command scripts, one module per command family."""

from tests.nodes.differential.runner import Script
from tests.nodes.differential.scripts import (
    blocking,
    client_misc,
    client_pause,
    config,
    connection,
    databases,
    expiry,
    generic,
    geo,
    hashes,
    hyperloglog,
    lists,
    lua_libraries,
    monitor,
    pubsub,
    resp3,
    sets,
    streams,
    streams_groups,
    strings,
    tracking,
    transactions,
    zsets,
)

FAMILIES = (
    config,
    connection,
    databases,
    strings,
    generic,
    expiry,
    lists,
    sets,
    hashes,
    zsets,
    transactions,
    resp3,
    hyperloglog,
    geo,
    streams,
    streams_groups,
    pubsub,
    blocking,
    client_pause,
    client_misc,
    monitor,
    tracking,
    lua_libraries,
)

ALL_SCRIPTS: tuple[Script, ...] = tuple(s for family in FAMILIES for s in family.SCRIPTS)

__all__ = ["ALL_SCRIPTS", "FAMILIES"]
