"""Composing the requested faults into one nemesis and its schedule."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

from base.op import Op, OpType
from nemesis.catalog import SPECS, parse_faults, specs_of
from nemesis.errors import FaultFailed, UnsupportedFault
from nemesis.faultspec import FaultSpec, PartFactory
from nemesis.options import NemesisOptions
from nemesis.protocol import FaultEnv, Nemesis
from nemesis.schedule import ScheduledOp, final_ops, schedule


def ability_problems(specs: Sequence[FaultSpec], db: object) -> list[str]:
    """One line per DB ability (``spec.abilities``) that ``db`` lacks, naming the faults
    that need it (empty: the DB can do them all)."""
    missing: dict[type, list[str]] = {}
    for spec in specs:
        for ability in spec.abilities:
            if not isinstance(db, ability):
                missing.setdefault(ability, []).append(spec.name)
    problems = []
    for ability, names in missing.items():
        what = (ability.__doc__ or "").strip().splitlines()
        why = f" ({what[0].rstrip('.')})" if what else ""
        problems.append(
            f"fault{'s' if len(names) > 1 else ''} {', '.join(names)}: db "
            f"{type(db).__name__} is not {ability.__name__}{why}"
        )
    return problems


class CompositeNemesis:
    """Routes each operation to the part that handles its ``f``.

    ``setup`` first refuses (:class:`UnsupportedFault`) a DB that lacks an ability one of
    ``specs`` needs, then sets the parts up in order (tearing down those already set up if
    one refuses); ``invoke`` never raises for a fault that went wrong (it completes the op
    ``info`` with the error); ``teardown`` tears down every part even if some fail.
    """

    def __init__(self, parts: Sequence[Nemesis], specs: Sequence[FaultSpec] = ()) -> None:
        self.parts = tuple(parts)
        self.specs = tuple(specs)
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
        problems = ability_problems(self.specs, env.db)
        if problems:
            raise UnsupportedFault("; ".join(problems))
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
    """The nemesis for a set of faults, with its schedule and its final heal. ``catalog``
    is where the names are looked up (default :data:`nemesis.catalog.SPECS`)."""

    def __init__(
        self,
        faults: Sequence[str],
        options: NemesisOptions,
        catalog: Mapping[str, FaultSpec] = SPECS,
    ) -> None:
        self.faults = tuple(faults)
        self.options = options
        self.catalog = catalog
        specs = specs_of(self.faults, catalog)
        by_part: dict[PartFactory, list[FaultSpec]] = {}
        for spec in specs:  # catalog order: the parts are set up in a stable order
            by_part.setdefault(spec.part, []).append(spec)
        parts = [part(options, group) for part, group in by_part.items()]
        self.nemesis = CompositeNemesis(parts, specs)

    @property
    def stop_fs(self) -> frozenset[str]:
        """The ``f`` of the operations that end one of this package's faults."""
        return frozenset(s.stop_f for s in self.nemesis.specs if s.stop_f is not None)

    def schedule(self, rng: random.Random, time_limit_s: float) -> list[ScheduledOp]:
        """Pure: the seeded start/stop plan for the workload phase."""
        return schedule(self.faults, self.options, rng, time_limit_s, self.catalog)

    def final_ops(self) -> list[Op]:
        """Heal-everything invocations for the final heal phase."""
        return final_ops(self.faults, self.catalog)


def build_package(
    faults: Sequence[str] | str,
    options: NemesisOptions,
    catalog: Mapping[str, FaultSpec] = SPECS,
) -> NemesisPackage:
    """The package for ``faults`` (names, or a ``"a,b"`` spec). Raises ``ValueError``
    naming an unknown fault."""
    spec = faults if isinstance(faults, str) else ",".join(faults)
    return NemesisPackage(parse_faults(spec, catalog), options, catalog)
