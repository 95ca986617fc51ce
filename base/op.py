"""The history event: one half of an operation (an invocation or its completion).

This is the project's single history data model; the harness records it, the checkers
read it, the reports draw it. JSON and EDN appear only at the edges (``to_json`` /
``from_json`` here define the ``history.jsonl`` line format).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

NEMESIS: Final = "nemesis"
"""The process name of fault events."""

Process = int | str
"""A worker process number, or :data:`NEMESIS`."""

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_KNOWN_FIELDS: Final = frozenset(
    {"index", "time", "type", "process", "f", "value", "key", "node", "error", "acks"}
)


class OpType(enum.Enum):
    """Jepsen's event types: ``ok`` happened, ``fail`` definitely did not, ``info`` unknown."""

    INVOKE = "invoke"
    OK = "ok"
    FAIL = "fail"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Op:
    """One history event.

    ``time_ns`` is monotonic nanoseconds since the test started; ``index`` is the position
    in the history (-1 until the recorder assigns it). ``key`` names the independent key
    the operation touches (None for single-register histories). ``acks`` is the replica
    count a ``WAIT`` returned after a write; ``extra`` holds any other field, JSON-able.
    """

    type: OpType
    f: str
    value: Any
    process: Process
    index: int = -1
    time_ns: int = 0
    key: str | None = None
    node: str | None = None
    error: str | None = None
    acks: int | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False, hash=False)

    @property
    def is_invoke(self) -> bool:
        return self.type is OpType.INVOKE

    @property
    def is_client(self) -> bool:
        """True for worker operations, False for nemesis events."""
        return self.process != NEMESIS

    def complete(self, type: OpType, **changes: Any) -> Op:
        """The completion of this invocation with the same process, f, key and value unless
        overridden; index and time are reset for the recorder to assign."""
        return replace(self, type=type, index=-1, time_ns=0, **changes)

    def to_json(self) -> dict[str, Any]:
        """The ``history.jsonl`` form: fields with None values are omitted."""
        out: dict[str, Any] = {
            "index": self.index,
            "time": self.time_ns,
            "type": self.type.value,
            "process": self.process,
            "f": self.f,
            "value": self.value,
        }
        for name in ("key", "node", "error", "acks"):
            v = getattr(self, name)
            if v is not None:
                out[name] = v
        for k, v in self.extra.items():
            out.setdefault(k, v)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Op:
        """Inverse of :meth:`to_json`. Raises ``ValueError`` naming the bad field."""
        type_ = _TYPES.get(data.get("type"))  # type: ignore[arg-type]
        if type_ is None:
            raise ValueError(f"bad or missing 'type': {data.get('type')!r}")
        if "f" not in data or "process" not in data:
            raise ValueError("missing 'f' or 'process'")
        process = data["process"]
        if not isinstance(process, _PROCESS_TYPES) or isinstance(process, bool):
            raise ValueError(f"bad 'process': {process!r}")
        extra = (
            _EMPTY
            if _KNOWN_FIELDS.issuperset(data)
            else MappingProxyType({k: v for k, v in data.items() if k not in _KNOWN_FIELDS})
        )
        get = data.get
        return cls(
            type_,
            str(data["f"]),
            get("value"),
            process,
            int(get("index", -1)),
            int(get("time", 0)),
            get("key"),
            get("node"),
            get("error"),
            get("acks"),
            extra,
        )


_TYPES: Final = {t.value: t for t in OpType}
_PROCESS_TYPES: Final = (int, str)
