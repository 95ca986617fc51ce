"""The elle-cli bridge (against a stand-in script: elle-cli, a JVM program, cannot be
installed here) and the workload -> checkers table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from checkers.elle import ElleCliChecker
from checkers.elle.elle_cli import ElleCliError, parse_elle_output
from checkers.verdict import Verdict, run_checkers
from checkers.workloads import CheckerOptions, checkers_for
from tests.checkers.builder import History, txn

# The stand-in checks what a real elle-cli would need (its arguments, a JSON array of
# txn events) and answers with elle-cli's output line; the verdict comes from argv[0]'s
# name so one script body serves every case.
FAKE_ELLE = """#!{python}
import json, sys
from pathlib import Path
args = sys.argv[1:]
assert args[:4] == ["-m", "list-append", "-f", "json"], args
path = args[4]
events = json.loads(Path(path).read_text())
assert events and all(e["f"] == "txn" for e in events), events
Path(sys.argv[0] + ".seen").write_text(json.dumps(events))
answer = Path(sys.argv[0]).name.split("-")[-1]
if answer == "garbage":
    print("Exception in thread main", file=sys.stderr)
    sys.exit(255)
print(path + "\\t" + answer)
sys.exit(0 if answer == "true" else 1)
"""


def fake_elle(tmp_path: Path, answer: str) -> Path:
    script = tmp_path / f"elle-cli-{answer}"
    script.write_text(FAKE_ELLE.format(python=sys.executable))
    script.chmod(0o755)
    return script


def small_history() -> History:
    h = History()
    txn(h, 0, [["append", "x", 1]])
    txn(h, 1, [["r", "x", [1]]])
    h.nemesis("start-partition")
    return h


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [("true", Verdict.VALID), ("false", Verdict.INVALID), ("garbage", Verdict.UNKNOWN)],
)
def test_elle_cli_verdict_is_read_from_its_output(tmp_path, answer, verdict):
    script = fake_elle(tmp_path, answer)
    r = ElleCliChecker(script, timeout_s=60).check(small_history().events)
    assert r.verdict is verdict, r
    exported = json.loads(Path(str(script) + ".seen").read_text())
    assert [e["type"] for e in exported] == ["invoke", "ok", "invoke", "ok"]
    assert exported[3]["value"] == [["r", "x", [1]]]


def test_elle_cli_verdict_merges_with_ours(tmp_path):
    opts = CheckerOptions(elle_cli=fake_elle(tmp_path, "false"))
    checkers = checkers_for("list-append", opts)
    verdict, results = run_checkers(checkers, small_history().events)
    assert results["list-append"].verdict is Verdict.VALID
    assert results["elle-cli"].verdict is Verdict.INVALID
    assert verdict is Verdict.INVALID


def test_missing_elle_cli_is_unknown_with_a_reason(tmp_path):
    checkers = checkers_for("list-append", CheckerOptions(elle_cli=tmp_path / "nope"))
    _, results = run_checkers(checkers, small_history().events)
    assert results["elle-cli"].verdict is Verdict.UNKNOWN
    assert "elle-cli not found" in (results["elle-cli"].reason or "")
    with pytest.raises(ElleCliError):
        ElleCliChecker(tmp_path / "nope").check([])


def test_parse_elle_output_needs_the_files_line():
    assert parse_elle_output("/tmp/h.json\ttrue\n", "/tmp/h.json") is Verdict.VALID
    assert parse_elle_output("noise\n/tmp/h.json\tfalse\n", "/tmp/h.json") is Verdict.INVALID
    assert parse_elle_output("nothing useful", "/tmp/h.json") is None


def test_checkers_for_each_workload():
    names = {w: [c.name for c in checkers_for(w)] for w in ("set", "list-append", "counter")}
    assert names == {
        "set": ["set-full", "stats", "perf"],
        "list-append": ["list-append", "stats", "perf"],
        "counter": ["counter", "stats", "perf"],
    }
    with pytest.raises(ValueError, match="unknown workload"):
        checkers_for("queue")


def test_set_workload_end_to_end_through_run_checkers():
    h = History()
    h.add(0, 1, acks=1)
    h.add(0, 2, acks=1)
    h.read(1, [1])
    verdict, results = run_checkers(checkers_for("set"), h.events)
    assert verdict is Verdict.INVALID
    assert results["set-full"].details["lost_count"] == 1
    assert results["stats"].verdict is Verdict.VALID
    json.dumps({k: r.to_json() for k, r in results.items()})  # JSON-able


def test_register_workload_uses_the_linearizability_checker():
    pytest.importorskip("checkers.linear", reason="checkers/linear not in this tree yet")
    names = [c.name for c in checkers_for("register", CheckerOptions(model="register"))]
    assert names[1:] == ["stats", "perf"]
    assert names[0].startswith("linear")
    h = History()
    h.invoke(0, "write", 1)
    h.ok(0)
    h.invoke(1, "read", None)
    h.ok(1, 2)
    verdict, _ = run_checkers(checkers_for("register", CheckerOptions(model="register")), h.events)
    assert verdict is Verdict.INVALID
    with pytest.raises(ValueError, match="unknown model"):
        checkers_for("register", CheckerOptions(model="nope"))
