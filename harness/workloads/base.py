"""What a workload is: a pure source of invocations per worker, the Redis command each
one becomes, how a reply turns into a completion, and the final reads after healing;
and what a workload module declares (:class:`WorkloadSpec`): its name, how to build it,
and the checkers that judge its history.

A workload never does I/O; the runner sends its commands with a
:class:`harness.client.ClusterClient` and records the events.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from checkers.models import CheckOptions
from checkers.verdict import Checker
from harness.client.outcome import Outcome
from nodes.keyslot import HASH_SLOTS, keyslot


@dataclass(frozen=True, slots=True)
class Invocation:
    """One operation to perform: Jepsen's ``f``, the ``key`` it touches, its ``value``."""

    f: str
    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class Command:
    """The packed RESP request for an invocation; ``write`` selects WAIT after it.

    With ``decide``, the request is a WATCH transaction
    (:meth:`harness.client.ClusterClient.execute_watched`): ``payload`` is the read, and
    ``decide`` maps its reply to the MULTI ... EXEC commands, or None to give up."""

    payload: bytes
    write: bool
    decide: Callable[[Any], Sequence[bytes] | None] | None = None


@dataclass(frozen=True, slots=True)
class WorkloadOptions:
    """Shape of the key space. ``workers`` is the total number of worker slots (values
    are made unique per worker with it); ``key_group`` workers share a rotating key;
    ``ops_per_key`` is how many operations each of them does on it before moving on."""

    workers: int
    key_group: int = 5
    ops_per_key: int = 50
    keys: int = 12
    cas: str = "lua"
    key_prefix: str = ""
    """Put before every key name (a run against a cluster the harness did not start
    touches only keys of its own)."""
    """How register's cas runs: ``lua`` (EVAL, one round trip) or ``watch``
    (WATCH / GET / MULTI / SET / EXEC, for servers without scripting)."""


class Workload(Protocol):
    name: str

    def invocation(self, rng: random.Random, worker: int, seq: int) -> Invocation:
        """The ``seq``-th invocation (0-based) of worker slot ``worker``, drawing only from
        ``rng`` (that worker's own seeded source)."""
        ...

    def command(self, inv: Invocation) -> Command:
        """The request that carries out ``inv``."""
        ...

    def completion(self, inv: Invocation, reply: Any) -> tuple[Outcome, Any]:
        """Outcome and completion value for a successful reply (a cas whose precondition
        did not hold is a definite ``fail``)."""
        ...

    def final_reads(self) -> Sequence[Invocation]:
        """Reads to run after the final heal and recovery (may be empty)."""
        ...


@dataclass(frozen=True, slots=True)
class WorkloadSpec:
    """What a workload module (``harness/workloads/<name>.py``) exports as ``WORKLOAD``.

    ``build`` makes the workload from the run's options; ``checkers`` are the checkers
    that judge its history (the registry adds stats and perf to every workload);
    ``summary`` is one line for the docs and ``--help``."""

    name: str
    build: Callable[[WorkloadOptions], Workload]
    checkers: Callable[[CheckOptions], list[Checker]]
    summary: str = ""


def spread_keys(prefix: str, count: int) -> tuple[str, ...]:
    """``count`` key names whose hash slots fall in ``count`` equal slices of the slot
    space, so that every primary of an evenly sliced cluster serves some of them."""
    keys = []
    width = HASH_SLOTS / count
    for i in range(count):
        lo, hi = int(i * width), int((i + 1) * width)
        j = 0
        while not lo <= keyslot(f"{prefix}{i}.{j}") < hi:
            j += 1
        keys.append(f"{prefix}{i}.{j}")
    return tuple(keys)


def rotating_key(prefix: str, options: WorkloadOptions, worker: int, seq: int) -> str:
    """Jepsen's independent keys: workers in groups of ``key_group`` share a key, and
    move to the next one after ``ops_per_key`` operations each."""
    group = worker // options.key_group
    return f"{prefix}{group}.{seq // options.ops_per_key}"


def unique_value(options: WorkloadOptions, worker: int, seq: int) -> int:
    """A value no other (worker, seq) produces."""
    return seq * options.workers + worker


def as_int(reply: Any) -> int | None:
    return None if reply is None else int(reply)
