"""CONFIG SET of cluster options reaches the running cluster engine."""

from __future__ import annotations

import pytest
import redis

from tests.nodes.cluster.conftest import Nodes, cluster_nodes, command
from tests.support.servers import wait_until

pytestmark = [pytest.mark.slow]


def test_config_set_changes_what_the_node_announces(nodes: Nodes):
    (node,) = nodes.ours(1)
    assert command(node, "CONFIG", "SET", "cluster-announce-hostname", "box-1") == b"OK"
    assert command(node, "CONFIG", "SET", "cluster-replica-no-failover", "yes") == b"OK"
    (line,) = cluster_nodes(node)
    assert line[1].endswith(",box-1")
    assert line[2] == "myself,master,nofailover"
    assert command(node, "CONFIG", "SET", "cluster-replica-no-failover", "no") == b"OK"
    assert cluster_nodes(node)[0][2] == "myself,master"
    # and the saved nodes.conf agrees
    assert ",box-1 myself,master" in (node.workdir / "nodes.conf").read_text()


@pytest.mark.redis
@pytest.mark.parametrize("db", ["ours", "redis"])
def test_redirects_name_the_preferred_endpoint(nodes: Nodes, db: str) -> None:
    """``-MOVED`` names the owner by ``cluster-preferred-endpoint-type``: its ip, its
    hostname (``?`` when it has none) or nothing at all (``unknown-endpoint``)."""
    a, b = nodes.ours(2) if db == "ours" else nodes.real(2)
    assert command(a, "CLUSTER", "ADDSLOTSRANGE", "0", "8191") == b"OK"
    assert command(b, "CLUSTER", "ADDSLOTSRANGE", "8192", "16383") == b"OK"
    assert command(a, "CLUSTER", "MEET", "127.0.0.1", str(b.port)) == b"OK"
    key = "foo"  # slot 12182, b's

    def moved() -> str:
        try:
            command(a, "SET", key, "1")
        except redis.exceptions.MovedError as exc:  # redis-py keeps what follows "MOVED "
            return f"MOVED {exc}"
        except redis.ResponseError as exc:  # CLUSTERDOWN until a learns b's slots
            return str(exc)
        return "no redirect"

    wait_until(lambda: moved().startswith("MOVED 12182 "), 15, "a knows b's slots")
    assert moved() == f"MOVED 12182 127.0.0.1:{b.port}"
    command(a, "CONFIG", "SET", "cluster-preferred-endpoint-type", "hostname")
    assert moved() == f"MOVED 12182 ?:{b.port}"
    command(b, "CONFIG", "SET", "cluster-announce-hostname", "b.example")
    wait_until(lambda: moved() == f"MOVED 12182 b.example:{b.port}", 15, "b's hostname gossiped")
    command(a, "CONFIG", "SET", "cluster-preferred-endpoint-type", "unknown-endpoint")
    assert moved() == f"MOVED 12182 :{b.port}"
