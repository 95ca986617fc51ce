"""Which checkers judge which workload: ``run_checkers(checkers_for("set", opts), history)``.

- ``register``: linearizability (``checkers.linear``, model ``opts.model``), stats, perf.
- ``set``: set-full (acknowledged-write loss), stats, perf.
- ``list-append``: the Elle-style checker, elle-cli too when ``opts.elle_cli`` names
  it, stats, perf.
- ``counter``: counter bounds, stats, perf.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checkers.elle import ElleCliChecker
from checkers.models import LINEAR_MODELS, CheckOptions, checker_for
from checkers.perf import PerfChecker
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


def _options(opts: CheckerOptions) -> CheckOptions:
    """The same choices in the form ``checkers.models`` factories take (the ones
    ``harness check`` uses)."""
    return CheckOptions(
        timeout_s=opts.timeout_s, consistency=opts.consistency, max_listed=opts.max_listed
    )


def _linearizability(opts: CheckerOptions) -> Checker:
    """The checkers-linear checker for ``opts.model`` (imported when first needed)."""
    if opts.model not in LINEAR_MODELS:
        known = ", ".join(sorted(LINEAR_MODELS))
        raise ValueError(f"unknown model {opts.model!r}: use one of {known}")
    return checker_for(opts.model, _options(opts))


def checkers_for(workload: str, opts: CheckerOptions | None = None) -> list[Checker]:
    """The checkers for ``workload``; ``ValueError`` for an unknown name."""
    o = opts if opts is not None else CheckerOptions()
    common: list[Checker] = [StatsChecker(require_ok=o.require_ok), PerfChecker()]
    if workload == "register":
        return [_linearizability(o), *common]
    if workload == "set":
        return [checker_for("set-full", _options(o)), *common]
    if workload == "list-append":
        elle: list[Checker] = [checker_for("list-append", _options(o))]
        if o.elle_cli is not None:
            elle.append(ElleCliChecker(o.elle_cli, timeout_s=o.timeout_s))
        return [*elle, *common]
    if workload == "counter":
        return [checker_for("counter-bounds", _options(o)), *common]
    raise ValueError(f"unknown workload {workload!r}: use one of {', '.join(WORKLOADS)}")
