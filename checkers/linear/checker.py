"""The linearizability checker: pair the history, split it into independent partitions,
search each (interleaved, optionally in worker processes), explain a failure."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from base.op import Op
from checkers.history.pairing import Operation, Row, pair, pair_rows
from checkers.linear.model import Model
from checkers.linear.schedule import check_partitions_parallel
from checkers.linear.search import Limits
from checkers.results.linear import CHECKER
from checkers.verdict import CheckResult, Verdict

_VERDICTS = {"valid": Verdict.VALID, "invalid": Verdict.INVALID, "unknown": Verdict.UNKNOWN}


@dataclass(slots=True)
class LinearizabilityChecker:
    """Checks a history against ``model`` (a :class:`Model`, or its name in
    ``checkers.linear.MODELS``).

    ``timeout_s`` bounds the search (None: no bound) and ``max_memo_bytes`` its memo;
    past either the verdict is ``unknown`` with the reason, and the explanation of the
    deepest point reached. ``workers`` > 1 lets large histories with several keys be
    searched in that many forked processes.
    """

    model: Model | str
    timeout_s: float | None = 60.0
    max_memo_bytes: int = 1 << 30
    workers: int = 2
    name: str = CHECKER

    def __post_init__(self) -> None:
        if isinstance(self.model, str):
            from checkers.linear import MODELS  # noqa: PLC0415 (a cycle: the package imports us)

            make = MODELS.get(self.model)
            if make is None:
                known = ", ".join(sorted(MODELS))
                raise ValueError(f"unknown model {self.model!r} (known: {known})")
            self.model = make()

    def check(self, history: Sequence[Op]) -> CheckResult:
        """Raises ``HistoryPairingError`` or ``ModelError`` for histories that do not fit."""
        start = time.monotonic()
        return self.check_operations(pair(history, self._model().keep_failed), start)

    def check_rows(self, rows: Sequence[Row]) -> CheckResult:
        """:meth:`check` of events given as pairing rows (``checkers.history.jsonl_rows``
        reads them from a file without building ``Op`` records)."""
        start = time.monotonic()
        return self.check_operations(pair_rows(rows, self._model().keep_failed), start)

    def _model(self) -> Model:
        model = self.model
        assert isinstance(model, Model)
        return model

    def check_operations(self, ops: list[Operation], start: float | None = None) -> CheckResult:
        """:meth:`check` of paired operations (``checkers.history.pair``); the timeout
        runs from ``start`` (a ``time.monotonic()`` instant; None: now). Raises
        ``ModelError`` for operations that do not fit."""
        model = self._model()
        if start is None:
            start = time.monotonic()
        deadline = None if self.timeout_s is None else start + self.timeout_s
        limits = Limits(deadline, self.max_memo_bytes)
        parts = model.partition(ops)
        outcome = check_partitions_parallel(model, parts, limits, self.workers)
        details: dict[str, object] = {
            "model": model.name,
            "operations": len(ops),
            "keys": outcome.partitions,
            "keys_checked": outcome.checked,
            "failing_key": None,
            "explanation": None,
        }
        failing = outcome.failing
        if failing is not None:
            details["failing_key"] = failing.key
            if failing.result.stuck is not None:
                from checkers.linear.explain import explain  # noqa: PLC0415 (start-up time)

                details["explanation"] = explain(
                    model,
                    failing.key,
                    failing.operations,
                    failing.result.stuck,
                    refutation=outcome.reason if outcome.verdict == "invalid" else None,
                )
        reason = outcome.reason
        if outcome.verdict == "invalid":
            where = f"key {failing.key!r}" if failing and failing.key is not None else "history"
            reason = f"the {where} is not linearizable as a {model.name}" + (
                f": {outcome.reason}" if outcome.reason else ""
            )
        return CheckResult(self.name, _VERDICTS[outcome.verdict], reason, details)
