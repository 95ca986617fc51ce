"""`harness check` with the non-linearizability checkers (set-full, list-append with
--consistency and --elle-cli, counter-bounds), as a user runs it: a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from base.op import Op
from checkers.history import write_history
from tests.checkers.builder import History, txn
from tests.checkers.test_elle_cli_and_workloads import fake_elle
from tests.checkers.test_linear_corpus import CORPUS


def _check(*args: str | Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "harness.commands.check", *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def _file(tmp_path: Path, events: list[Op], name: str = "history.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(write_history(events, "jsonl")))
    return path


def _lost_write() -> list[Op]:
    h = History()
    h.add(0, 1, acks=1)
    h.add(1, 2, acks=0)
    h.read(2, [1, 2])
    h.nemesis("start-partition")
    h.add(0, 3, acks=0)
    h.nemesis("stop-partition")
    h.read(2, [1, 2])  # the final read: 3 was acknowledged and is gone
    return h.events


def _read_skew() -> list[Op]:
    """T(2) appends x 1 and y 1; T(4) saw y with 1 but x empty: wr one way, rw back."""
    h = History()
    txn(h, 0, [["append", "x", 1], ["append", "y", 1]])
    txn(h, 1, [["r", "x", []], ["r", "y", [1]]])
    txn(h, 2, [["r", "x", [1]]])
    return h.events


def _stale_after_commit() -> list[Op]:
    """Serializable, but not strict: the read began after the append completed."""
    h = History()
    txn(h, 0, [["append", "x", 1]])
    txn(h, 1, [["r", "x", []]])
    return h.events


def test_set_full_lists_lost_writes(tmp_path: Path):
    path = _file(tmp_path, _lost_write())
    done = _check("--model", "set-full", "-v", path)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"{path}\tfalse"
    assert "1 lost, 0 unexpected element(s)" in lines[1]
    assert "lost writes (1):" in done.stdout
    lost = next(line for line in lines if "value 3:" in line)
    assert "key 'k'" in lost
    assert "WAIT acks 0" in lost
    assert "faults during the add: partition" in lost
    assert "never seen by a read, missing from read 12" in lost
    assert "  1: acknowledged 1, lost 0" in lines
    assert "  0: acknowledged 2, lost 1" in lines


def test_set_full_valid_exits_0(tmp_path: Path):
    h = History()
    h.add(0, 1)
    h.read(1, [1])
    done = _check("--model", "set-full", _file(tmp_path, h.events))
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("\ttrue\n")


def test_list_append_prints_the_cycle_with_edge_kinds(tmp_path: Path):
    path = _file(tmp_path, _read_skew())
    done = _check("--model", "list-append", "-v", path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"{path}\tfalse\n")
    assert "G-single (1):" in done.stdout
    cycle = next(line for line in done.stdout.splitlines() if "cycle:" in line)
    assert "-rw->" in cycle
    assert "-wr->" in cycle
    assert "saw it empty" in done.stdout


def test_list_append_consistency_option(tmp_path: Path):
    path = _file(tmp_path, _stale_after_commit())
    assert _check("--model", "list-append", path).returncode == 0
    done = _check("--model", "list-append", "--consistency", "strict-serializable", "-v", path)
    assert done.returncode == 1, done.stderr
    assert "G-single-realtime" in done.stdout
    assert "-realtime->" in done.stdout


def test_list_append_merges_elle_cli_verdict(tmp_path: Path):
    path = _file(tmp_path, _stale_after_commit())
    done = _check("--model", "list-append", "--elle-cli", fake_elle(tmp_path, "false"), "-v", path)
    assert done.returncode == 1, done.stderr
    assert "elle-cli says invalid, list-append says valid" in done.stdout
    assert "second opinion: invalid" in done.stdout
    agree = _check("--model", "list-append", "--elle-cli", fake_elle(tmp_path, "true"), path)
    assert agree.returncode == 0, agree.stderr


def test_elle_cli_options_are_checked(tmp_path: Path):
    path = _file(tmp_path, _stale_after_commit())
    missing = _check("--model", "list-append", "--elle-cli", tmp_path / "nope", path)
    assert missing.returncode == 254
    assert "not an executable file" in missing.stderr
    wrong_model = _check("--model", "set-full", "--consistency", "serializable", path)
    assert wrong_model.returncode == 254
    assert "apply to --model list-append" in wrong_model.stderr
    bad_choice = _check("--model", "list-append", "--consistency", "linearizable", path)
    assert bad_choice.returncode == 254


def test_counter_bounds_reads_outside_bounds(tmp_path: Path):
    h = History()
    h.invoke(0, "add", 2, "c")
    h.ok(0)
    h.invoke(1, "read", None, "c")
    h.ok(1, 5)
    done = _check("--model", "counter-bounds", "-v", _file(tmp_path, h.events))
    assert done.returncode == 1, done.stderr
    assert "read at event 2 of key 'c': 5 not in [2, 2]" in done.stdout


def test_set_full_through_the_harness_entry_point(tmp_path: Path):
    path = _file(tmp_path, _lost_write())
    argv = [sys.executable, "-m", "harness.cli", "check", "--model", "set-full", str(path)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (1, f"{path}\tfalse\n"), done.stderr


# Start-up time is most of a small check: modules that only some paths need stay unloaded.
_PROBE = """
import sys
from harness.commands.check import standalone
code = standalone(sys.argv[1:])
print(" ".join(sorted(sys.modules)))
"""


def test_kv_check_loads_only_what_it_needs():
    kv_log = CORPUS / "kv" / "c01-ok.txt"
    argv = [sys.executable, "-c", _PROBE, "--model", "kv", str(kv_log)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    verdict, loaded_line = done.stdout.splitlines()
    assert verdict.endswith("\ttrue")
    loaded = set(loaded_line.split())
    assert "checkers.linear.kv" in loaded
    unneeded = {
        "edn_format",
        "json",
        "random",
        "shutil",
        "pathlib",
        "checkers.linear.containers",
        "checkers.linear.registers",
        "checkers.setfull",
        "checkers.elle",
        "checkers.explanations",
        "multiprocessing",
    }
    # pathlib comes with the editable install's import finder in some environments
    if any(name.startswith("__editable__") for name in loaded):
        unneeded.discard("pathlib")
    assert loaded & unneeded == set()


def test_closed_output_keeps_the_exit_code_without_a_traceback():
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to stdout fails: the reader is gone (``| head``)
    argv = [
        sys.executable,
        "-m",
        "harness.commands.check",
        "--model",
        "kv",
        str(CORPUS / "kv" / "c01-bad.txt"),
    ]
    try:
        done = subprocess.run(
            argv, stdout=write_end, stderr=subprocess.PIPE, timeout=60, check=False
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr
