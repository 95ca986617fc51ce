"""Random crashes, restarts and partitions in the simulation; after healing, the cluster
must converge to one slot map with full coverage, and no two masters may ever hold the
same slot at the same config epoch in a node's view."""

from __future__ import annotations

import random

from nodes.cluster.slots import ALL_SLOTS
from tests.nodes.cluster.sim import Network
from tests.nodes.cluster.test_failover_sim import _cluster, _roles_agree


def _epochs_unique_per_slot(net: Network) -> None:
    for node in net.nodes:
        if not node.up:
            continue
        owners = [n for n in node.engine.state.nodes.values() if n.is_master and n.slots]
        by_epoch: dict[int, int] = {}
        for owner in owners:
            overlap = by_epoch.get(owner.config_epoch, 0) & owner.slots
            assert not overlap, f"two owners of the same slots at epoch {owner.config_epoch}"
            by_epoch[owner.config_epoch] = by_epoch.get(owner.config_epoch, 0) | owner.slots


def test_random_faults_then_heal_converges(seed):
    rng = random.Random(seed)
    net = _cluster(seed, masters=3, replicas_per_master=1)
    for _step in range(12):
        action = rng.choice(["crash", "restart", "partition", "heal", "wait"])
        down = [n for n in net.nodes if not n.up]
        if action == "crash" and len(down) < 2:
            net.crash(rng.choice([n for n in net.nodes if n.up]))
        elif action == "restart" and down:
            net.restart(rng.choice(down))
        elif action == "partition":
            shuffled = net.nodes[:]
            rng.shuffle(shuffled)
            cut = rng.randrange(1, len(shuffled))
            net.partition(shuffled[:cut], shuffled[cut:])
        elif action == "heal":
            net.heal()
        net.run(rng.uniform(0.5, 4.0))
        _epochs_unique_per_slot(net)
    net.heal()
    for node in net.nodes:
        if not node.up:
            net.restart(node)
    net.run_until(lambda: _roles_agree(net) and net.all_ok(), 60)
    for node in net.nodes:
        assert node.engine.state.assigned_mask() == ALL_SLOTS
    _epochs_unique_per_slot(net)
