"""The plan of ``harness test-all``: the matrix axes, their cross product, each test's
``harness run`` command line, and the time-budget decision. Pure (no processes, no
files): :mod:`harness.test_all` runs the plan.

An axis ranges over one ``harness run`` option (:data:`AXES`); its values are checked
later by the run's own parser, so an axis knows nothing of the option's choices. The
other ``harness run`` options are passed through to every test as given
(:func:`passthrough_argv`, from the one declaration of those options).
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from harness.flags import BadArguments, Bound, bound_flags
from harness.options import RunOptions
from harness.store import test_name


@dataclass(frozen=True, slots=True)
class Axis:
    """A run option the matrix ranges over: ``option`` (``--db``), the separator of its
    list on the command line, and its help."""

    option: str
    separator: str
    help: str


AXES: Final = (
    Axis("--db", ",", "comma list of servers to test (default: harness run's)"),
    Axis("--workload", ",", "comma list of workloads (default: harness run's)"),
    Axis(
        "--nemesis",
        ";",
        "';'-separated fault sets, each a comma list or 'none', e.g. "
        "'partition-minority;kill,pause' (default: harness run's)",
    ),
    Axis("--wait", ",", "comma list of WAIT replica counts, 0 = no WAIT (default: harness run's)"),
)
"""The axes, in the order the plan varies them (the last fastest)."""

MATRIX_OWN: Final = ("--seed", "--test-name")
"""Run options the matrix sets per test itself (from its own value of them)."""

_SAFE = re.compile(r"[^A-Za-z0-9_.+-]+")


@dataclass(frozen=True, slots=True)
class PlannedTest:
    """One test of the matrix: its number (1-based), the axis values (None: the
    option is not given, the run's default applies), its repetition (0-based), seed,
    and the ``harness run`` arguments (after ``run``). ``name`` is set by
    :func:`named` once the run's options are known."""

    number: int
    values: tuple[str | None, ...]
    repetition: int
    seed: int
    argv: tuple[str, ...]
    name: str = ""

    def label(self) -> str:
        """``#3 splitbrain-set-kill (repetition 2)``: how messages name it."""
        what = self.name or " ".join(v for v in self.values if v is not None) or "defaults"
        extra = f" (repetition {self.repetition + 1})" if self.repetition else ""
        return f"#{self.number} {what}{extra}"


def axis_bound(axis: Axis) -> Bound:
    """The run option's declaration (its field) that ``axis`` ranges over."""
    for b in bound_flags(RunOptions):
        if b.flag.option == axis.option:
            return b
    raise LookupError(f"{axis.option} is not a harness run option")


def axis_dest(axis: Axis) -> str:
    """Where test-all's parser stores the axis's raw list."""
    return "matrix." + axis.option.lstrip("-")


def split_axis(axis: Axis, raw: str | None) -> list[str | None]:
    """The values of one axis given as ``raw`` (None: not given -> one value, None).
    Empty items are refused."""
    if raw is None:
        return [None]
    items = [item.strip() for item in raw.split(axis.separator)]
    if not items or any(not item for item in items):
        raise BadArguments(
            f"{axis.option} {raw!r}: an empty item (items are separated by {axis.separator!r})"
        )
    return list(dict.fromkeys(items))  # a repeated value is one test, not two


def passthrough_argv(args: argparse.Namespace, defaults: argparse.Namespace) -> list[str]:
    """The ``harness run`` options in ``args`` that differ from their ``defaults``
    (both as argparse holds them), as command-line words; the axes and
    :data:`MATRIX_OWN` are left out. Every run option is read from its declaration."""
    skipped = {a.option for a in AXES} | set(MATRIX_OWN)
    out: list[str] = []
    for b in bound_flags(RunOptions):
        fl = b.flag
        if fl.option in skipped:
            continue
        value = getattr(args, b.dest, None)
        if value == getattr(defaults, b.dest, None):
            continue
        if fl.store_true or fl.store_false:
            if value:
                out.append(fl.option)
        elif fl.repeat:
            for item in value or ():
                out += [fl.option, _word(item)]
        elif value is not None:
            out += [fl.option, _word(value)]
    return out


def _word(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def plan(
    axes: Sequence[Sequence[str | None]],
    *,
    test_count: int,
    base_seed: int,
    passthrough: Sequence[str],
) -> list[PlannedTest]:
    """Every test: ``test_count`` repetitions of the cross product of ``axes`` (one
    value list per axis of :data:`AXES`), each repetition complete before the next
    starts (so a time budget cuts repetitions, not combinations). Repetition ``r`` runs
    with seed ``base_seed + r`` in every combination (the same seed on redis and on
    splitbrain, to compare)."""
    if test_count < 1:
        raise BadArguments(f"--test-count {test_count}: must be >= 1")
    tests: list[PlannedTest] = []
    for r in range(test_count):
        for values in itertools.product(*axes):
            seed = base_seed + r
            argv = list(passthrough)
            for axis, value in zip(AXES, values, strict=True):
                if value is not None:
                    argv += [axis.option, value]
            argv += ["--seed", str(seed)]
            tests.append(PlannedTest(len(tests) + 1, tuple(values), r, seed, tuple(argv)))
    return tests


def named(test: PlannedTest, options: RunOptions, prefix: str | None) -> PlannedTest:
    """``test`` with its name, from its validated ``options``: ``<db>-<workload>-
    <nemesis>`` as harness run names it, ``-wait<N>`` when WAIT is on, after
    ``prefix-`` (test-all's ``--test-name``) when given; the name is passed on as
    ``--test-name`` so that every test of a kind shares one store folder."""
    name = test_name(options.cluster.db, options.workload, options.nemesis)
    if options.wait_replicas:
        name += f"-wait{options.wait_replicas}"
    if prefix:
        name = _SAFE.sub("_", f"{prefix}-{name}")
    return replace(test, name=name, argv=(*test.argv, "--test-name", name))


def planned_duration_s(options: RunOptions) -> float:
    """The part of a run its options fix: the workload and the recovery wait."""
    return options.time_limit_s + options.recovery_time_s


def budget_allows(
    *, elapsed_s: float, budget_s: float | None, planned_s: float, overheads_s: Sequence[float]
) -> bool:
    """Whether a test planned to take ``planned_s`` (plus the largest overhead seen so
    far: setup, teardown, checking; none before the first run) still ends within
    ``budget_s`` after ``elapsed_s`` of the matrix. No budget: always."""
    if budget_s is None:
        return True
    estimate = planned_s + max(overheads_s, default=0.0)
    return elapsed_s + estimate <= budget_s
