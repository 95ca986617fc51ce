"""The engine's state machine in a deterministic in-memory network."""

from __future__ import annotations

from nodes.cluster import admin, describe
from nodes.cluster.wire import ClusterHealth, NodeFlag
from tests.nodes.cluster.sim import Network


def _converged(net: Network, count: int) -> bool:
    maps = set()
    for node in net.nodes:
        state = node.engine.state
        if len([n for n in state.nodes.values() if not n.in_handshake]) != count:
            return False
        maps.add(tuple(o.node_id if o else None for o in state.owners[::97]))
    return len(maps) == 1 and net.all_ok()


def test_six_masters_converge(seed):
    net = Network(seed)
    for _ in range(6):
        net.add_node()
    net.create(6)
    took = net.run_until(lambda: _converged(net, 6), 30)
    assert took < 15
    for node in net.nodes:
        text = describe.nodes_text(node.engine.state)
        assert text.count("\n") == 6
        assert "handshake" not in text
        assert node.engine.state.current_epoch == 6


def test_killed_master_becomes_fail_and_cluster_down(seed):
    net = Network(seed, node_timeout=1000)
    for _ in range(3):
        net.add_node()
    net.create(3)
    net.run_until(lambda: _converged(net, 3), 30)
    victim = net.nodes[2]
    net.crash(victim)
    vid = victim.engine.state.myself.node_id
    net.run_until(lambda: all(n.engine.state.nodes[vid].failed for n in net.nodes[:2]), 10)
    net.run_until(
        lambda: all(n.engine.state.health is ClusterHealth.FAIL for n in net.nodes[:2]), 5
    )
    # it comes back: FAIL of a master with slots clears after 2T undo time
    victim.up = True
    net.run_until(lambda: _converged(net, 3), 20)
    assert not net.nodes[0].engine.state.nodes[vid].flags & (NodeFlag.FAIL | NodeFlag.PFAIL)


def test_minority_master_goes_down_and_majority_stays_ok(seed):
    net = Network(seed, node_timeout=1000)
    for _ in range(5):
        net.add_node()
    net.create(5)
    net.run_until(lambda: _converged(net, 5), 30)
    minority, majority = net.nodes[:2], net.nodes[2:]
    net.partition(minority, majority)
    net.run_until(lambda: all(n.engine.state.health is ClusterHealth.FAIL for n in minority), 10)
    # with full coverage the majority goes down too once the minority's masters are FAIL
    net.run_until(lambda: all(n.engine.state.health is ClusterHealth.FAIL for n in majority), 10)
    net.heal()
    net.run_until(lambda: _converged(net, 5), 30)


def test_higher_epoch_claim_wins_and_update_corrects_stale_owner(seed):
    net = Network(seed)
    for _ in range(3):
        net.add_node()
    net.create(3)
    net.run_until(lambda: _converged(net, 3), 30)
    a, b = net.nodes[0].engine, net.nodes[1].engine
    # b takes slot 0 (owned by a at epoch 1) with a bigger epoch
    a_slots_before = a.myself.numslots
    b.state.assign_slot(0, b.myself)
    b.state.current_epoch += 10
    b.myself.config_epoch = b.state.current_epoch
    b.mark_dirty()
    net.run_until(
        lambda: all(
            n.engine.state.owners[0] is n.engine.state.nodes[b.myself.node_id] for n in net.nodes
        ),
        10,
    )
    assert a.myself.numslots == a_slots_before - 1


def test_epoch_collision_resolved(seed):
    net = Network(seed)
    for _ in range(3):
        net.add_node()
    for node in net.nodes:
        node.engine.myself.config_epoch = 1
        node.engine.state.current_epoch = 1
    for node in net.nodes[1:]:
        admin.meet(node.engine, net.nodes[0].ip, 7000, 17000)
    net.run_until(lambda: len({n.engine.myself.config_epoch for n in net.nodes}) == 3, 30)
