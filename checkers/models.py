"""The checkers ``harness check --model NAME`` can run, by name.

:data:`REGISTRY` maps a model name to ``"module:function"``; the module is imported only
when that model is used, so the command starts fast. The function has the signature of
:data:`CheckerFactory`: it receives the name (one function may serve several names) and
the user's :class:`CheckOptions`, and returns a ``checkers.verdict.Checker``. To add a
checker, add an entry here pointing at a factory in your own module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from base.op import Op
from checkers.verdict import Checker, CheckResult, Verdict, guarded

if TYPE_CHECKING:  # only for the annotation: harness check must start fast
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What the user can tune, for ``harness check`` and for a run's checkers alike.
    ``timeout_s`` (None: no limit) and ``max_memory_mb`` bound a checker's search;
    ``workers`` is how many processes it may use; ``failed_cas_reads`` is Porcupine's
    reading of a failed cas (a read of another value) instead of Knossos' (it did not
    happen). For list-append: ``consistency`` (``serializable`` or
    ``strict-serializable``) and ``elle_cli``, the path of an elle-cli program whose
    verdict is merged with ours. ``max_listed`` caps the findings set-full and
    counter-bounds list (their counts are never capped). For a run's workload
    (``harness.workloads``): ``model`` is the register workload's linearizability model
    and ``require_ok`` makes stats invalid when some ``f`` never succeeded."""

    timeout_s: float | None = 60.0
    max_memory_mb: int = 1024
    workers: int = 2
    failed_cas_reads: bool = False
    consistency: str = "serializable"
    elle_cli: str | Path | None = None
    max_listed: int = 100
    model: str = "cas-register"
    require_ok: bool = True


CheckerFactory = Callable[[str, CheckOptions], Checker]

_LINEAR = "checkers.models:linear_checker"

REGISTRY: dict[str, str] = {
    "register": _LINEAR,
    "cas-register": _LINEAR,
    "multi-register": _LINEAR,
    "set": _LINEAR,
    "counter": _LINEAR,
    "unordered-queue": _LINEAR,
    "fifo-queue": _LINEAR,
    "kv": _LINEAR,
    "set-full": "checkers.models:set_full_checker",
    "list-append": "checkers.models:list_append_checker",
    "counter-bounds": "checkers.models:counter_bounds_checker",
}
"""Model name -> ``"module:function"`` of its :data:`CheckerFactory`."""

LINEAR_MODELS: frozenset[str] = frozenset(n for n, target in REGISTRY.items() if target == _LINEAR)
"""The names of the linearizability models (``checkers.linear``)."""


class UnknownModelError(LookupError):
    """A model name not in :data:`REGISTRY`."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown model {name!r} (known: {', '.join(sorted(REGISTRY))})")


def checker_for(name: str, options: CheckOptions) -> Checker:
    """The checker for model ``name``. Raises :class:`UnknownModelError`."""
    target = REGISTRY.get(name)
    if target is None:
        raise UnknownModelError(name)
    module, _, function = target.partition(":")
    factory: CheckerFactory = getattr(importlib.import_module(module), function)
    return factory(name, options)


def linear_checker(name: str, options: CheckOptions) -> Checker:
    """A linearizability checker for one of ``checkers.linear``'s models."""
    from checkers.linear import (  # noqa: PLC0415 (imported only when a linear model is used)
        MODELS,
        LinearizabilityChecker,
    )

    if name == "cas-register":
        from checkers.linear.registers import cas_register  # noqa: PLC0415

        model = cas_register(options.failed_cas_reads)
    else:
        model = MODELS[name]()
    return LinearizabilityChecker(
        model,
        timeout_s=options.timeout_s,
        max_memo_bytes=options.max_memory_mb << 20,
        workers=options.workers,
    )


def set_full_checker(name: str, options: CheckOptions) -> Checker:
    """Jepsen's set-full: acknowledged adds missing from the final reads
    (``checkers.setfull``)."""
    from checkers.setfull import SetFullChecker  # noqa: PLC0415 (imported on use)

    del name
    return SetFullChecker(max_listed=options.max_listed)


def list_append_checker(name: str, options: CheckOptions) -> Checker:
    """Elle-style list-append anomalies (``checkers.elle``)."""
    from checkers.elle import (  # noqa: PLC0415 (imported on use)
        ElleCliChecker,
        ListAppendChecker,
    )

    del name
    ours = ListAppendChecker(consistency=options.consistency)
    if options.elle_cli is None:
        return ours
    timeout = 300.0 if options.timeout_s is None else options.timeout_s
    return WithSecondOpinion(ours, ElleCliChecker(options.elle_cli, timeout_s=timeout))


def counter_bounds_checker(name: str, options: CheckOptions) -> Checker:
    """Jepsen's counter checker: every read within the bounds its concurrent adds allow
    (``checkers.counter``). ``counter`` is the linearizability model."""
    from checkers.counter import CounterChecker  # noqa: PLC0415 (imported on use)

    del name
    return CounterChecker(max_listed=options.max_listed)


class WithSecondOpinion:
    """``primary``'s result with ``second``'s verdict merged in (invalid beats unknown
    beats valid) and its result under ``details["second_opinion"]``; a second checker
    that raises counts as unknown, as in ``run_checkers``."""

    def __init__(self, primary: Checker, second: Checker) -> None:
        self.primary = primary
        self.second = second
        self.name = primary.name

    def check(self, history: Sequence[Op]) -> CheckResult:
        ours = self.primary.check(history)
        theirs = guarded(self.second.name, self.second.check, history)
        verdict = Verdict.merge((ours.verdict, theirs.verdict))
        reasons = [r for r in (ours.reason, theirs.reason) if r]
        if theirs.verdict is not ours.verdict:
            reasons.append(
                f"{self.second.name} says {theirs.verdict.value}, {self.primary.name} says "
                f"{ours.verdict.value}"
            )
        details = {**ours.details, "second_opinion": theirs.to_json()}
        return CheckResult(ours.checker, verdict, "; ".join(reasons) or None, details)
