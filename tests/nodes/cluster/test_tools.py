"""redis-cli --cluster add-node (master and --cluster-slave) and del-node on our nodes."""

from __future__ import annotations

import pytest

from tests.nodes.cluster.conftest import Nodes, cluster_info, cluster_nodes, command, redis_cli
from tests.support.servers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _slot_maps_agree(servers, count: int) -> bool:
    maps = set()
    for server in servers:
        lines = cluster_nodes(server)
        if len(lines) != count:
            return False
        maps.add(tuple(sorted((line[0], tuple(line[8:])) for line in lines if line[8:])))
    return len(maps) == 1


def test_add_node_and_del_node(nodes: Nodes):
    servers = nodes.ours(3)
    addr = [f"127.0.0.1:{s.port}" for s in servers]
    assert redis_cli("--cluster", "create", *addr, "--cluster-yes").returncode == 0
    wait_until(lambda: all(cluster_info(s)["cluster_state"] == "ok" for s in servers), 20, "ok")
    new_master, new_replica = nodes.ours(2)
    added = redis_cli("--cluster", "add-node", f"127.0.0.1:{new_master.port}", addr[0])
    assert "[OK] New node added correctly." in added.stdout, added.stdout + added.stderr
    wait_until(
        lambda: _slot_maps_agree([*servers, new_master], 4),
        20,
        "four nodes agreeing on the slot map (what add-node checks first)",
    )
    added = redis_cli(
        "--cluster", "add-node", f"127.0.0.1:{new_replica.port}", addr[0], "--cluster-slave"
    )
    assert "[OK] New node added correctly." in added.stdout, added.stdout + added.stderr
    everyone = [*servers, new_master, new_replica]
    wait_until(lambda: all(len(cluster_nodes(s)) == 5 for s in everyone), 20, "five known nodes")
    check = redis_cli("--cluster", "check", addr[0])
    assert check.returncode == 0 and "4 masters" in check.stdout, check.stdout
    gone = command(new_master, "CLUSTER", "MYID").decode()
    deleted = redis_cli("--cluster", "del-node", addr[0], gone)
    assert deleted.returncode == 0, deleted.stdout
    for server in [*servers, new_replica]:
        assert all(line[0] != gone for line in cluster_nodes(server))
    # the forgotten node was reset and is alone; the blacklist keeps it out of gossip
    assert cluster_info(new_master)["cluster_known_nodes"] == "1"
    wait_until(lambda: cluster_info(servers[1])["cluster_state"] == "ok", 10, "ok")
    assert all(line[0] != gone for line in cluster_nodes(servers[2]))
