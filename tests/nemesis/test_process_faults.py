"""Kill, pause and restart act on the right pids (real processes, roles from topology)."""

from __future__ import annotations

import asyncio
import random

import pytest

from base.db import NodeHost
from base.op import OpType
from nemesis import FaultEnv, NemesisOptions, UnsupportedFault, build_package
from nemesis.schedule import nemesis_invoke
from tests.nemesis.conftest import NODES, TOPOLOGY
from tests.nemesis.sleeper_db import SleeperDB

HOSTS = [NodeHost(n, "127.0.0.1", 7000 + i, 17000 + i) for i, n in enumerate(NODES)]


def run_with_db(seed: int, faults: str, body: object) -> None:
    async def scenario() -> None:
        db = SleeperDB(HOSTS, TOPOLOGY)
        await db.setup()
        package = build_package(faults, NemesisOptions())
        try:
            await package.nemesis.setup(FaultEnv(db, HOSTS, random.Random(seed), print))
            try:
                assert callable(body)
                await body(db, package)
            finally:
                await package.nemesis.teardown()
            for n in NODES:
                assert db.alive(n) and not db.stopped(n), f"{n} not running after teardown"
        finally:
            await db.teardown()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("kill-primaries", set(TOPOLOGY.primaries)),
        ("kill-replicas", set(TOPOLOGY.replicas)),
        ("kill-all", set(NODES)),
    ],
)
def test_kill_hits_the_role_and_restarts_at_the_stop(fault, expected, seed):
    async def body(db: SleeperDB, package) -> None:
        pids = {n: db.pid(n) for n in NODES}
        done = await package.nemesis.invoke(nemesis_invoke("start-kill", fault))
        assert done.type is OpType.OK and set(done.value) == expected
        for n in NODES:
            assert db.alive(n) == (n not in expected), n
        restarted = await package.nemesis.invoke(nemesis_invoke("stop-kill", fault))
        assert set(restarted.value) == expected
        for n in NODES:
            assert db.alive(n)
            assert (db.pid(n) != pids[n]) == (n in expected), n

    run_with_db(seed, fault, body)


@pytest.mark.parametrize(
    ("fault", "size"), [("kill", 1), ("kill-minority", 2), ("kill-majority", 3)]
)
def test_kill_counts(fault, size, seed):
    async def body(db: SleeperDB, package) -> None:
        done = await package.nemesis.invoke(nemesis_invoke("start-kill", fault))
        assert len(done.value) == size
        assert sorted(n for n in NODES if not db.alive(n)) == done.value
        # Teardown (not a stop) must restart them.

    run_with_db(seed, fault, body)


def test_pause_stops_and_resumes_the_same_pids(seed):
    async def body(db: SleeperDB, package) -> None:
        pids = {n: db.pid(n) for n in NODES}
        done = await package.nemesis.invoke(nemesis_invoke("start-pause", "pause-primaries"))
        assert set(done.value) == set(TOPOLOGY.primaries)
        for n in NODES:
            assert db.stopped(n) == (n in TOPOLOGY.primaries)
        await package.nemesis.invoke(nemesis_invoke("stop-pause", "pause-primaries"))
        assert not any(db.stopped(n) for n in NODES)
        assert {n: db.pid(n) for n in NODES} == pids

    run_with_db(seed, "pause-primaries", body)


def test_pause_left_paused_is_resumed_by_teardown(seed):
    async def body(db: SleeperDB, package) -> None:
        done = await package.nemesis.invoke(nemesis_invoke("start-pause", "pause-majority"))
        assert len(done.value) == 3 and all(db.stopped(n) for n in done.value)

    run_with_db(seed, "pause-majority", body)


def test_restart_all_gives_every_node_a_new_pid(seed):
    async def body(db: SleeperDB, package) -> None:
        pids = {n: db.pid(n) for n in NODES}
        done = await package.nemesis.invoke(nemesis_invoke("restart-all", "restart-all"))
        assert done.type is OpType.OK and done.value == sorted(NODES)
        assert all(db.alive(n) and db.pid(n) != pids[n] for n in NODES)

    run_with_db(seed, "restart-all", body)


def test_roles_unknown_is_a_failed_op_not_a_crash(seed):
    async def scenario() -> None:
        db = SleeperDB(HOSTS, topology=None)
        await db.setup()
        package = build_package("kill-primaries", NemesisOptions(topology_timeout_s=0.5))
        try:
            await package.nemesis.setup(FaultEnv(db, HOSTS, random.Random(seed), print))
            done = await package.nemesis.invoke(nemesis_invoke("start-kill", "kill-primaries"))
            assert done.type is OpType.FAIL and "roles unknown" in (done.error or "")
            assert all(db.alive(n) for n in NODES)
            await package.nemesis.teardown()
        finally:
            await db.teardown()

    asyncio.run(scenario())


class PlainDB:
    hosts = HOSTS

    async def setup(self) -> None: ...

    async def teardown(self) -> None: ...


@pytest.mark.parametrize("fault", ["kill", "pause", "failover", "clock"])
def test_a_db_without_the_ability_is_refused_by_name(fault, seed):
    async def scenario() -> None:
        with pytest.raises(UnsupportedFault, match=fault):
            await build_package(fault, NemesisOptions()).nemesis.setup(
                FaultEnv(PlainDB(), HOSTS, random.Random(seed), print)
            )

    asyncio.run(scenario())
