"""Linearizability checking: Wing-Gong search with Lowe's memoisation, per independent
key, with explanations of failures.

Public names: :class:`LinearizabilityChecker`, :data:`MODELS` (model name -> factory),
:class:`Model`, :data:`ILLEGAL`, :class:`ModelError`, :func:`check_operations`,
:class:`Limits`, :func:`explain`, :func:`explanation_text`.
"""

from collections.abc import Callable

from checkers.linear.checker import LinearizabilityChecker
from checkers.linear.containers import counter, fifo_queue, set_model, unordered_queue
from checkers.linear.explain import explain, explanation_text
from checkers.linear.kv import kv
from checkers.linear.model import ILLEGAL, Model, ModelError
from checkers.linear.registers import cas_register, multi_register, register
from checkers.linear.search import Limits, check_operations

MODELS: dict[str, Callable[[], Model]] = {
    "register": register,
    "cas-register": cas_register,
    "multi-register": multi_register,
    "set": set_model,
    "counter": counter,
    "unordered-queue": unordered_queue,
    "fifo-queue": fifo_queue,
    "kv": kv,
}
"""The sequential models by their Knossos / Porcupine names."""

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
