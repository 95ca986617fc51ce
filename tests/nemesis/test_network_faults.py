"""Partitions, packet loss, flapping and netem detection on real namespaces."""

from __future__ import annotations

import asyncio
import os
import random

import pytest

from base.db import NodeHost, Topology
from base.op import OpType
from harness.netns import find_leftovers
from nemesis import (
    FaultEnv,
    NemesisOptions,
    UnsupportedFault,
    build_package,
    cleanup_leftovers,
    preflight,
)
from nemesis.catalog import SPECS
from nemesis.grudge import PARTITIONS, grudge_from_json, is_cut
from nemesis.netfilter import list_tables, netem_missing
from nemesis.network import NetworkNemesis
from nemesis.preflight import netem_problem
from nemesis.probe import Reach, tcp_probe
from nemesis.schedule import nemesis_invoke
from tests.nemesis.conftest import TOPOLOGY
from tests.nemesis.listeners import probe_all, tcp_listeners, udp_delivery
from tests.nemesis.sleeper_db import SleeperDB

pytestmark = pytest.mark.netns

FAST = NemesisOptions(probe_timeout_s=0.3, flap_period_s=0.25, packet_loss_percent=50)


def env_for(hosts: list[NodeHost], seed: int) -> FaultEnv:
    return FaultEnv(SleeperDB(hosts, TOPOLOGY), hosts, random.Random(seed), print)


@pytest.mark.parametrize("kind", sorted(PARTITIONS))
def test_partition_cuts_exactly_the_grudge_and_heals(kind, hosts, seed):
    async def scenario() -> None:
        nemesis = NetworkNemesis(FAST, [SPECS["partition-one"]])
        await nemesis.setup(env_for(hosts, seed))
        async with tcp_listeners(hosts):
            try:
                before = await probe_all(hosts)
                assert set(before.pairs.values()) == {Reach.OPEN}
                done = await nemesis.invoke(nemesis_invoke("start-partition", kind))
                assert done.type is OpType.OK, done.error
                grudge = grudge_from_json(done.value)
                assert any(grudge.values())
                cut = await probe_all(hosts)
                for (a, b), reach in cut.pairs.items():
                    expected = Reach.DROPPED if is_cut(grudge, a, b) else Reach.OPEN
                    assert reach is expected, f"{kind}: {a}->{b} {reach} under {done.value}"
                assert set(cut.harness.values()) == {Reach.OPEN}, "the harness was cut"
                healed = await nemesis.invoke(nemesis_invoke("stop-partition", kind))
                assert healed.type is OpType.OK, healed.error
                after = await probe_all(hosts)
                assert set(after.pairs.values()) == {Reach.OPEN}
            finally:
                await nemesis.teardown()
        for h in hosts:
            assert nemesis.table not in " ".join(await list_tables(h.netns or ""))

    asyncio.run(scenario())


def test_package_partition_minority_is_recorded_and_torn_down(hosts, seed):
    async def scenario() -> None:
        package = build_package("partition-minority", FAST)
        await package.nemesis.setup(env_for(hosts, seed))
        async with tcp_listeners(hosts):
            try:
                plan = package.schedule(random.Random(seed), 30)
                start = await package.nemesis.invoke(plan[0].op)
                assert start.f == "start-partition" and start.type is OpType.OK
                grudge = grudge_from_json(start.value)
                small = [n for n, peers in grudge.items() if len(peers) == 3]
                assert len(small) == 2 and set(small) & set(TOPOLOGY.primaries)
                # No stop: teardown alone must heal.
            finally:
                await package.nemesis.teardown()
            after = await probe_all(hosts)
            assert set(after.pairs.values()) == {Reach.OPEN}
            await package.nemesis.teardown()  # safe twice

    asyncio.run(scenario())


def test_cleanup_leftovers_removes_tables_a_dead_run_left(hosts, network, seed):
    async def scenario() -> None:
        nemesis = NetworkNemesis(FAST, [SPECS["partition-one"]])
        await nemesis.setup(env_for(hosts, seed))
        done = await nemesis.invoke(nemesis_invoke("start-partition", "partition-halves"))
        assert done.type is OpType.OK, done.error
        # The run "dies" here: no teardown.

    asyncio.run(scenario())
    removed = cleanup_leftovers(network.prefix)
    assert sorted(r.split(":")[0] for r in removed) == sorted(h.netns for h in hosts)

    async def probe() -> None:
        async with tcp_listeners(hosts):
            after = await probe_all(hosts)
            assert set(after.pairs.values()) == {Reach.OPEN}

    asyncio.run(probe())


