"""Which checkers judge which workload: ``run_checkers(checkers_for("set", opts), history)``.

- ``register``: linearizability (``checkers.linear``, model ``opts.model``), stats, perf.
- ``set``: set-full (acknowledged-write loss), stats, perf.
- ``list-append``: the Elle-style checker, elle-cli too when ``opts.elle_cli`` names
  it, stats, perf.
- ``counter``: counter bounds, stats, perf.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkers.counter import CounterChecker
from checkers.elle import ElleCliChecker, ListAppendChecker
from checkers.perf import PerfChecker
from checkers.setfull import SetFullChecker
from checkers.stats import StatsChecker
from checkers.verdict import Checker

WORKLOADS = ("register", "set", "list-append", "counter")


@dataclass(frozen=True, slots=True)
class CheckerOptions:
    """What the user can tune. ``model`` is the linearizability model for ``register``;
    ``timeout_s`` bounds the linearizability search and elle-cli; ``consistency`` is
    the list-append model (serializable or strict-serializable); ``require_ok`` makes
    stats invalid when some f never succeeded; ``max_listed`` caps listed findings."""

    model: str = "cas-register"
    timeout_s: float = 300.0
    consistency: str = "serializable"
    elle_cli: Path | None = None
    require_ok: bool = True
    max_listed: int = 100


def _linearizability(opts: CheckerOptions) -> Checker:
    """The checkers-linear checker, imported when first needed (it pulls in the search
    and its worker pool)."""
    linear: Any = importlib.import_module("checkers.linear")
    models: dict[str, Callable[[], Any]] = linear.MODELS
    if opts.model not in models:
        raise ValueError(f"unknown model {opts.model!r}: use one of {', '.join(sorted(models))}")
    make: Callable[..., Checker] = linear.LinearizabilityChecker
    return make(models[opts.model](), timeout_s=opts.timeout_s)


def checkers_for(workload: str, opts: CheckerOptions | None = None) -> list[Checker]:
    """The checkers for ``workload``; ``ValueError`` for an unknown name."""
    o = opts if opts is not None else CheckerOptions()
    common: list[Checker] = [StatsChecker(require_ok=o.require_ok), PerfChecker()]
    if workload == "register":
        return [_linearizability(o), *common]
    if workload == "set":
        return [SetFullChecker(max_listed=o.max_listed), *common]
    if workload == "list-append":
        elle: list[Checker] = [ListAppendChecker(consistency=o.consistency)]
        if o.elle_cli is not None:
            elle.append(ElleCliChecker(o.elle_cli, timeout_s=o.timeout_s))
        return [*elle, *common]
    if workload == "counter":
        return [CounterChecker(max_listed=o.max_listed), *common]
    raise ValueError(f"unknown workload {workload!r}: use one of {', '.join(WORKLOADS)}")
