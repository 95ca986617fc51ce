"""Workloads: register, set, list-append, counter (see :mod:`harness.workloads.base`)."""

from __future__ import annotations

from harness.workloads.base import Command, Invocation, Workload, WorkloadOptions
from harness.workloads.counter import CounterWorkload
from harness.workloads.list_append import ListAppendWorkload
from harness.workloads.register import RegisterWorkload
from harness.workloads.set import SetWorkload

WORKLOADS = ("set", "register", "list-append", "counter")


def build_workload(name: str, options: WorkloadOptions) -> Workload:
    """The workload called ``name``; ValueError naming it if unknown."""
    if name == "set":
        return SetWorkload(options)
    if name == "register":
        return RegisterWorkload(options)
    if name == "list-append":
        return ListAppendWorkload(options)
    if name == "counter":
        return CounterWorkload(options)
    raise ValueError(f"unknown workload {name!r} (choose from {', '.join(WORKLOADS)})")


__all__ = ["WORKLOADS", "Command", "Invocation", "Workload", "WorkloadOptions", "build_workload"]
