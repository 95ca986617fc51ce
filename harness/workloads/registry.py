"""The workloads a run can drive, built from the workload modules' ``WORKLOAD`` specs.

:data:`REGISTRY` (name -> :class:`~harness.workloads.base.WorkloadSpec`) is made by
:func:`registry_of` from :data:`MODULES`; every function here takes a ``registry``
argument defaulting to it, so a test can add a workload module of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Final

from checkers.models import CheckOptions
from checkers.perf import PerfChecker
from checkers.stats import StatsChecker
from checkers.verdict import Checker
from harness.workloads import counter, list_append, register
from harness.workloads import set as set_workload
from harness.workloads.base import Workload, WorkloadOptions, WorkloadSpec

MODULES: Final = (set_workload, register, list_append, counter)
"""The workload modules, in ``--workload`` order (the first is the default)."""


def registry_of(modules: Iterable[ModuleType]) -> dict[str, WorkloadSpec]:
    """Name -> spec for every module's ``WORKLOAD``. ``ValueError`` for a module without
    one, or two modules declaring the same name."""
    registry: dict[str, WorkloadSpec] = {}
    for module in modules:
        spec = getattr(module, "WORKLOAD", None)
        if not isinstance(spec, WorkloadSpec):
            raise ValueError(f"workload module {module.__name__} has no WORKLOAD spec")
        if spec.name in registry:
            raise ValueError(f"two workload modules are called {spec.name!r}")
        registry[spec.name] = spec
    return registry


REGISTRY: Final[Mapping[str, WorkloadSpec]] = registry_of(MODULES)
WORKLOADS: Final[tuple[str, ...]] = tuple(REGISTRY)
"""Every accepted ``--workload`` name."""


def spec_of(name: str, registry: Mapping[str, WorkloadSpec] = REGISTRY) -> WorkloadSpec:
    """The spec called ``name``; ``ValueError`` naming it and the known ones."""
    spec = registry.get(name)
    if spec is None:
        raise ValueError(f"unknown workload {name!r} (choose from {', '.join(registry)})")
    return spec


def build_workload(
    name: str, options: WorkloadOptions, registry: Mapping[str, WorkloadSpec] = REGISTRY
) -> Workload:
    """The workload called ``name``; ValueError naming it if unknown."""
    return spec_of(name, registry).build(options)


def checkers_for(
    name: str,
    options: CheckOptions | None = None,
    registry: Mapping[str, WorkloadSpec] = REGISTRY,
) -> list[Checker]:
    """The checkers of workload ``name``: its own, then stats and perf. ``ValueError`` for
    an unknown workload (or a bad option, such as an unknown model)."""
    o = options if options is not None else CheckOptions()
    own = spec_of(name, registry).checkers(o)
    return [*own, StatsChecker(require_ok=o.require_ok), PerfChecker()]
