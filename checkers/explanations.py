"""Checker results in words, for ``harness check -v``: one reader-friendly block per
checker (the lost writes of set-full, the cycles of list-append with their edge kinds,
the out-of-bounds reads of the counter, the linearizability explanation), built from
``CheckResult.details`` read through each checker's result type
(:mod:`checkers.results`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from checkers.results.elle import ListAppendResult
from checkers.results.figures import CounterResult
from checkers.results.linear import LinearResult
from checkers.results.setfull import LostWrite, SetFullResult
from checkers.verdict import CheckResult

LISTED = 10
"""How many findings of one kind are written out; the counts are always complete."""


def explain_in_words(result: CheckResult) -> str:
    """The reason and the explanation of ``result`` as lines of text ("" when valid with
    nothing to say)."""
    lines = [result.reason] if result.reason else []
    details = result.details
    words = _BY_CHECKER.get(result.checker)
    if words is not None and details:
        lines.extend(words(details))
    elif isinstance(details.get("explanation"), dict):
        lines.extend(_linear(details))
    elif details and result.verdict.value != "valid":
        lines.append(json.dumps(details, indent=1, default=str)[:4000])
    second = details.get("second_opinion")
    if isinstance(second, Mapping):
        theirs = CheckResult.from_json("second opinion", second)
        lines.append(f"second opinion: {theirs.verdict.value}")
        if theirs.reason:
            lines.append(f"  {theirs.reason}")
    return "\n".join(lines)


def _linear(details: Mapping[str, Any]) -> list[str]:
    explanation = LinearResult.from_json(details).explanation
    if explanation is None or not explanation.unplaceable:
        return []
    from checkers.linear import explanation_text  # noqa: PLC0415 (only for linear results)

    return [explanation_text(explanation.to_json())]


def _ms(ns: object) -> str:
    return f"{ns / 1e6:.3f} ms" if isinstance(ns, int | float) else "never"


def _set_full(details: Mapping[str, Any]) -> list[str]:
    d = SetFullResult.from_json(details)
    c = d.counts
    lines = [
        f"acknowledged {c.acknowledged}, lost {c.lost}, stale {c.stale}, never read "
        f"{c.never_read}, recovered {c.recovered}, unexpected {d.unexpected_count}, "
        f"duplicated {d.duplicated_count}"
    ]
    if d.lost:
        lines.append(f"lost writes ({c.lost}):")
    for w in d.lost[:LISTED]:
        lines.append(f"  key {w.key!r} value {w.value!r}: {_lost_write(w)}")
    _more(lines, d.lost)
    if d.unexpected:
        lines.append(f"unexpected elements ({d.unexpected_count}):")
    for u in d.unexpected[:LISTED]:
        lines.append(
            f"  key {u.get('key')!r} value {u.get('value')!r} in read {u.get('read_index')} "
            f"({u.get('why')})"
        )
    _more(lines, d.unexpected)
    if d.by_acks:
        lines.append("by WAIT acknowledgement level (replicas; none: no WAIT):")
    for level, counts in d.by_acks.items():
        lines.append(f"  {level}: acknowledged {counts.acknowledged}, lost {counts.lost}")
    if d.unread_keys:
        lines.append(f"keys never read: {', '.join(map(str, d.unread_keys[:LISTED]))}")
    return lines


def _lost_write(w: LostWrite) -> str:
    """Where a lost write came from and which reads saw and missed it."""
    how = [w.outcome, f"invoked {_ms(w.invoke_ns)}", f"completed {_ms(w.complete_ns)}"]
    if w.acks is not None:
        how.append(f"WAIT acks {w.acks}")
    if w.node is not None:
        how.append(f"node {w.node}")
    seen = w.last_seen_read_index
    seen_text = "never seen by a read" if seen is None else f"last seen by read {seen}"
    faults = ", ".join(w.faults) or "none"
    return (
        f"add at event {w.index} ({', '.join(how)}); {seen_text}, missing from "
        f"read {w.missing_from_read_index}; faults during the add: {faults}"
    )


def _list_append(details: Mapping[str, Any]) -> list[str]:
    d = ListAppendResult.from_json(details)
    lines = [
        f"{d.txn_count} transactions ({d.ok_count} ok, {d.info_count} info, "
        f"{d.fail_count} fail), {d.consistency}"
    ]
    for kind, found in d.anomalies.items():
        lines.append(f"{kind} ({d.anomaly_counts.get(kind, len(found))}):")
        for a in found[:LISTED]:
            steps = a.get("steps")
            if isinstance(steps, list) and steps:
                lines.append("  cycle: " + _cycle(steps))
                lines.extend(f"    {s.get('explanation', '')}" for s in steps)
            else:
                lines.append("  " + json.dumps(a, default=str, separators=(", ", ": ")))
        _more(lines, found, indent="  ")
    return lines


def _cycle(steps: Sequence[Mapping[str, Any]]) -> str:
    """``T1 -ww-> T2 -rw-> T1``."""
    out = f"T{steps[0].get('from')}"
    for s in steps:
        out += f" -{s.get('type')}-> T{s.get('to')}"
    return out


def _counter(details: Mapping[str, Any]) -> list[str]:
    d = CounterResult.from_json(details)
    lines = [f"{d.read_count} reads, {d.error_count} outside their bounds"]
    for e in d.errors[:LISTED]:
        lines.append(
            f"  read at event {e.index} of key {e.key!r}: {e.value} not in [{e.lower}, {e.upper}]"
        )
    _more(lines, d.errors)
    return lines


def _more(lines: list[str], listed: Sequence[object], indent: str = "") -> None:
    if len(listed) > LISTED:
        lines.append(f"{indent}  ... {len(listed) - LISTED} more listed in the details")


_BY_CHECKER: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "set-full": _set_full,
    "list-append": _list_append,
    "counter": _counter,
    "linearizable": _linear,
}
