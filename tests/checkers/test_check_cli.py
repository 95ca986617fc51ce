"""`harness check` as a user runs it: a fresh process, output lines and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.checkers.test_linear_corpus import CORPUS

KV = CORPUS / "kv"


def _check(
    *args: str | Path, entry: str = "harness.commands.check"
) -> subprocess.CompletedProcess[str]:
    argv = [
        sys.executable,
        "-m",
        entry,
        *(["check"] if entry == "harness.cli" else []),
        *map(str, args),
    ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def test_valid_files_exit_0():
    done = _check("--model", "kv", KV / "c01-ok.txt", KV / "c10-ok.txt", entry="harness.cli")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{KV / 'c01-ok.txt'}\ttrue", f"{KV / 'c10-ok.txt'}\ttrue"]


def test_any_invalid_exits_1_and_verbose_explains():
    done = _check("--model", "kv", "-v", KV / "c01-ok.txt", KV / "c10-bad.txt")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"{KV / 'c01-ok.txt'}\ttrue"
    assert f"{KV / 'c10-bad.txt'}\tfalse" in lines
    assert "Cannot linearize on key" in done.stdout
    assert "unplaceable" in done.stdout


def test_many_files_in_worker_processes():
    logs = sorted((CORPUS / "jepsen").glob("etcd_00*.log"))
    done = _check("--model", "cas-register", *logs)
    assert done.returncode == 1, done.stderr
    verdicts = [line.split("\t") for line in done.stdout.splitlines()]
    assert [path for path, _ in verdicts] == [str(p) for p in logs]
    assert dict(verdicts)[str(CORPUS / "jepsen" / "etcd_002.log")] == "true"
    assert dict(verdicts)[str(CORPUS / "jepsen" / "etcd_000.log")] == "false"


def test_memory_guard_gives_unknown_exit_2():
    done = _check("--model", "kv", "--max-memory", "1", "-v", KV / "c50-ok.txt")
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith(f"{KV / 'c50-ok.txt'}\tunknown")
    assert "memory guard" in done.stdout


def test_unknown_model_exits_254():
    done = _check("--model", "nope", KV / "c01-ok.txt")
    assert done.returncode == 254
    assert "unknown model 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_file_exits_254(tmp_path: Path):
    done = _check("--model", "kv", tmp_path / "absent.edn")
    assert done.returncode == 254
    assert "absent.edn: no such file" in done.stderr


def test_bad_line_exits_254_naming_file_and_line(tmp_path: Path):
    path = tmp_path / "h.edn"
    path.write_text("{:type :invoke, :f :get, :key 1, :process 0}\n{:type :ok, :f :get\n")
    done = _check("--model", "kv", path)
    assert done.returncode == 254
    assert f"{path}:2:" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_history_that_does_not_fit_the_model_exits_254(tmp_path: Path):
    path = tmp_path / "h.edn"
    path.write_text("{:type :invoke, :f :frobnicate, :process 0}\n")
    done = _check("--model", "register", path)
    assert done.returncode == 254
    assert "does not fit model register" in done.stderr


def test_bad_option_exits_254():
    done = _check("--model", "kv", "--format", "yaml", KV / "c01-ok.txt")
    assert done.returncode == 254


def test_events_that_do_not_pair_exit_254(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    path.write_text('{"index": 0, "type": "ok", "f": "read", "process": 3, "value": 1}\n')
    done = _check("--model", "register", path)
    assert done.returncode == 254
    assert f"{path}: event 0: ok completion of process 3 with no open invocation" in done.stderr


def test_registry_reaches_the_set_full_checker(tmp_path: Path):
    path = tmp_path / "set.jsonl"
    lines = [
        '{"index":0,"type":"invoke","f":"add","process":0,"value":1}',
        '{"index":1,"type":"ok","f":"add","process":0,"value":1}',
        '{"index":2,"type":"invoke","f":"read","process":1,"value":null}',
        '{"index":3,"type":"ok","f":"read","process":1,"value":[]}',
    ]
    path.write_text("\n".join(lines) + "\n")
    done = _check("--model", "set-full", path)
    assert done.returncode == 1, done.stderr
    assert done.stdout == f"{path}\tfalse\n"
