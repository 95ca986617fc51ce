"""Several nodes per host (``--hosts``): placement, faults that target hosts, and a real
run of 6 redis-server nodes on 3 namespace hosts under partition-minority."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from base.db import NodeHost, Topology
from harness.dbs.cluster_state import parse_cluster_nodes
from harness.dbs.hosts_network import placement
from harness.options import netns_available
from nemesis.grudge import partition_minority
from nemesis.places import node_grudge, place_topology, places_of
from nemesis.targets import choose_targets
from tests.harness.conftest import assert_nothing_left
from tests.harness.test_run import harness, latest, prefix_of

needs_netns = pytest.mark.skipif(not netns_available(), reason="needs root for namespaces")


def _six_on_three() -> list[NodeHost]:
    return [
        NodeHost(n, f"10.0.0.{int(h[1:]) + 1}", port, port + 10000, f"x-{h}", h)
        for n, h, port in placement([f"n{i}" for i in range(1, 7)], 3)
    ]


def test_placement_deals_nodes_over_hosts_on_7000_up() -> None:
    assert placement(["n1", "n2", "n3", "n4", "n5"], 2) == [
        ("n1", "h1", 7000),
        ("n2", "h2", 7000),
        ("n3", "h1", 7001),
        ("n4", "h2", 7001),
        ("n5", "h1", 7002),
    ]
    with pytest.raises(ValueError, match="--hosts 0"):
        placement(["n1"], 0)


def test_partition_minority_over_hosts_cuts_one_host_with_its_nodes(seed: int) -> None:
    hosts = _six_on_three()
    places = places_of(hosts)
    assert {p: places[p].node_names for p in places} == {
        "h1": ("n1", "n4"),
        "h2": ("n2", "n5"),
        "h3": ("n3", "n6"),
    }
    # Each host: one primary and a replica of the next host's primary.
    nodes = Topology(("n1", "n2", "n3"), {"n1": ("n5",), "n2": ("n6",), "n3": ("n4",)})
    where = {h.name: h.machine for h in hosts}
    lifted = place_topology(nodes, where)
    assert lifted is not None
    assert lifted.primaries == ("h1", "h2", "h3")
    assert lifted.replicas_of == {"h1": ("h2",), "h2": ("h3",), "h3": ("h1",)}
    grudge = partition_minority(list(places), lifted, random.Random(seed))
    cut = [h for h, dropped in grudge.items() if len(dropped) == 2]
    assert len(cut) == 1, grudge
    expanded = node_grudge(grudge, places)
    mine = set(places[cut[0]].node_names)
    for node in mine:
        assert expanded[node] == frozenset(h.name for h in hosts) - mine
    for node in set(expanded) - mine:
        assert expanded[node] == frozenset(mine)


def test_counted_targets_hit_whole_hosts(seed: int) -> None:
    hosts = _six_on_three()
    where = {h.name: h.machine for h in hosts}
    names = [h.name for h in hosts]
    rng = random.Random(seed)
    one = choose_targets("one", names, None, rng, where)
    assert len(one) == 2 and len({where[n] for n in one}) == 1
    assert choose_targets("all", names, None, rng, where) == sorted(names)
    majority = choose_targets("majority", names, None, rng, where)
    assert len({where[n] for n in majority}) == 2 and len(majority) == 4
    # Roles stay per node.
    roles = Topology(("n1", "n2", "n3"))
    assert choose_targets("primaries", names, roles, rng, where) == ["n1", "n2", "n3"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hosts", "3", "--nodes", "5"], "want two or more nodes per host"),
        (["--hosts", "2", "--net", "loopback"], "--hosts needs --net netns"),
        (["--hosts", "-1"], "--hosts -1: must be >= 1"),
    ],
)
def test_bad_hosts_arguments_exit_254(tmp_path: Path, args: list[str], message: str) -> None:
    done = harness("run", "--store", str(tmp_path / "store"), *args)
    assert done.returncode == 254, done.stderr
    assert message in done.stderr


@needs_netns
@pytest.mark.netns
@pytest.mark.redis
@pytest.mark.slow
def test_six_nodes_on_three_hosts_partition_minority(tmp_path: Path, seed: int) -> None:
    store = tmp_path / "store"
    done = harness(
        "run", "--db", "redis", "--hosts", "3", "--nodes", "6", "--workload", "set",
        "--nemesis", "partition-minority", "--nemesis-interval", "4",
        "--time-limit", "10", "--recovery-time", "3", "--rate", "500",
        "--store", str(store), "--seed", str(seed), timeout=180,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr[-3000:]
    run_dir = latest(store)
    assert_nothing_left(run_dir, prefix_of(run_dir))
    test = json.loads((run_dir / "test.json").read_text())
    by_host: dict[str, list[dict[str, object]]] = {}
    for h in test["hosts"]:
        by_host.setdefault(str(h["host"]), []).append(h)
    assert sorted(by_host) == ["h1", "h2", "h3"]
    for nodes in by_host.values():
        assert len(nodes) == 2
        assert len({n["ip"] for n in nodes}) == 1
        assert sorted(int(str(n["port"])) for n in nodes) == [7000, 7001]
    # A replica never shares its primary's host (whichever of the pair is primary now).
    host_of = {f"{h['ip']}:{h['port']}": str(h["host"]) for h in test["hosts"]}
    lines = parse_cluster_nodes((run_dir / "nodes" / "n1" / "nodes.conf").read_text())
    address_of = {line.node_id: line.address for line in lines}
    pairs = [(line.address, address_of[line.master_id]) for line in lines if line.master_id]
    assert len(pairs) == 3
    for replica, primary in pairs:
        assert host_of[replica] != host_of[primary], pairs
    history = [json.loads(line) for line in (run_dir / "history.jsonl").open()]
    cuts = [
        op
        for op in history
        if op["process"] == "nemesis" and op["f"] == "start-partition" and op["type"] == "ok"
    ]
    assert cuts, "no partition happened"
    for op in cuts:
        cut = [h for h, dropped in op["hosts"].items() if len(dropped) == 2]
        assert len(cut) == 1, op
        mine = sorted(str(n["name"]) for n in by_host[cut[0]])
        for node in mine:
            assert sorted(op["value"][node]) == sorted(
                str(h["name"]) for h in test["hosts"] if h["name"] not in mine
            )
