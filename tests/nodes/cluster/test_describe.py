"""CLUSTER NODES / INFO text as redis 7.0 writes it."""

from __future__ import annotations

from nodes.cluster import describe
from nodes.cluster import slots as slotset
from nodes.cluster.state import ClusterNode, ClusterState
from nodes.cluster.wire import NodeFlag

ME, OTHER, THIRD = "a" * 40, "b" * 40, "c" * 40


def _state() -> ClusterState:
    me = ClusterNode(ME, NodeFlag.MYSELF | NodeFlag.MASTER, ip="127.0.0.1", port=7000, cport=17000)
    me.config_epoch = 3
    state = ClusterState(myself=me)
    other = ClusterNode(OTHER, NodeFlag.SLAVE | NodeFlag.PFAIL, ip="127.0.0.1", port=7001)
    other.cport = 17001
    other.pong_received = 1700000000123
    state.add_node(other)
    state.set_master_of(other, me)
    third = ClusterNode(THIRD, NodeFlag.NONE, ip="10.0.0.1", port=7002, cport=17002)
    third.hostname = "box-3"
    state.add_node(third)
    state.assign_mask(slotset.range_mask(0, 99) | slotset.mask_of([200, 202]), me)
    state.migrating_to[300] = third
    state.importing_from[301] = other
    return state


def test_nodes_lines():
    state = _state()
    lines = describe.nodes_text(state).split("\n")
    assert lines[0] == (
        f"{ME} 127.0.0.1:7000@17000 myself,master - 0 0 3 connected 0-99 200 202 "
        f"[300->-{THIRD}] [301-<-{OTHER}]"
    )
    assert (
        lines[1] == f"{OTHER} 127.0.0.1:7001@17001 slave,fail? {ME} 0 1700000000123 3 disconnected"
    )
    assert lines[2] == f"{THIRD} 10.0.0.1:7002@17002,box-3 noflags - 0 0 0 disconnected"
    assert lines[3] == ""


def test_info_counts_slots_and_messages():
    state = _state()
    info = describe.info_text(state)
    assert info.startswith("cluster_state:fail\r\ncluster_slots_assigned:102\r\n")
    assert "cluster_slots_ok:102\r\n" in info
    assert "cluster_known_nodes:3\r\n" in info
    assert "cluster_my_epoch:3\r\n" in info
    assert info.endswith("total_cluster_links_buffer_limit_exceeded:0\r\n")


def test_slots_and_shards_shapes():
    state = _state()
    me, replica = ["127.0.0.1", 7000, ME, {}], ["127.0.0.1", 7001, OTHER, {}]
    # a replica with no data yet is not listed
    assert describe.slots_reply(state)[0] == [0, 99, me]
    state.nodes[OTHER].repl_offset = 10
    # a PFAIL replica is still listed; only FAIL ones are left out
    assert describe.slots_reply(state) == [
        [0, 99, me, replica],
        [200, 200, me, replica],
        [202, 202, me, replica],
    ]
    shards = describe.shards_reply(state, my_offset=42)
    assert shards[0] == {
        "slots": [0, 99, 200, 200, 202, 202],
        "nodes": [
            {
                "id": ME,
                "port": 7000,
                "ip": "127.0.0.1",
                "endpoint": "127.0.0.1",
                "role": "master",
                "replication-offset": 42,
                "health": "online",
            },
            {
                "id": OTHER,
                "port": 7001,
                "ip": "127.0.0.1",
                "endpoint": "127.0.0.1",
                "role": "replica",
                "replication-offset": 10,
                "health": "online",
            },
        ],
    }
    state.nodes[OTHER].flags |= NodeFlag.FAIL
    assert describe.slots_reply(state)[0] == [0, 99, me]
