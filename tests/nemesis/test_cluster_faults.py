"""Failover and live resharding against a real redis-server 7.0 cluster."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from base.op import OpType
from nemesis import FaultEnv, NemesisOptions, build_package
from nemesis.cluster import choose_reshard_pair, slots_of
from nemesis.schedule import nemesis_invoke
from nodes.keyslot import keyslot
from tests.nemesis.redis_cluster import LoopbackCluster
from tests.support.servers import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LoopbackCluster]:
    c = LoopbackCluster(tmp_path)
    try:
        c.start()
        yield c
    finally:
        for s in c.servers:
            s.stop()


def tag_for_slot(slot: int) -> str:
    for i in range(1_000_000):
        if keyslot(f"t{i}") == slot:
            return f"t{i}"
    raise AssertionError(f"no tag for slot {slot}")


def test_failover_promotes_a_replica(cluster, seed):
    async def scenario() -> None:
        package = build_package("failover", NemesisOptions(failover_wait_s=10))
        await package.nemesis.setup(FaultEnv(cluster, cluster.hosts, random.Random(seed), print))
        done = await package.nemesis.invoke(nemesis_invoke("failover", "failover"))
        assert done.type is OpType.OK, done.error
        assert done.value["node"] == "n4" and done.value["primary"] == "n1"
        assert done.value["promoted"] is True, cluster.servers[3].output()[-1500:]
        await package.nemesis.teardown()

    asyncio.run(scenario())
    wait_until(lambda: "n4" in cluster.topology_now().primaries, 10, "n4 seen as primary")


def test_reshard_moves_slots_and_keys_while_readable(cluster, seed):
    topology = cluster.topology_now()
    names = [h.name for h in cluster.hosts]
    src, dst = choose_reshard_pair(topology, names, random.Random(seed))
    slots = sorted(random.Random(seed).sample(slots_of(topology, src), 4))
    keys = [f"{{{tag_for_slot(s)}}}:{j}" for s in slots for j in range(30)]
    source = cluster.client(src)
    for k in keys:
        source.set(k, k)

    async def scenario() -> None:
        options = NemesisOptions(reshard_slots=4, reshard_keys_per_batch=7)
        package = build_package("reshard", options)
        await package.nemesis.setup(FaultEnv(cluster, cluster.hosts, random.Random(seed), print))
        done = await package.nemesis.invoke(nemesis_invoke("reshard", "reshard"))
        assert done.type is OpType.OK, done.error
        assert (done.value["from"], done.value["to"]) == (src, dst)
        # The slots holding keys are the ones moved (found with SCAN).
        assert done.value["moved"] == slots and done.value["keys"] == len(keys)
        await package.nemesis.teardown()

    asyncio.run(scenario())
    target = cluster.client(dst)
    assert [target.get(k) for k in keys] == [k.encode() for k in keys]
    after = cluster.topology_now()
    owned = {s for lo, hi in after.slots_of[dst] for s in range(lo, hi + 1)}
    assert set(slots) <= owned
    dst_port = next(h.port for h in cluster.hosts if h.name == dst)
    with pytest.raises(redis.ResponseError, match=f"127.0.0.1:{dst_port}"):
        source.get(keys[0])  # MOVED to the target