def test_packet_loss_drops_a_share_between_nodes_but_not_from_the_harness(hosts, seed):
    async def scenario() -> None:
        nemesis = NetworkNemesis(FAST, [SPECS["packet-loss"]])
        await nemesis.setup(env_for(hosts, seed))
        try:
            assert await udp_delivery(hosts[0], hosts[1], 200) == 200
            done = await nemesis.invoke(nemesis_invoke("start-packet-loss", "packet-loss"))
            assert done.type is OpType.OK and done.value["percent"] == 50
            got = await udp_delivery(hosts[0], hosts[1], 400)
            assert 100 < got < 300, f"{got}/400 arrived under 50% loss"
            assert await udp_delivery(None, hosts[1], 200) == 200, "harness traffic was dropped"
            await nemesis.invoke(nemesis_invoke("stop-packet-loss", "packet-loss"))
            assert await udp_delivery(hosts[0], hosts[1], 200) == 200
        finally:
            await nemesis.teardown()

    asyncio.run(scenario())


def test_flap_toggles_a_node_off_and_on_for_its_peers_only(hosts, seed):
    async def scenario() -> None:
        nemesis = NetworkNemesis(FAST, [SPECS["flap"]])
        await nemesis.setup(env_for(hosts, seed))
        loop = asyncio.get_running_loop()
        async with tcp_listeners(hosts):
            try:
                done = await nemesis.invoke(nemesis_invoke("start-flap", "flap"))
                node = next(h for h in hosts if h.name == done.value["node"])
                peer = next(h for h in hosts if h is not node)
                seen: set[Reach] = set()
                deadline = loop.time() + 5
                while seen != {Reach.OPEN, Reach.DROPPED} and loop.time() < deadline:
                    seen.add(await tcp_probe(peer.netns, node.ip, node.port, 0.1))
                    assert await tcp_probe(None, node.ip, node.port, 0.3) is Reach.OPEN
                assert seen == {Reach.OPEN, Reach.DROPPED}, f"flapping seen as {seen}"
                await nemesis.invoke(nemesis_invoke("stop-flap", "flap"))
                for _ in range(3):
                    assert await tcp_probe(peer.netns, node.ip, node.port, 0.5) is Reach.OPEN
            finally:
                await nemesis.teardown()

    asyncio.run(scenario())


@pytest.mark.parametrize("fault", ["delay", "duplicate"])
def test_netem_faults_are_refused_clearly_when_the_kernel_lacks_netem(fault, hosts, seed):
    async def scenario() -> None:
        reason = await netem_missing(hosts[0].netns or "")
        package = build_package(fault, FAST)
        if reason is None:  # a kernel with netem: the fault must apply
            await package.nemesis.setup(env_for(hosts, seed))
            done = await package.nemesis.invoke(nemesis_invoke(f"start-{fault}", fault))
            assert done.type is OpType.OK
            await package.nemesis.teardown()
            return
        assert reason.startswith("tc says: ")
        with pytest.raises(UnsupportedFault, match=rf"fault '{fault}' needs the kernel's netem"):
            await package.nemesis.setup(env_for(hosts, seed))

    asyncio.run(scenario())


def test_partitions_need_namespaces(seed):
    hosts = [NodeHost("a", "127.0.0.1", 7000, 17000, None)]

    async def scenario() -> None:
        with pytest.raises(UnsupportedFault, match="network namespace"):
            await build_package("partition-one", FAST).nemesis.setup(env_for(hosts, seed))

    asyncio.run(scenario())


def test_preflight_reports_netem_before_anything_starts():
    prefix = f"sbt{os.urandom(3).hex()}"
    problems = preflight(["partition-one", "delay", "kill"], prefix)
    reason = netem_problem(f"{prefix}-x")
    if reason is None:
        assert problems == []
    else:
        assert problems == [
            f"fault 'delay' needs the kernel's netem qdisc (sch_netem), which this kernel "
            f"lacks ({reason}); packet-loss and flap work without it"
        ]
    assert find_leftovers(prefix).empty


def test_an_impossible_partition_fails_and_an_unknown_f_is_refused(hosts, seed):
    one_primary = Topology(primaries=("n1",), replicas_of={"n1": ("n2", "n3", "n4", "n5")})

    async def scenario() -> None:
        package = build_package("partition-primaries", FAST)
        env = FaultEnv(SleeperDB(hosts, one_primary), hosts, random.Random(seed), print)
        await package.nemesis.setup(env)
        try:
            done = await package.nemesis.invoke(
                nemesis_invoke("start-partition", "partition-primaries")
            )
            assert done.type is OpType.FAIL and "needs 2 live primaries" in (done.error or "")
            odd = await package.nemesis.invoke(nemesis_invoke("start-kill", "kill"))
            assert odd.type is OpType.FAIL and "no nemesis handles 'start-kill'" in (
                odd.error or ""
            )
        finally:
            await package.nemesis.teardown()

    asyncio.run(scenario())
