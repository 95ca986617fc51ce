"""Adding a fault is one spec and one part: a throwaway fault, declared only here, goes
through the catalog lookup, the preflight, the package (its part is built, its DB
ability checked), the schedule and the final heal with no edit anywhere else."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import pytest

from base.db import NodeHost
from base.op import Op, OpType
from nemesis import (
    SPECS,
    FaultEnv,
    FaultSpec,
    Heal,
    NemesisOptions,
    UnsupportedFault,
    build_package,
    parse_faults,
    preflight,
)
from nemesis.schedule import nemesis_invoke

HOSTS = [NodeHost(n, "127.0.0.1", 7000 + i, 17000 + i) for i, n in enumerate(("a", "b", "c"))]


@runtime_checkable
class Wobbly(Protocol):
    """Lets its nodes wobble."""

    def wobble(self, node: str, on: bool) -> None: ...


class WobbleNemesis:
    """The part: wobbles one random node at the start, steadies every node at the stop."""

    def __init__(self, options: NemesisOptions, specs: Iterable[FaultSpec]) -> None:
        self.specs = tuple(specs)
        self.env: FaultEnv | None = None
        self.torn_down = 0

    @property
    def fs(self) -> frozenset[str]:
        return frozenset({"start-wobble", "stop-wobble"})

    async def setup(self, env: FaultEnv) -> None:
        self.env = env

    async def invoke(self, op: Op) -> Op:
        assert self.env is not None and isinstance(self.env.db, Wobbly)
        if op.f == "start-wobble":
            node = self.env.rng.choice([h.name for h in self.env.hosts])
            self.env.db.wobble(node, True)
            return op.complete(OpType.OK, value=[node])
        for h in self.env.hosts:
            self.env.db.wobble(h.name, False)
        return op.complete(OpType.OK, value="steady")

    async def teardown(self) -> None:
        self.torn_down += 1


WOBBLE = FaultSpec(
    "wobble",
    "wobble",
    "start-wobble",
    "stop-wobble",
    WobbleNemesis,
    heal=Heal.NETWORK,
    abilities=(Wobbly,),
    summary="Wobble one node.",
)
CATALOG = {**SPECS, WOBBLE.name: WOBBLE}


class WobblyDB:
    hosts = HOSTS

    def __init__(self) -> None:
        self.wobbling: set[str] = set()

    async def setup(self) -> None: ...

    async def teardown(self) -> None: ...

    def wobble(self, node: str, on: bool) -> None:
        (self.wobbling.add if on else self.wobbling.discard)(node)


class SteadyDB:
    hosts = HOSTS

    async def setup(self) -> None: ...

    async def teardown(self) -> None: ...


def test_the_new_name_is_known_only_to_the_catalog_that_has_it():
    assert parse_faults("wobble, reshard", CATALOG) == ["wobble", "reshard"]
    with pytest.raises(ValueError, match="unknown nemesis fault 'wobble'"):
        parse_faults("wobble")


def test_preflight_finds_nothing_missing_for_a_fault_without_needs():
    assert preflight(["wobble", "reshard"], "sbtunused", catalog=CATALOG) == []


def test_schedule_and_final_heal_follow_the_spec(seed):
    options = NemesisOptions(interval_s=1.0, jitter=0.0, first_fault_s=0.5)
    package = build_package("kill,wobble", options, CATALOG)
    plan = package.schedule(random.Random(seed), 10.0)
    fs = [s.op.f for s in plan]
    assert fs.count("start-wobble") == fs.count("stop-wobble") >= 2
    for s in plan:
        if s.op.f.endswith("wobble"):
            assert s.op.value == "wobble"
    # The heal stage puts wobble's stop (network stage) before the restart of killed nodes.
    assert [op.f for op in package.final_ops()] == ["stop-wobble", "stop-kill"]
    assert package.stop_fs == {"stop-wobble", "stop-kill"}
    assert {"start-wobble", "stop-wobble", "start-kill"} <= package.nemesis.fs


def test_the_package_builds_the_part_checks_the_ability_and_routes_its_ops(seed):
    async def scenario() -> None:
        refused = build_package("wobble", NemesisOptions(), CATALOG)
        with pytest.raises(UnsupportedFault, match="fault wobble: db SteadyDB is not Wobbly"):
            await refused.nemesis.setup(FaultEnv(SteadyDB(), HOSTS, random.Random(seed), print))

        db = WobblyDB()
        package = build_package("wobble", NemesisOptions(), CATALOG)
        (part,) = package.nemesis.parts
        assert isinstance(part, WobbleNemesis) and part.specs == (WOBBLE,)
        await package.nemesis.setup(FaultEnv(db, HOSTS, random.Random(seed), print))
        done = await package.nemesis.invoke(nemesis_invoke("start-wobble", "wobble"))
        assert done.type is OpType.OK and db.wobbling == set(done.value)
        (heal,) = package.final_ops()
        healed = await package.nemesis.invoke(heal)
        assert healed.type is OpType.OK and db.wobbling == set()
        await package.nemesis.teardown()
        assert part.torn_down == 1

    asyncio.run(scenario())
