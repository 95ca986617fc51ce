"""`harness check` on histories whose value shapes decide the reading (independent keys
or not), and the register refutations that judge obvious violations without a search."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from checkers.history import HistoryFormatError, parse_history
from checkers.linear import cas_register
from tests.checkers.test_check_cli import _check

CAS_ONLY = """\
{:type :invoke, :f :cas, :value [1 2], :process 0, :time 0, :index 0}
{:type :fail, :f :cas, :value [1 2], :process 0, :time 1, :index 1}
{:type :invoke, :f :cas, :value [2 3], :process 1, :time 2, :index 2}
{:type :ok, :f :cas, :value [2 3], :process 1, :time 3, :index 3}
"""
KEYED = """\
{:type :invoke, :f :write, :value [5 2], :process 1, :time 2, :index 0}
{:type :ok, :f :write, :value [5 2], :process 1, :time 3, :index 1}
{:type :invoke, :f :cas, :value [5 [2 3]], :process 0, :time 4, :index 2}
{:type :ok, :f :cas, :value [5 [2 3]], :process 0, :time 5, :index 3}
{:type :invoke, :f :read, :value [6 nil], :process 0, :time 6, :index 4}
{:type :ok, :f :read, :value [6 nil], :process 0, :time 7, :index 5}
"""
MIXED = """\
{:type :invoke, :f :write, :value 3, :process 0, :time 0, :index 0}
{:type :ok, :f :write, :value 3, :process 0, :time 1, :index 1}
{:type :invoke, :f :write, :value [5 2], :process 1, :time 2, :index 2}
{:type :ok, :f :write, :value [5 2], :process 1, :time 3, :index 3}
"""


def _as_jsonl(edn: str) -> str:
    ops = parse_history("h.edn", edn, independent="no")
    return "".join(json.dumps(op.to_json()) + "\n" for op in ops)


@pytest.mark.parametrize("fmt", ["edn", "jsonl"])
def test_cas_only_history_is_one_register(tmp_path: Path, fmt: str):
    path = tmp_path / f"cas.{fmt}"
    path.write_text(CAS_ONLY if fmt == "edn" else _as_jsonl(CAS_ONLY))
    done = _check("--model", "cas-register", "-v", path)
    assert done.returncode == 1, done.stderr  # cas [2 3] on nil cannot succeed
    assert done.stdout.startswith(f"{path}\tfalse")
    assert "cas [2 3]" in done.stdout
    forced = _check("--model", "cas-register", "--independent", "yes", path)
    assert forced.returncode == 254
    assert "event 0 (invoke cas [1, 2]) is not a [key value] pair" in forced.stderr


@pytest.mark.parametrize("fmt", ["edn", "jsonl"])
def test_keyed_history_is_split_by_key(tmp_path: Path, fmt: str):
    path = tmp_path / f"keyed.{fmt}"
    path.write_text(KEYED if fmt == "edn" else _as_jsonl(KEYED))
    ops = parse_history(str(path), KEYED, plain=cas_register().plain_value)
    assert [(op.key, op.value) for op in ops] == [
        ("5", 2), ("5", 2), ("5", [2, 3]), ("5", [2, 3]), ("6", None), ("6", None)
    ]  # fmt: skip
    done = _check("--model", "cas-register", path)
    assert (done.returncode, done.stdout) == (0, f"{path}\ttrue\n"), done.stderr
    plain = _check("--model", "cas-register", "--independent", "no", path)
    # read as one register: cas [5 [2 3]] expects 5, but [5 2] was written
    assert (plain.returncode, plain.stdout) == (1, f"{path}\tfalse\n"), plain.stderr


@pytest.mark.parametrize("fmt", ["edn", "jsonl"])
def test_mixed_shapes_are_an_error_naming_both_events(tmp_path: Path, fmt: str):
    path = tmp_path / f"mixed.{fmt}"
    path.write_text(MIXED if fmt == "edn" else _as_jsonl(MIXED))
    done = _check("--model", "cas-register", path)
    assert done.returncode == 254
    assert done.stdout == ""
    assert "event 2 (invoke write [5, 2]) is only readable as [key value]" in done.stderr
    assert "event 0 (invoke write 3) only as a plain value" in done.stderr
    assert "--independent yes or no" in done.stderr
    with pytest.raises(HistoryFormatError):
        parse_history("m.edn", MIXED, plain=cas_register().plain_value)
    plain = _check("--model", "register", "--independent", "no", path)
    assert plain.returncode == 0, plain.stderr  # [5 2] is then one value


def _nil_after_write(processes: int, rounds: int) -> str:
    """write 1, then ``rounds`` rounds in which every process writes and reads (each
    read seeing the value its own process wrote last in that round, so the history
    up to the end is linearizable, with much concurrency), then a read of nil."""
    lines: list[dict[str, object]] = []

    def add(type_: str, f: str, value: object, process: int) -> None:
        n = len(lines)
        lines.append(
            {"index": n, "time": n, "type": type_, "process": process, "f": f, "value": value}
        )

    add("invoke", "write", 1, 0)
    add("ok", "write", 1, 0)
    for r in range(rounds):
        for p in range(processes):
            add("invoke", "write", r % 7 + 2, p)
        for p in range(processes):
            add("ok", "write", r % 7 + 2, p)
        for p in range(processes):
            add("invoke", "read", None, p)
        for p in range(processes):
            add("ok", "read", r % 7 + 2, p)
    add("invoke", "read", None, processes)
    add("ok", "read", None, processes)
    return "".join(json.dumps(line) + "\n" for line in lines)


def test_nil_read_long_after_a_write_is_invalid_quickly(tmp_path: Path):
    path = tmp_path / "nil.jsonl"
    path.write_text(_nil_after_write(10, 300))
    start = time.monotonic()
    done = _check("--model", "cas-register", "--max-memory", "1", "-v", path)
    elapsed = time.monotonic() - start
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout.startswith(f"{path}\tfalse")
    last = 4 * 10 * 300 + 2
    assert f"the read at event {last} returned nil" in done.stdout
    assert "completed before the read was invoked" in done.stdout
    assert "the initial nil, and nothing wrote nil" in done.stdout
    assert elapsed < 20


def test_read_of_an_overwritten_value_is_refuted():
    text = "".join(
        json.dumps({"index": i, "type": t, "process": p, "f": f, "value": v}) + "\n"
        for i, (t, p, f, v) in enumerate(
            [
                ("invoke", 0, "write", 1),
                ("ok", 0, "write", 1),
                ("invoke", 1, "cas", [1, 2]),
                ("ok", 1, "cas", [1, 2]),
                ("invoke", 2, "read", None),
                ("invoke", 3, "write", 3),  # a concurrent unknown write of 3: not of 1
                ("ok", 2, "read", 1),
            ]
        )
    )
    from checkers.history import pair  # noqa: PLC0415

    model = cas_register()
    assert model.refute is not None
    proof = model.refute(pair(parse_history("h.jsonl", text)))
    assert proof is not None and proof.cut == 6
    assert "the cas [1, 2] at events 2-3" in proof.reason
    assert "every write that could have supplied 1 had completed" in proof.reason


def test_verbose_names_a_crashed_read_ignored_not_pending(tmp_path: Path):
    events = [
        ("invoke", "write", 1, 0),
        ("ok", "write", 1, 0),
        ("invoke", "read", None, 1),
        ("info", "read", None, 1),
        ("invoke", "read", None, 2),
        ("ok", "read", 2, 2),
    ]
    path = tmp_path / "crashed-read.jsonl"
    path.write_text(
        "".join(
            json.dumps({"index": i, "type": t, "f": f, "value": v, "process": p}) + "\n"
            for i, (t, f, v, p) in enumerate(events)
        )
    )
    done = _check("--model", "cas-register", "-v", path)
    assert done.returncode == 1, done.stderr
    window = done.stdout.split("Operations around it (by invocation):")[1]
    assert "ignored  op@2 process 1 read nil [info" in window
    assert "pending" not in window
