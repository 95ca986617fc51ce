"""Differential command scripts, one module per command family."""

from tests.nodes.differential.runner import Script
from tests.nodes.differential.scripts import (
    acl,
    config,
    connection,
    databases,
    expiry,
    generic,
    geo,
    hashes,
    hyperloglog,
    lists,
    observability,
    resp3,
    sets,
    streams,
    streams_groups,
    strings,
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
    acl,
    observability,
)

ALL_SCRIPTS: tuple[Script, ...] = tuple(s for family in FAMILIES for s in family.SCRIPTS)

__all__ = ["ALL_SCRIPTS", "FAMILIES"]
