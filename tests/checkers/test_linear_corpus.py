"""Every history of Porcupine's public corpus gets its published verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkers.history import pair, read_history
from checkers.linear import Limits, LinearizabilityChecker, cas_register, kv, search
from checkers.linear.schedule import check_partitions, check_partitions_parallel
from checkers.verdict import Verdict

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "porcupine"


def _expected() -> list[tuple[str, bool]]:
    data = json.loads((CORPUS / "expected.json").read_text())
    return sorted(
        (path, verdict)
        for group in data.values()
        if isinstance(group, dict)
        for path, verdict in group.items()
    )


EXPECTED = _expected()


def test_corpus_is_complete():
    assert sum(p.startswith("jepsen/") for p, _ in EXPECTED) == 102
    assert sum(p.startswith("kv/") for p, _ in EXPECTED) == 6


@pytest.mark.parametrize(("path", "linearizable"), EXPECTED, ids=[p for p, _ in EXPECTED])
def test_corpus_verdict(path: str, linearizable: bool):
    model = kv() if path.startswith("kv/") else cas_register()
    result = LinearizabilityChecker(model, timeout_s=60, workers=1).check(
        read_history(CORPUS / path)
    )
    assert result.verdict is (Verdict.VALID if linearizable else Verdict.INVALID), result.reason
    if not linearizable:
        explanation = result.details["explanation"]
        assert explanation["unplaceable"], explanation
        assert explanation["window"]


@pytest.mark.parametrize("path", [p for p, _ in EXPECTED if p.startswith("jepsen/")][:40])
def test_porcupine_reading_of_failed_cas_agrees(path: str):
    """On this corpus the stricter reading (a failed cas read another value) gives the
    same verdicts as Knossos' (a failed cas did not happen)."""
    history = read_history(CORPUS / path)
    strict = LinearizabilityChecker(cas_register(failed_cas_reads=True), workers=1).check(history)
    plain = LinearizabilityChecker(cas_register(), workers=1).check(history)
    assert strict.verdict is plain.verdict


@pytest.mark.parametrize(("name", "verdict"), [("c50-ok.txt", "valid"), ("c50-bad.txt", "invalid")])
def test_worker_processes_agree_with_one_process(name: str, verdict: str):
    model = kv()
    parts = model.partition(pair(read_history(CORPUS / "kv" / name)))
    one = check_partitions(model, parts, Limits())
    two = check_partitions_parallel(model, parts, Limits(), workers=2, min_operations=0)
    assert one.verdict == two.verdict == verdict
    if verdict == "valid":
        assert one.checked == two.checked == len(parts) == 10
    else:
        assert two.failing is not None and two.failing.result.stuck is not None


def test_fingerprint_memo_agrees_with_exact_bitsets(monkeypatch: pytest.MonkeyPatch):
    """Large partitions memoise fingerprints; forced on every partition, the verdicts
    stay the same."""
    monkeypatch.setattr(search, "EXACT_MAX_OPS", 0)
    for path, linearizable in EXPECTED[::4]:
        model = kv() if path.startswith("kv/") else cas_register()
        result = LinearizabilityChecker(model, workers=1).check(read_history(CORPUS / path))
        assert result.verdict is (Verdict.VALID if linearizable else Verdict.INVALID), path
