"""Replication of numbered databases with redis-server on either side: the stream
carries SELECT <n> before writes in another database."""

from __future__ import annotations

import pytest

from tests.nodes.replication.conftest import Group
from tests.support.servers import wait_until

pytestmark = pytest.mark.redis


def _write_in_databases(client) -> None:
    client.set("k", "zero")
    client.execute_command("SELECT", 2)
    client.set("k", "two")
    client.execute_command("SELECT", 0)
    client.set("after", "1")


def _in(client, db: int, key: str) -> object:
    client.execute_command("SELECT", db)
    try:
        return client.get(key)
    finally:
        client.execute_command("SELECT", 0)


@pytest.mark.parametrize("master_kind", ["ours", "real"])
def test_writes_reach_the_replica_in_their_database(group: Group, master_kind: str):
    master = group.ours("m") if master_kind == "ours" else group.real("m")
    replica = group.real("r") if master_kind == "ours" else group.ours("r")
    replica.replicaof(master)
    replica.wait_link_up()
    _write_in_databases(master.client)
    replica.wait_offset(master)
    assert _in(replica.client, 0, "k") == b"zero"
    assert _in(replica.client, 2, "k") == b"two"
    wait_until(lambda: _in(replica.client, 0, "after") == b"1", 10, "the last write")
