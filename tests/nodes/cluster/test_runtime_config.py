"""CONFIG SET of cluster options reaches the running cluster engine."""

from __future__ import annotations

import pytest

from tests.nodes.cluster.conftest import Nodes, cluster_nodes, command

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
