"""Checker results in words, for ``harness check -v``: one reader-friendly block per
checker (the lost writes of set-full, the cycles of list-append with their edge kinds,
the out-of-bounds reads of the counter, the linearizability explanation), built from
``CheckResult.details`` only."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from checkers.verdict import CheckResult

LISTED = 10
"""How many findings of one kind are written out; the counts are always complete."""


def explain_in_words(result: CheckResult) -> str:
    """The reason and the explanation of ``result`` as lines of text ("" when valid with
    nothing to say)."""
    lines = [result.reason] if result.reason else []
    details = result.details
    words = _BY_CHECKER.get(result.checker)
    if words is not None:
        lines.extend(words(details))
    elif isinstance(details.get("explanation"), dict):
        lines.extend(_linear(details))
    elif details and result.verdict.value != "valid":
        lines.append(json.dumps(details, indent=1, default=str)[:4000])
    second = details.get("second_opinion")
    if isinstance(second, Mapping):
        lines.append(f"second opinion: {_verdict_word(second.get('valid'))}")
        if second.get("reason"):
            lines.append(f"  {second['reason']}")
    return "\n".join(lines)


def _verdict_word(valid: object) -> str:
    if valid is True:
        return "valid"
    return "invalid" if valid is False else "unknown"


def _linear(details: Mapping[str, Any]) -> list[str]:
    explanation = details.get("explanation")
    if not isinstance(explanation, dict) or "unplaceable" not in explanation:
        return []
    from checkers.linear import explanation_text  # noqa: PLC0415 (only for linear results)

    return [explanation_text(explanation)]


def _ms(ns: object) -> str:
    return f"{ns / 1e6:.3f} ms" if isinstance(ns, int | float) else "never"


def _set_full(d: Mapping[str, Any]) -> list[str]:
    lines = [
        "acknowledged {a}, lost {l}, stale {s}, never read {n}, recovered {r}, "
        "unexpected {u}, duplicated {dup}".format(
            a=d.get("acknowledged_count", 0),
            l=d.get("lost_count", 0),
            s=d.get("stale_count", 0),
            n=d.get("never_read_count", 0),
            r=d.get("recovered_count", 0),
            u=d.get("unexpected_count", 0),
            dup=d.get("duplicated_count", 0),
        )
    ]
    lost: Sequence[Mapping[str, Any]] = d.get("lost", [])
    if lost:
        lines.append(f"lost writes ({d.get('lost_count', len(lost))}):")
    for w in lost[:LISTED]:
        lines.append(f"  key {w.get('key')!r} value {w.get('value')!r}: {_lost_write(w)}")
    _more(lines, lost)
    unexpected: Sequence[Mapping[str, Any]] = d.get("unexpected", [])
    if unexpected:
        lines.append(f"unexpected elements ({d.get('unexpected_count', len(unexpected))}):")
    for u in unexpected[:LISTED]:
        lines.append(
            f"  key {u.get('key')!r} value {u.get('value')!r} in read {u.get('read_index')} "
            f"({u.get('why')})"
        )
    _more(lines, unexpected)
    by_acks: Mapping[str, Mapping[str, int]] = d.get("by_acks", {})
    if by_acks:
        lines.append("by WAIT acknowledgement level (replicas; none: no WAIT):")
    for level, counts in by_acks.items():
        lines.append(
            f"  {level}: acknowledged {counts.get('acknowledged_count', 0)}, "
            f"lost {counts.get('lost_count', 0)}"
        )
    if d.get("unread_keys"):
        lines.append(f"keys never read: {', '.join(map(str, d['unread_keys'][:LISTED]))}")
    return lines


def _lost_write(w: Mapping[str, Any]) -> str:
    """Where a lost write came from and which reads saw and missed it."""
    how = [str(w.get("outcome")), f"invoked {_ms(w.get('invoke_time'))}"]
    how.append(f"completed {_ms(w.get('complete_time'))}")
    if w.get("acks") is not None:
        how.append(f"WAIT acks {w['acks']}")
    if w.get("node") is not None:
        how.append(f"node {w['node']}")
    seen = w.get("last_seen_read_index")
    seen_text = "never seen by a read" if seen is None else f"last seen by read {seen}"
    faults = ", ".join(map(str, w.get("faults") or [])) or "none"
    return (
        f"add at event {w.get('index')} ({', '.join(how)}); {seen_text}, missing from "
        f"read {w.get('missing_from_read_index')}; faults during the add: {faults}"
    )


def _list_append(d: Mapping[str, Any]) -> list[str]:
    lines = [
        f"{d.get('txn_count', 0)} transactions ({d.get('ok_count', 0)} ok, "
        f"{d.get('info_count', 0)} info, {d.get('fail_count', 0)} fail), "
        f"{d.get('consistency', 'serializable')}"
    ]
    counts: Mapping[str, int] = d.get("anomaly_counts", {})
    anomalies: Mapping[str, Sequence[Mapping[str, Any]]] = d.get("anomalies", {})
    for kind, found in anomalies.items():
        lines.append(f"{kind} ({counts.get(kind, len(found))}):")
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


def _counter(d: Mapping[str, Any]) -> list[str]:
    lines = [f"{d.get('read_count', 0)} reads, {d.get('error_count', 0)} outside their bounds"]
    errors: Sequence[Mapping[str, Any]] = d.get("errors", [])
    for e in errors[:LISTED]:
        lines.append(
            f"  read at event {e.get('index')} of key {e.get('key')!r}: {e.get('value')} not "
            f"in [{e.get('lower')}, {e.get('upper')}]"
        )
    _more(lines, errors)
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
