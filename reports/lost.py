"""Lost acknowledged writes, as the report lists them: each lost value joined with the
write operation that acknowledged it (key, node, times, WAIT acks) and the faults active
while it was in flight. Pure; tolerant of the shape the set checker writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from base.op import OpType
from reports.history import FaultPeriod, Operation, active_faults

WRITE_FS = frozenset({"add", "write", "append", "sadd", "rpush", "put", "incr"})


@dataclass(frozen=True, slots=True)
class LostWrite:
    value: Any
    key: str | None
    node: str | None
    process: Any
    invoke_ns: int | None
    ack_ns: int | None
    acks: int | None
    faults: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LostWrites:
    """The lost-write figures of a run: ``counts`` such as acknowledged_count / lost_count,
    ``by_acks`` the checker's split by WAIT level, and every lost write."""

    counts: Mapping[str, Any]
    by_acks: Mapping[str, Any]
    lost: tuple[LostWrite, ...]

    @property
    def lost_count(self) -> int:
        declared = self.counts.get("lost_count")
        return declared if isinstance(declared, int) else len(self.lost)

    def by_level(self) -> dict[str, list[LostWrite]]:
        """Lost writes grouped by WAIT acknowledgement level, lowest level first."""
        groups: dict[int | None, list[LostWrite]] = {}
        for w in self.lost:
            groups.setdefault(w.acks, []).append(w)
        order = sorted(groups, key=lambda a: -1 if a is None else a)
        return {wait_label(a): sorted(groups[a], key=_when) for a in order}


def _when(w: LostWrite) -> int:
    return w.invoke_ns if w.invoke_ns is not None else -1


def wait_label(acks: int | None) -> str:
    return "no WAIT" if acks is None else f"WAIT acks = {acks}"


def find_lost_writes(results: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The lost-write section: results' top-level ``lost_writes``, else the first checker
    result that has a ``lost`` list or a ``lost_count``."""
    top = results.get("lost_writes")
    if isinstance(top, Mapping):
        return top
    checkers = results.get("checkers")
    if isinstance(checkers, Mapping):
        for result in checkers.values():
            if isinstance(result, Mapping) and ("lost" in result or "lost_count" in result):
                return result
    return None


def lost_writes(
    section: Mapping[str, Any], operations: Sequence[Operation], faults: Sequence[FaultPeriod]
) -> LostWrites:
    """Join the checker's lost values with the history's write operations."""
    writes: dict[tuple[str | None, str], Operation] = {}
    by_value: dict[str, Operation] = {}
    for write in operations:
        if write.f in WRITE_FS and write.type is not OpType.FAIL:
            ident = _ident(write.value)
            # the acknowledged write wins over an earlier indeterminate attempt
            if write.type is OpType.OK or (write.key, ident) not in writes:
                writes[(write.key, ident)] = write
                by_value[ident] = write
    raw = section.get("lost")
    entries: list[Any] = list(raw) if isinstance(raw, list | tuple) else []
    lost: list[LostWrite] = []
    for entry in entries:
        fields: Mapping[str, Any] = entry if isinstance(entry, Mapping) else {"value": entry}
        value = _first(fields, "value", "element", "v")
        key = _first(fields, "key", "k")
        found = writes.get((None if key is None else str(key), _ident(value)))
        op = found if found is not None else by_value.get(_ident(value))
        invoke_ns = _int(_first(fields, "invoke_time", "invoke_ns", "start_ns", "time"))
        ack_ns = _int(_first(fields, "complete_time", "ack_time", "complete_ns", "end_ns"))
        if op is not None:
            invoke_ns = op.start_ns if invoke_ns is None else invoke_ns
            ack_ns = op.end_ns if ack_ns is None else ack_ns
        acks = _int(_first(fields, "acks"))
        if acks is None and op is not None:
            acks = op.acks
        node = _first(fields, "node")
        start = invoke_ns if invoke_ns is not None else 0
        # our labels name the targets; the checker's own list is the fallback
        active = tuple(active_faults(faults, start, ack_ns if ack_ns is not None else start))
        declared = fields.get("faults")
        if not active and isinstance(declared, list | tuple):
            active = tuple(str(x) for x in declared)
        lost.append(
            LostWrite(
                value=value,
                key=str(key) if key is not None else (op.key if op else None),
                node=str(node) if node is not None else (op.node if op else None),
                process=_first(fields, "process") if op is None else op.process,
                invoke_ns=invoke_ns,
                ack_ns=ack_ns,
                acks=acks,
                faults=active,
            )
        )
    counts = {
        k: v for k, v in section.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    by_acks = section.get("by_acks")
    return LostWrites(counts, by_acks if isinstance(by_acks, Mapping) else {}, tuple(lost))


def _first(fields: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if fields.get(name) is not None:
            return fields[name]
    return None


def _ident(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else value


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
