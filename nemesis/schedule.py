"""When faults start and stop: a pure, seeded plan computed before the run.

One fault is active at a time. Faults come in rounds: each round runs every requested
fault once, in a seeded random order, so a short run still exercises each of them. A
fault lasts one jittered interval; then, with the recovery window on (the default), the
cluster gets a quiet jittered window before the next fault, so that something can
succeed between faults (the complaint about stacked faults in Jepsen's defaults). One-shot
faults (failover, reshard, restart-all) are a single event followed by the window. The
plan never goes past the time limit and ends with every started fault stopped; the final
heal (:func:`final_ops`) follows it in the harness's heal phase.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from base.op import NEMESIS, Op, OpType
from nemesis.catalog import SPECS, specs_of
from nemesis.faultspec import FaultSpec
from nemesis.options import NemesisOptions


@dataclass(frozen=True, slots=True)
class ScheduledOp:
    """A nemesis invocation to issue ``at_s`` seconds after the workload started."""

    at_s: float
    op: Op


def nemesis_invoke(f: str, value: object) -> Op:
    return Op(type=OpType.INVOKE, f=f, value=value, process=NEMESIS)


def jittered(seconds: float, jitter: float, rng: random.Random) -> float:
    return seconds * (1.0 + rng.uniform(-jitter, jitter))


def schedule(
    faults: Sequence[str],
    options: NemesisOptions,
    rng: random.Random,
    time_limit_s: float,
    catalog: Mapping[str, FaultSpec] = SPECS,
) -> list[ScheduledOp]:
    """The start/stop events for ``faults`` within ``time_limit_s`` (sorted by time)."""
    if not faults or time_limit_s <= 0:
        return []
    names = list(faults)
    for name in names:
        if name not in catalog:
            raise ValueError(f"unknown nemesis fault {name!r}")
    plan: list[ScheduledOp] = []
    if options.first_fault_s is not None:
        t = options.first_fault_s
    else:
        t = jittered(options.interval_s, options.jitter, rng)
    upcoming: list[str] = []
    while t < time_limit_s:
        if not upcoming:  # a new round: every fault once, in a seeded order
            upcoming = list(names)
            rng.shuffle(upcoming)
        spec = catalog[upcoming.pop(0)]
        plan.append(ScheduledOp(t, nemesis_invoke(spec.start_f, spec.name)))
        end = t
        if spec.stop_f is not None:
            end = min(t + jittered(options.interval_s, options.jitter, rng), time_limit_s)
            plan.append(ScheduledOp(end, nemesis_invoke(spec.stop_f, spec.name)))
        window = options.recovery_window_s
        if spec.stop_f is None and window == 0:
            window = options.interval_s  # a one-shot fault still needs a gap after it
        t = end + (jittered(window, options.jitter, rng) if window > 0 else 0.0)
    return plan


def final_ops(faults: Sequence[str], catalog: Mapping[str, FaultSpec] = SPECS) -> list[Op]:
    """One stop invocation per distinct ``stop_f`` of ``faults``, ordered by each spec's
    ``heal`` stage (the network first, then clocks, then resume, then restart), in catalog
    order within a stage."""
    specs = [s for s in specs_of(faults, catalog) if s.stop_f is not None]
    specs.sort(key=lambda s: s.heal or 0)  # stable: catalog order within a stage
    stops = dict.fromkeys(s.stop_f for s in specs if s.stop_f is not None)
    return [nemesis_invoke(stop_f, "final-heal") for stop_f in stops]
