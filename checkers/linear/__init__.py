"""Linearizability checking: Wing-Gong search with Lowe's memoisation, per independent
key, with explanations of failures.

Public names: :class:`LinearizabilityChecker`, :data:`MODELS` (model name -> factory),
:class:`Model`, :data:`ILLEGAL`, :class:`ModelError`, :func:`check_operations`,
:class:`Limits`, :func:`explain`, :func:`explanation_text`, and the model factories.
They are imported from their modules on first use (PEP 562), so that checking with one
model does not pay for loading the others (``harness check`` start-up time).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checkers.linear.checker import LinearizabilityChecker
    from checkers.linear.containers import counter, fifo_queue, set_model, unordered_queue
    from checkers.linear.explain import explain, explanation_text
    from checkers.linear.kv import kv
    from checkers.linear.model import ILLEGAL, Model, ModelError
    from checkers.linear.registers import cas_register, multi_register, register
    from checkers.linear.search import Limits, check_operations

_HOME: dict[str, str] = {
    "LinearizabilityChecker": "checker",
    "counter": "containers",
    "fifo_queue": "containers",
    "set_model": "containers",
    "unordered_queue": "containers",
    "explain": "explain",
    "explanation_text": "explain",
    "kv": "kv",
    "ILLEGAL": "model",
    "Model": "model",
    "ModelError": "model",
    "cas_register": "registers",
    "multi_register": "registers",
    "register": "registers",
    "Limits": "search",
    "check_operations": "search",
}
"""Public name -> the module (under ``checkers.linear``) that defines it."""

_FACTORIES: dict[str, str] = {
    "register": "register",
    "cas-register": "cas_register",
    "multi-register": "multi_register",
    "set": "set_model",
    "counter": "counter",
    "unordered-queue": "unordered_queue",
    "fifo-queue": "fifo_queue",
    "kv": "kv",
}


def _factory(function: str) -> Callable[[], Model]:
    def make() -> Model:
        module = importlib.import_module(f"checkers.linear.{_HOME[function]}")
        build: Callable[[], Model] = getattr(module, function)
        return build()

    make.__name__ = make.__qualname__ = function
    return make


MODELS: dict[str, Callable[[], Model]] = {
    name: _factory(function) for name, function in _FACTORIES.items()
}
"""The sequential models by their Knossos / Porcupine names (each factory imports its
module when called)."""


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'checkers.linear' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"checkers.linear.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ILLEGAL",
    "MODELS",
    "Limits",
    "LinearizabilityChecker",
    "Model",
    "ModelError",
    "cas_register",
    "check_operations",
    "counter",
    "explain",
    "explanation_text",
    "fifo_queue",
    "kv",
    "multi_register",
    "register",
    "set_model",
    "unordered_queue",
]
