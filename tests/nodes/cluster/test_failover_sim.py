"""Replica election and voting in the deterministic simulation."""

from __future__ import annotations

import dataclasses

from nodes.cluster.failover import Failover
from nodes.cluster.wire import ClusterHealth, NodeFlag
from tests.nodes.cluster.sim import Network, SimNode


def _cluster(seed: int, masters: int = 3, replicas_per_master: int = 1) -> Network:
    net = Network(seed, node_timeout=1000)
    for _ in range(masters * (1 + replicas_per_master)):
        net.add_node()
    net.create(masters)
    total = len(net.nodes)
    net.run_until(
        lambda: (
            all(
                len([n for n in x.engine.state.nodes.values() if not n.in_handshake]) == total
                for x in net.nodes
            )
            and net.all_ok()
        ),
        30,
    )
    for i in range(masters * replicas_per_master):
        net.replicate(net.nodes[masters + i], net.nodes[i % masters])
    net.run_until(lambda: _roles_agree(net), 20)
    return net


def _roles_agree(net: Network) -> bool:
    views = set()
    for node in net.nodes:
        if not node.up:
            continue
        state = node.engine.state
        views.add(
            tuple(
                sorted(
                    (n.node_id, n.is_master, n.master.node_id if n.master else "", n.slots)
                    for n in state.nodes.values()
                )
            )
        )
    return len(views) == 1


def _id(node: SimNode) -> str:
    return node.engine.myself.node_id


def test_replica_takes_over_a_killed_master_and_old_master_rejoins_as_replica(seed):
    net = _cluster(seed)
    master, replica = net.nodes[0], net.nodes[3]
    slots = master.engine.myself.slots
    epochs_before = {n.engine.myself.config_epoch for n in net.nodes[:3]}
    net.crash(master)
    took = net.run_until(lambda: replica.engine.myself.is_master, 15)
    assert took < 5  # T + FAIL propagation + 0.5..1 s delay
    new_epoch = replica.engine.myself.config_epoch
    assert new_epoch > max(epochs_before)
    net.run_until(
        lambda: (
            all(
                n.engine.state.owners[0] is n.engine.state.nodes[_id(replica)]
                for n in net.nodes
                if n.up
            )
            and net.all_ok()
        ),
        15,
    )
    assert replica.engine.myself.slots == slots
    net.restart(master)
    net.run_until(
        lambda: (
            master.engine.myself.is_replica
            and master.engine.myself.master is not None
            and master.engine.myself.master.node_id == _id(replica)
        ),
        15,
    )
    net.run_until(lambda: _roles_agree(net) and net.all_ok(), 20)


def test_replica_with_larger_offset_wins(seed):
    net = _cluster(seed, masters=3, replicas_per_master=2)
    master = net.nodes[0]
    r1, r2 = net.nodes[3], net.nodes[6]
    assert r1.engine.myself.master is r1.engine.state.nodes[_id(master)]
    assert r2.engine.myself.master is r2.engine.state.nodes[_id(master)]
    r1.offset, r2.offset = 100, 5000
    net.run(2)  # offsets travel in pings
    net.crash(master)
    net.run_until(lambda: r1.engine.myself.is_master or r2.engine.myself.is_master, 15)
    assert r2.engine.myself.is_master
    net.run_until(lambda: _roles_agree(net), 15)
    assert r1.engine.myself.is_replica
    assert r1.engine.myself.master is r1.engine.state.nodes[_id(r2)]


def test_stale_replica_refuses_to_failover(seed):
    net = _cluster(seed)
    master, replica = net.nodes[0], net.nodes[3]
    replica.data_age_ms = 1000 + 10_000 + 10 * 1000 + 1  # T + ping period + T * factor
    net.crash(master)
    net.run(8)
    assert replica.engine.myself.is_replica
    assert all(n.engine.state.health is ClusterHealth.FAIL for n in net.nodes if n.up)


def test_nofailover_replica_is_never_promoted(seed):
    net = _cluster(seed)
    master, replica = net.nodes[0], net.nodes[3]
    replica.engine.config = dataclasses.replace(replica.engine.config, replica_no_failover=True)
    net.crash(master)
    net.run(8)
    assert replica.engine.myself.is_replica


