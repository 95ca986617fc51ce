"""What the reads say on their own: version orders and the anomalies that need no cycle.

- **Version order** of a key: its longest committed read. Lists only grow by appends,
  so every read of the key must be a prefix of it; one that is not is an
  *incompatible-order* anomaly.
- **duplicate-elements**: a read holding the same element twice.
- **internal**: a read inside a transaction that contradicts the transaction's own
  earlier read and appends of that key.
- **G1a** (aborted read): a committed read holds an element whose append failed.
- **G1b** (intermediate read): a read ends at an element its writer followed with
  another append to the same key in the same transaction.
- **unexpected**: a read holds an element no transaction appended.
- **lost-update**: two committed transactions read the same version of a key and both
  appended to it.
- **future-read**: a transaction read an element it only appended later.
- **dirty-update**: a committed append follows, in a key's order, one whose
  transaction failed.

One inference beyond the reads: an element appended by a committed transaction but in
no read was appended after every read (lists only grow); when a key has exactly one
such element and no unobserved append of unknown outcome, it must be the element that
follows the longest read, and the order is extended by it (so a transaction that read
the longest version gets its rw edge).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checkers.elle.txn import APPEND, Txn

Element = tuple[Hashable, Hashable]
"""(key, element)."""


@dataclass(slots=True)
class Observations:
    """Everything the cycle search and the report need from the reads."""

    orders: dict[Hashable, tuple[Hashable, ...]] = field(default_factory=dict)
    writer: dict[Element, int] = field(default_factory=dict)
    failed_writer: dict[Element, int] = field(default_factory=dict)
    appends: dict[tuple[int, Hashable], list[Hashable]] = field(default_factory=dict)
    ext_reads: dict[int, dict[Hashable, tuple[Hashable, ...]]] = field(default_factory=dict)
    compatible: dict[tuple[int, Hashable], bool] = field(default_factory=dict)
    anomalies: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


def _external_reads(txn: Txn) -> dict[Hashable, tuple[Hashable, ...]]:
    """Reads of a key before the transaction appended to it (its first such read)."""
    out: dict[Hashable, tuple[Hashable, ...]] = {}
    written: set[Hashable] = set()
    for m in txn.mops:
        if m.f == APPEND:
            written.add(m.key)
        elif m.value is not None and m.key not in written and m.key not in out:
            out[m.key] = m.value
    return out


def _internal(txn: Txn) -> dict[str, Any] | None:
    """The first read of ``txn`` contradicting its own earlier read and appends."""
    known: dict[Hashable, tuple[Hashable, ...]] = {}
    suffix: dict[Hashable, list[Hashable]] = defaultdict(list)
    for i, m in enumerate(txn.mops):
        if m.f == APPEND:
            if m.key in known:
                known[m.key] = (*known[m.key], m.value)
            else:
                suffix[m.key].append(m.value)
            continue
        if m.value is None:
            continue
        if m.key in known:
            expected: tuple[Hashable, ...] | None = known[m.key]
            bad = m.value != expected
        else:
            tail = tuple(suffix[m.key])
            expected = None
            bad = len(m.value) < len(tail) or m.value[len(m.value) - len(tail) :] != tail
        if bad:
            return {
                "op": txn.to_json(),
                "mop_index": i,
                "key": m.key,
                "read": list(m.value),
                "expected": list(expected) if expected is not None else ["...", *suffix[m.key]],
            }
        known[m.key] = m.value
        suffix.pop(m.key, None)
    return None


def observe(txns: Sequence[Txn], max_listed: int = 100) -> Observations:
    """Version orders, writers and the non-cycle anomalies of ``txns``."""
    obs = Observations()
    found = obs.anomalies

    def note(kind: str, item: dict[str, Any]) -> None:
        if len(found[kind]) < max_listed:
            found[kind].append(item)

    reads: dict[Hashable, list[tuple[int, tuple[Hashable, ...]]]] = defaultdict(list)
    unread: dict[Hashable, tuple[set[Hashable], set[Hashable]]] = defaultdict(
        lambda: (set(), set())
    )
    for t in txns:
        for m in t.mops:
            if m.f == APPEND:
                target = obs.failed_writer if t.aborted else obs.writer
                target.setdefault((m.key, m.value), t.id)
                if not t.aborted:
                    obs.appends.setdefault((t.id, m.key), []).append(m.value)
                    unread[m.key][0 if t.committed else 1].add(m.value)
            elif t.committed and m.value is not None:
                reads[m.key].append((t.id, m.value))
                if len(set(m.value)) != len(m.value):
                    dup = sorted({v for v in m.value if m.value.count(v) > 1}, key=repr)
                    note("duplicate-elements", {"op": t.to_json(), "key": m.key, "elements": dup})
        if t.committed:
            obs.ext_reads[t.id] = _external_reads(t)
            bad = _internal(t)
            if bad is not None:
                note("internal", bad)
            future = _future_read(t)
            if future is not None:
                note("future-read", future)

    for key, rs in reads.items():
        longest = max((v for _, v in rs), key=len)
        obs.orders[key] = longest
        reported: set[tuple[Hashable, ...]] = set()
        for tid, v in rs:
            ok = longest[: len(v)] == v
            obs.compatible[(tid, key)] = ok
            if not ok and v not in reported:
                reported.add(v)
                note("incompatible-order", {"key": key, "values": [list(v), list(longest)]})
        _element_anomalies(txns, key, rs, obs, note)
        _dirty_update(txns, key, obs, note)
        ok_appends, maybe_appends = unread[key]
        missing = ok_appends.difference(longest)
        if len(missing) == 1 and not maybe_appends.difference(longest):
            obs.orders[key] = (*longest, *missing)
    _lost_updates(txns, obs, note)
    return obs


def _future_read(txn: Txn) -> dict[str, Any] | None:
    """A read of ``txn`` holding an element ``txn`` appends only after it."""
    for i, m in enumerate(txn.mops):
        if m.f == APPEND or not m.value:
            continue
        for later in txn.mops[i + 1 :]:
            if later.f == APPEND and later.key == m.key and later.value in m.value:
                return {"op": txn.to_json(), "mop_index": i, "key": m.key, "element": later.value}
    return None


def _dirty_update(txns: Sequence[Txn], key: Hashable, obs: Observations, note: Any) -> None:
    """The first committed append that follows a failed one in ``key``'s order."""
    aborted: Hashable = None
    for e in obs.orders[key]:
        if (key, e) in obs.writer:
            if aborted is not None:
                failed = txns[obs.failed_writer[(key, aborted)]]
                note(
                    "dirty-update",
                    {
                        "key": key,
                        "values": [aborted, e],
                        "txns": [failed.to_json(), txns[obs.writer[(key, e)]].to_json()],
                    },
                )
                return
        elif (key, e) in obs.failed_writer and aborted is None:
            aborted = e


