"""The search agrees with brute force on small random concurrent histories.

The brute force knows nothing of the search or the models: it tries every order of the
operations that respects real time (an operation that completed before another was
invoked comes first), with each ``info`` operation either left out or placed after its
invocation, and runs the data type's plain sequential definition written here.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from base.op import Op, OpType
from checkers.history import Operation, pair, write_history
from checkers.linear import (
    Limits,
    LinearizabilityChecker,
    Model,
    cas_register,
    check_operations,
    register,
    search,
    set_model,
)
from checkers.verdict import Verdict
from harness.commands import check as check_command

Spec = Callable[[Any, Operation], tuple[bool, Any]]
"""(state, op) -> (legal, next state): the plain definition of a data type."""


def register_spec(state: Any, op: Operation) -> tuple[bool, Any]:
    known = op.outcome is OpType.OK
    if op.f == "read":
        return (not known or op.output == state), state
    if op.f == "write":
        return True, op.input
    old, new = op.input
    if op.outcome is OpType.FAIL:  # kept only in Porcupine's reading: it read another value
        return state != old, state
    if state == old:
        return True, new
    return not known, state  # an info cas that found another value did nothing


def set_spec(state: Any, op: Operation) -> tuple[bool, Any]:
    if op.f == "add":
        return True, state | {op.input}
    return (op.outcome is not OpType.OK or set(op.output) == state), state


def brute_force(ops: list[Operation], spec: Spec, init: Any) -> bool:
    def before(a: Operation, b: Operation) -> bool:
        return a.complete_index is not None and a.complete_index < b.invoke_index

    def go(done: frozenset[int], state: Any) -> bool:
        pending = [op for op in ops if op.id not in done]
        if all(op.outcome is OpType.INFO for op in pending):
            return True  # the rest may never have happened
        for op in pending:
            if any(before(o, op) for o in pending if o is not op):
                continue
            legal, nxt = spec(state, op)
            if legal and go(done | {op.id}, nxt):
                return True
        return False

    return go(frozenset(), init)


@st.composite
def histories(draw: st.DrawFn, kind: str) -> list[Op]:
    """A concurrent history of at most 8 operations by up to 3 workers."""
    n_ops = draw(st.integers(1, 8))
    workers = draw(st.integers(1, 3))
    process = list(range(workers))  # the current process id of each worker
    next_process = workers
    open_: dict[int, Op] = {}
    events: list[Op] = []
    started = 0
    values = st.integers(0, 2)
    while started < n_ops or open_:
        idle = [w for w in range(workers) if w not in open_]
        invoke = started < n_ops and idle and (not open_ or draw(st.booleans()))
        if invoke:
            w = draw(st.sampled_from(idle))
            value: Any
            if kind == "set":
                f = draw(st.sampled_from(["add", "read"]))
                value = draw(values) if f == "add" else None
            else:
                fs = ["read", "write", "cas"] if kind == "cas-register" else ["read", "write"]
                f = draw(st.sampled_from(fs))
                if f == "cas":
                    value = [draw(values), draw(values)]
                else:
                    value = draw(values) if f == "write" else None
            op = Op(OpType.INVOKE, f, value, process[w], index=len(events))
            open_[w] = op
            events.append(op)
            started += 1
            continue
        w = draw(st.sampled_from(sorted(open_)))
        inv = open_.pop(w)
        outcomes = [OpType.OK, OpType.INFO] + ([OpType.FAIL] if inv.f == "cas" else [])
        outcome = draw(st.sampled_from(outcomes))
        value = inv.value
        if inv.f == "read" and outcome is OpType.OK:
            if kind == "set":
                value = sorted(draw(st.sets(values, max_size=3)))
            else:
                value = draw(st.none() | values)
        events.append(replace(inv.complete(outcome, value=value), index=len(events)))
        if outcome is OpType.INFO:
            process[w] = next_process
            next_process += 1
    return events


def _agree(model: Model, history: list[Op], spec: Spec, init: Any) -> None:
    ops = pair(history, model.keep_failed)
    searched = check_operations(model, ops, Limits()).verdict
    expected = "valid" if brute_force(ops, spec, init) else "invalid"
    assert searched == expected, [op.to_json() for op in history]


@settings(max_examples=300, deadline=None)
@given(histories("register"))
def test_register_agrees_with_brute_force(history: list[Op]):
    _agree(register(), history, register_spec, None)


@settings(max_examples=300, deadline=None)
@given(histories("cas-register"))
def test_cas_register_agrees_with_brute_force(history: list[Op]):
    _agree(cas_register(), history, register_spec, None)


@settings(max_examples=200, deadline=None)
@given(histories("cas-register"))
def test_fingerprint_memo_agrees_with_brute_force(history: list[Op]):
    saved = search.EXACT_MAX_OPS
    search.EXACT_MAX_OPS = 0  # every partition memoises fingerprints
    try:
        _agree(cas_register(), history, register_spec, None)
    finally:
        search.EXACT_MAX_OPS = saved


@settings(max_examples=300, deadline=None)
@given(histories("set"))
def test_set_agrees_with_brute_force(history: list[Op]):
    _agree(set_model(), history, set_spec, frozenset())


def _refutation_is_sound(model: Model, history: list[Op]) -> None:
    ops = pair(history, model.keep_failed)
    assert model.refute is not None
    proof = model.refute(ops)
    if proof is not None:
        assert not brute_force(ops, register_spec, None), (proof, [o.to_json() for o in history])


@settings(max_examples=400, deadline=None)
@given(histories("cas-register"))
def test_register_refutations_are_sound(history: list[Op]):
    """A register refutation (unwritten or overwritten read) only ever names histories
    that brute force finds not linearizable, in both readings of a failed cas."""
    _refutation_is_sound(cas_register(), history)
    _refutation_is_sound(cas_register(failed_cas_reads=True), history)


@settings(max_examples=300, deadline=None)
@given(histories("cas-register"))
def test_whole_checker_agrees_with_brute_force(history: list[Op]):
    """The checker as ``harness check`` runs it (refutations first, then the search)."""
    ops = pair(history)
    expected = Verdict.VALID if brute_force(ops, register_spec, None) else Verdict.INVALID
    result = LinearizabilityChecker(cas_register(), workers=1).check(history)
    assert result.verdict is expected, [op.to_json() for op in history]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories("cas-register"), st.booleans())
def test_harness_check_on_files_agrees_with_brute_force(history: list[Op], failed_cas_reads: bool):
    """``harness check`` on a ``history.jsonl`` file (the fast reading straight to pairing
    rows, refutations, the search) in both readings of a failed cas."""
    keep = frozenset({"cas"}) if failed_cas_reads else frozenset()
    expected = "true" if brute_force(pair(history, keep), register_spec, None) else "false"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "history.jsonl")
        with open(path, "w") as f:
            f.writelines(write_history(history, "jsonl"))
        argv = ["--model", "cas-register", "--workers", "1", path]
        argv += ["--failed-cas-reads"] if failed_cas_reads else []
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = check_command.standalone(argv)
    assert out.getvalue() == f"{path}\t{expected}\n", [op.to_json() for op in history]
    assert code == (0 if expected == "true" else 1)
