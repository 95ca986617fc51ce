"""Workloads: one module each (set, register, list-append, counter), each exporting its
``WORKLOAD`` spec: name, how to build it, its checkers (see :mod:`harness.workloads.base`
and :mod:`harness.workloads.registry`)."""

from __future__ import annotations

from harness.workloads.base import Command, Invocation, Workload, WorkloadOptions, WorkloadSpec
from harness.workloads.registry import (
    REGISTRY,
    WORKLOADS,
    build_workload,
    checkers_for,
    registry_of,
)

__all__ = [
    "REGISTRY",
    "WORKLOADS",
    "Command",
    "Invocation",
    "Workload",
    "WorkloadOptions",
    "WorkloadSpec",
    "build_workload",
    "checkers_for",
    "registry_of",
]
