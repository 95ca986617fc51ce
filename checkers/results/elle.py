"""The list-append checker's and elle-cli's results (:mod:`checkers.elle`), as types
whose ``to_json`` is the ``details`` each writes.

Anomalies are kept as the JSON records the checker lists (their shapes differ by kind:
cycles have ``steps``, the others name the operations and values; see docs/checkers-sets.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checkers.results.fields import integer, listed, mapping
from checkers.verdict import CheckResult

LIST_APPEND = "list-append"
ELLE_CLI = "elle-cli"
"""The checkers' names, their keys in results.json."""

Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ListAppendResult:
    """Transactions judged (by outcome), keys, dependency edges, and the anomalies found
    by kind (``anomaly_counts`` complete, ``anomalies`` the first ``max_listed`` of
    each). ``second_opinion``: elle-cli's result, when it ran beside ours."""

    consistency: str
    txn_count: int
    ok_count: int
    info_count: int
    fail_count: int
    key_count: int
    edge_count: int
    anomaly_counts: Mapping[str, int] = field(default_factory=dict)
    anomalies: Mapping[str, tuple[Record, ...]] = field(default_factory=dict)
    second_opinion: CheckResult | None = None

    @property
    def anomaly_types(self) -> list[str]:
        return sorted(self.anomalies)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "consistency": self.consistency,
            "txn_count": self.txn_count,
            "ok_count": self.ok_count,
            "info_count": self.info_count,
            "fail_count": self.fail_count,
            "key_count": self.key_count,
            "edge_count": self.edge_count,
            "anomaly_types": self.anomaly_types,
            "anomaly_counts": dict(self.anomaly_counts),
            "anomalies": {k: [dict(a) for a in v] for k, v in self.anomalies.items()},
        }
        if self.second_opinion is not None:
            out["second_opinion"] = self.second_opinion.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ListAppendResult:
        counts = mapping(data.get("anomaly_counts", {}), "anomaly_counts")
        anomalies = mapping(data.get("anomalies", {}), "anomalies")
        second = data.get("second_opinion")
        return cls(
            consistency=str(data.get("consistency")),
            txn_count=integer(data, "txn_count"),
            ok_count=integer(data, "ok_count"),
            info_count=integer(data, "info_count"),
            fail_count=integer(data, "fail_count"),
            key_count=integer(data, "key_count"),
            edge_count=integer(data, "edge_count"),
            anomaly_counts={str(k): integer(counts, k) for k in counts},
            anomalies={
                str(k): tuple(mapping(a, k) for a in listed(anomalies, k)) for k in anomalies
            },
            second_opinion=None if second is None else CheckResult.from_json(ELLE_CLI, second),
        )


@dataclass(frozen=True, slots=True)
class ElleCliResult:
    """How elle-cli was run (``HISTORY`` stands for the temporary file), its exit code
    and the tail of its output."""

    command: tuple[str, ...]
    exit_code: int
    output: str

    def to_json(self) -> dict[str, Any]:
        return {"command": list(self.command), "exit_code": self.exit_code, "output": self.output}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ElleCliResult:
        return cls(
            tuple(str(a) for a in listed(data, "command")),
            integer(data, "exit_code"),
            str(data.get("output", "")),
        )