def _element_anomalies(
    txns: Sequence[Txn],
    key: Hashable,
    rs: Sequence[tuple[int, tuple[Hashable, ...]]],
    obs: Observations,
    note: Any,
) -> None:
    seen_bad: set[tuple[str, Hashable]] = set()
    longest = obs.orders[key]
    checked: set[tuple[Hashable, ...]] = set()
    for tid, v in rs:
        # A read that is a prefix of the longest holds no element the longest lacks.
        elements = v if v is longest or not obs.compatible[(tid, key)] else ()
        if elements and elements in checked:
            elements = ()
        checked.add(elements)
        for e in elements:
            if (key, e) in obs.writer or ("x", e) in seen_bad:
                continue
            kind = "G1a" if (key, e) in obs.failed_writer else "unexpected"
            seen_bad.add(("x", e))
            item = {"op": txns[tid].to_json(), "key": key, "element": e}
            if kind == "G1a":
                item["writer"] = txns[obs.failed_writer[(key, e)]].to_json()
            note(kind, item)
        if not v:
            continue
        last = v[-1]
        w = obs.writer.get((key, last))
        if w is None or w == tid:
            continue
        mine = obs.appends.get((w, key), [])
        if mine and mine[-1] != last and ("g1b", (tid, last)) not in seen_bad:
            seen_bad.add(("g1b", (tid, last)))
            note(
                "G1b",
                {
                    "op": txns[tid].to_json(),
                    "key": key,
                    "element": last,
                    "writer": txns[w].to_json(),
                },
            )


def _lost_updates(txns: Sequence[Txn], obs: Observations, note: Any) -> None:
    readers: dict[tuple[Hashable, tuple[Hashable, ...]], list[int]] = defaultdict(list)
    for tid, ext in obs.ext_reads.items():
        for key, v in ext.items():
            if (tid, key) in obs.appends:
                readers[(key, v)].append(tid)
    for (key, v), tids in readers.items():
        if len(tids) > 1:
            note(
                "lost-update",
                {"key": key, "value": list(v), "txns": [txns[t].to_json() for t in sorted(tids)]},
            )
