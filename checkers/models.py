"""The checkers ``harness check --model NAME`` can run, by name.

:data:`REGISTRY` maps a model name to ``"module:function"``; the module is imported only
when that model is used, so the command starts fast. The function has the signature of
:data:`CheckerFactory`: it receives the name (one function may serve several names) and
the user's :class:`CheckOptions`, and returns a ``checkers.verdict.Checker``. To add a
checker, add an entry here pointing at a factory in your own module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from checkers.verdict import Checker


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What ``harness check`` lets the user tune. ``timeout_s`` (None: no limit) and
    ``max_memory_mb`` bound a checker's search; ``workers`` is how many processes it may
    use; ``failed_cas_reads`` is Porcupine's reading of a failed cas (a read of another
    value) instead of Knossos' (it did not happen)."""

    timeout_s: float | None = 60.0
    max_memory_mb: int = 1024
    workers: int = 2
    failed_cas_reads: bool = False


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
}
"""Model name -> ``"module:function"`` of its :data:`CheckerFactory`."""


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
        cas_register,
    )

    model = cas_register(options.failed_cas_reads) if name == "cas-register" else MODELS[name]()
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

    del name, options
    return SetFullChecker()


def list_append_checker(name: str, options: CheckOptions) -> Checker:
    """Elle-style list-append anomalies (``checkers.elle``)."""
    from checkers.elle import ListAppendChecker  # noqa: PLC0415 (imported on use)

    del name, options
    return ListAppendChecker()
