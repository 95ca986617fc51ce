"""The elle-cli bridge (against a stand-in script: elle-cli, a JVM program, cannot be
installed here). The workload -> checkers table is tested in tests/harness/test_workloads.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from checkers.elle import ElleCliChecker
from checkers.elle.elle_cli import parse_elle_output
from checkers.verdict import Verdict
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


def test_parse_elle_output_needs_the_files_line():
    assert parse_elle_output("/tmp/h.json\ttrue\n", "/tmp/h.json") is Verdict.VALID
    assert parse_elle_output("noise\n/tmp/h.json\tfalse\n", "/tmp/h.json") is Verdict.INVALID
    assert parse_elle_output("nothing useful", "/tmp/h.json") is None