def test_ten_kill_restart_cycles_keep_slots_and_unique_epochs(seed):
    net = _cluster(seed)
    seen_epochs: list[int] = []
    for cycle in range(10):
        masters = [n for n in net.nodes if n.engine.myself.is_master and n.engine.myself.slots]
        victim = masters[cycle % len(masters)]
        net.crash(victim)
        net.run_until(
            lambda v=victim: all(
                n.engine.state.health is ClusterHealth.OK
                and n.engine.state.nodes[_id(v)].numslots == 0
                for n in net.nodes
                if n.up
            ),
            30,
        )
        epochs = sorted(
            n.engine.myself.config_epoch
            for n in net.nodes
            if n.up and n.engine.myself.is_master and n.engine.myself.slots
        )
        assert len(set(epochs)) == len(epochs), epochs
        seen_epochs.append(max(epochs))
        net.restart(victim)
        net.run_until(lambda: _roles_agree(net) and net.all_ok(), 30)
        for node in net.nodes:
            assert node.engine.state.assigned_mask() == (1 << 16384) - 1
    assert seen_epochs == sorted(seen_epochs) and len(set(seen_epochs)) == 10


def test_votes_once_per_epoch_and_saves_before_acking(seed):
    net = _cluster(seed)
    master, replica = net.nodes[1], net.nodes[4]
    net.crash(master)
    net.run_until(lambda: replica.engine.myself.is_master, 15)
    for voter in (net.nodes[0], net.nodes[2]):
        state = voter.engine.state
        assert state.last_vote_epoch == replica.engine.myself.config_epoch
        assert f"lastVoteEpoch {state.last_vote_epoch}" in voter.store.content
    assert not replica.engine.myself.flags & NodeFlag.FAIL


def test_manual_failover_waits_for_the_offset_then_swaps_roles(seed):
    net = _cluster(seed)
    master, replica = net.nodes[2], net.nodes[5]
    master.offset, replica.offset = 700, 650
    paused: list[bool] = []
    master_failover = master.engine.failover
    assert isinstance(master_failover, Failover)
    master_failover.on_pause_change = paused.append
    replica_failover = replica.engine.failover
    assert isinstance(replica_failover, Failover)
    replica_failover.start_manual(force=False, takeover=False)
    net.run(1)
    assert paused == [True]
    assert replica.engine.myself.is_replica  # still behind the paused master's offset
    replica.offset = 700  # the replica caught up
    net.run_until(lambda: replica.engine.myself.is_master, 5)
    net.run_until(lambda: master.engine.myself.is_replica, 5)
    assert paused == [True, False]
    net.run_until(lambda: _roles_agree(net) and net.all_ok(), 10)


def test_replica_migrates_to_an_orphaned_master(seed):
    net = Network(seed, node_timeout=1000)
    for _ in range(7):
        net.add_node()
    net.create(3)
    net.run_until(
        lambda: all(
            len([n for n in x.engine.state.nodes.values() if not n.in_handshake]) == 7
            for x in net.nodes
        ),
        30,
    )
    a, b = net.nodes[0], net.nodes[1]
    a1, a2, b1, c1 = net.nodes[3], net.nodes[4], net.nodes[5], net.nodes[6]
    net.replicate(a1, a)
    net.replicate(a2, a)
    net.replicate(b1, b)
    net.replicate(c1, net.nodes[2])
    net.run_until(lambda: _roles_agree(net) and net.all_ok(), 20)
    net.crash(b1)
    b_id = _id(b)
    took = net.run_until(
        lambda: any(
            r.engine.myself.master is not None and r.engine.myself.master.node_id == b_id
            for r in (a1, a2)
        ),
        20,
    )
    assert took >= 5  # the orphan must stay orphaned for 5 s first
    movers = [r for r in (a1, a2) if r.engine.myself.master.node_id == b_id]  # type: ignore[union-attr]
    assert len(movers) == 1
    assert _id(movers[0]) == min(_id(a1), _id(a2))  # the smallest id goes


def test_takeover_with_a_majority_of_masters_down(seed):
    net = _cluster(seed)
    a, b = net.nodes[0], net.nodes[1]
    a1 = net.nodes[3]
    slots = a.engine.myself.slots
    net.crash(a)
    net.crash(b)
    net.run(4)
    assert a1.engine.myself.is_replica  # no majority: no election can be won
    failover = a1.engine.failover
    assert isinstance(failover, Failover)
    failover.start_manual(force=True, takeover=True)
    a1.engine.after_command()
    assert a1.engine.myself.is_master and a1.engine.myself.slots == slots
    epoch = a1.engine.myself.config_epoch
    assert epoch == max(n.engine.state.max_epoch() for n in net.nodes if n.up)
    c = net.nodes[2]
    net.run_until(lambda: c.engine.state.owners[0] is c.engine.state.nodes[_id(a1)], 5)
