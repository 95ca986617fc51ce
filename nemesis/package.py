"""Composing the requested faults into one nemesis and its schedule."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from base.op import Op, OpType
from nemesis.catalog import SPECS, Family, parse_faults
from nemesis.clock import ClockNemesis
from nemesis.cluster import ClusterNemesis
from nemesis.errors import FaultFailed
from nemesis.network import NetworkNemesis
from nemesis.options import NemesisOptions
from nemesis.process import ProcessNemesis
from nemesis.protocol import FaultEnv, Nemesis
from nemesis.schedule import ScheduledOp, final_ops, schedule

NETWORK_FAMILIES = frozenset(
    {Family.PARTITION, Family.PACKET_LOSS, Family.FLAP, Family.DELAY, Family.DUPLICATE}
)
PROCESS_FAMILIES = frozenset({Family.KILL, Family.PAUSE, Family.RESTART_ALL})
CLUSTER_FAMILIES = frozenset({Family.FAILOVER, Family.RESHARD})


class CompositeNemesis:
    """Routes each operation to the part that handles its ``f``.

    ``setup`` sets the parts up in order (tearing down those already set up if one
    refuses); ``invoke`` never raises for a fault that went wrong (it completes the op
    ``info`` with the error); ``teardown`` tears down every part even if some fail.
    """

    def __init__(self, parts: Sequence[Nemesis]) -> None:
        self.parts = tuple(parts)
        self._routes: dict[str, Nemesis] = {}
        for part in self.parts:
            for f in part.fs:
                if f in self._routes:
                    raise ValueError(f"two nemeses handle {f!r}")
                self._routes[f] = part
        self._log: Callable[[str], None] = lambda _message: None
        self._ready: list[Nemesis] = []

    @property
    def fs(self) -> frozenset[str]:
        return frozenset(self._routes)

    async def setup(self, env: FaultEnv) -> None:
        self._log = env.log
        for part in self.parts:
            try:
                await part.setup(env)
            except BaseException:
                try:
                    await self.teardown()
                except Exception as e:
                    env.log(f"nemesis: teardown after a failed setup: {e}")
                raise
            self._ready.append(part)

    async def invoke(self, op: Op) -> Op:
        part = self._routes.get(op.f)
        if part is None:
            return op.complete(OpType.FAIL, error=f"no nemesis handles {op.f!r}")
        try:
            return await part.invoke(op)
        except Exception as e:
            self._log(f"nemesis: {op.f} {op.value!r} raised {type(e).__name__}: {e}")
            return op.complete(OpType.INFO, error=f"{type(e).__name__}: {e}")

    async def teardown(self) -> None:
        errors: list[str] = []
        for part in reversed(self._ready):
            try:
                await part.teardown()
            except Exception as e:
                errors.append(f"{type(part).__name__}: {e}")
        self._ready = [] if not errors else self._ready
        if errors:
            raise FaultFailed("nemesis teardown incomplete: " + "; ".join(errors))


class NemesisPackage:
    """The nemesis for a set of faults, with its schedule and its final heal."""

    def __init__(self, faults: Sequence[str], options: NemesisOptions) -> None:
        self.faults = tuple(faults)
        self.options = options
        families = {SPECS[f].family for f in self.faults}
        parts: list[Nemesis] = []
        if families & NETWORK_FAMILIES:
            parts.append(NetworkNemesis(options, families & NETWORK_FAMILIES))
        if families & PROCESS_FAMILIES:
            parts.append(ProcessNemesis(options, families & PROCESS_FAMILIES))
        if families & CLUSTER_FAMILIES:
            parts.append(ClusterNemesis(options, families & CLUSTER_FAMILIES))
        if Family.CLOCK in families:
            parts.append(ClockNemesis(options, {Family.CLOCK}))
        self.nemesis = CompositeNemesis(parts)

    def schedule(self, rng: random.Random, time_limit_s: float) -> list[ScheduledOp]:
        """Pure: the seeded start/stop plan for the workload phase."""
        return schedule(self.faults, self.options, rng, time_limit_s)

    def final_ops(self) -> list[Op]:
        """Heal-everything invocations for the final heal phase."""
        return final_ops(self.faults)


def build_package(faults: Sequence[str] | str, options: NemesisOptions) -> NemesisPackage:
    """The package for ``faults`` (names, or a ``"a,b"`` spec). Raises ``ValueError``
    naming an unknown fault."""
    names = parse_faults(faults) if isinstance(faults, str) else parse_faults(",".join(faults))
    return NemesisPackage(names, options)
