"""The engine's state machine in a deterministic in-memory network."""

from __future__ import annotations

import pytest

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


def _formed(net: Network, masters: int) -> None:
    net.create(masters)
    net.run_until(lambda: _converged(net, len(net.nodes)), 30)


def test_master_that_lost_its_slots_returns_as_replica_of_new_owner(seed):
    net = Network(seed, node_timeout=1000)
    for _ in range(4):
        net.add_node()
    _formed(net, 3)
    old, new = net.nodes[0], net.nodes[3]
    old_slots = old.engine.myself.slots
    net.partition([old], net.nodes[1:])
    net.run(1.0)
    # the node on the majority side takes the slots at a higher epoch (what a failover does)
    eng = new.engine
    eng.state.current_epoch += 1
    eng.myself.config_epoch = eng.state.current_epoch
    eng.state.assign_mask(old_slots, eng.myself)
    eng.mark_dirty()
    net.heal()
    new_id = eng.myself.node_id
    net.run_until(
        lambda: (
            old.engine.myself.is_replica
            and old.engine.myself.master is not None
            and old.engine.myself.master.node_id == new_id
        ),
        20,
    )
    assert old.engine.myself.numslots == 0
    net.run_until(
        lambda: all(n.engine.state.nodes[new_id].slots == old_slots for n in net.nodes), 20
    )
    net.run_until(net.all_ok, 20)


def test_forget_blacklists_for_60s(seed):
    net = Network(seed)
    for _ in range(3):
        net.add_node()
    _formed(net, 3)
    a = net.nodes[0].engine
    victim = net.nodes[2].engine.myself.node_id
    admin.forget(a, victim)
    a.after_command()
    assert victim not in a.state.nodes
    net.run(30)  # gossip from node 1 mentions the victim, but it stays forgotten
    assert victim not in a.state.nodes
    net.run(40)
    assert victim in a.state.nodes  # learned again once the blacklist expired


def test_handshake_with_nobody_times_out(seed):
    net = Network(seed, node_timeout=1000)
    node = net.add_node()
    admin.meet(node.engine, "10.9.9.9", 7000, 17000)
    assert len(node.engine.state.nodes) == 2
    net.run(1.5)
    assert len(node.engine.state.nodes) == 1


def test_reset_hard_new_identity_and_epochs(seed):
    net = Network(seed)
    for _ in range(3):
        net.add_node()
    _formed(net, 3)
    eng = net.nodes[1].engine
    old_id = eng.myself.node_id
    with pytest.raises(admin.ClusterCommandError):
        admin.reset(eng, hard=True, dbsize=5)
    admin.reset(eng, hard=True, dbsize=0)
    eng.after_command()
    assert eng.myself.node_id != old_id
    assert (eng.state.current_epoch, eng.myself.config_epoch, eng.myself.numslots) == (0, 0, 0)
    assert list(eng.state.nodes) == [eng.myself.node_id]
    assert "currentEpoch 0 lastVoteEpoch 0" in net.nodes[1].store.content


def test_minority_master_waits_before_ok_again(seed):
    net = Network(seed, node_timeout=2000)
    for _ in range(3):
        net.add_node()
    _formed(net, 3)
    lone = net.nodes[0]
    net.partition([lone], net.nodes[1:])
    net.run_until(lambda: lone.engine.state.health is ClusterHealth.FAIL, 10)
    net.heal()
    start = net.clock.ms
    net.run_until(lambda: lone.engine.state.health is ClusterHealth.OK, 20)
    # back only after the others are reachable again and the 2 s rejoin delay passed
    assert net.clock.ms - start >= 2000


def test_a_node_whose_role_is_not_known_yet_can_be_replicated(seed):
    """redis refuses CLUSTER REPLICATE of a replica only: a node learnt by gossip whose
    role flags have not arrived yet may be followed (redis's cluster suite assigns 15
    replicas in a row right after the meet)."""
    net = Network(seed)
    for _ in range(3):
        net.add_node()
    net.create(1)
    net.run_until(lambda: _converged(net, 3), 30)
    master, other, third = net.nodes
    master_id = master.engine.state.myself.node_id
    seen = other.engine.state.nodes[master_id]
    seen.flags &= ~NodeFlag.MASTER
    admin.replicate(other.engine, master_id, 0)
    assert other.engine.state.myself.master is seen
    third.engine.state.nodes[master_id].flags ^= NodeFlag.MASTER | NodeFlag.SLAVE
    with pytest.raises(admin.ClusterCommandError, match="only replicate a master"):
        admin.replicate(third.engine, master_id, 0)
