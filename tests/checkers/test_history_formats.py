"""History readers and writers: round trips, Jepsen's shapes, and bad input named by
file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from base.op import Op, OpType
from checkers.history import (
    HistoryFormatError,
    HistoryPairingError,
    detect_format,
    pair,
    parse_history,
    read_history,
    write_history,
)

HISTORY = [
    Op(OpType.INVOKE, "write", 3, 0, index=0, time_ns=10, key="k1"),
    Op(OpType.INVOKE, "cas", [3, 4], 1, index=1, time_ns=11, key="k1"),
    Op(OpType.OK, "write", 3, 0, index=2, time_ns=20, key="k1", node="n1", acks=1),
    Op(OpType.INVOKE, "start-partition", None, "nemesis", index=3, time_ns=21),
    Op(OpType.INFO, "cas", [3, 4], 1, index=4, time_ns=30, key="k1", error="timeout"),
    Op(OpType.INVOKE, "read", None, 0, index=5, time_ns=31, key="k1"),
    Op(OpType.OK, "read", 'a "quoted" string', 0, index=6, time_ns=40, key="k1"),
]


@pytest.mark.parametrize("fmt", ["jsonl", "edn", "elle-json"])
def test_round_trip(tmp_path: Path, fmt: str):
    path = tmp_path / f"history.{fmt}"
    path.write_text("".join(write_history(HISTORY, fmt)))
    assert detect_format(str(path), path.read_text()) == fmt
    back = read_history(path)
    assert [op.to_json() for op in back] == [op.to_json() for op in HISTORY]


def test_edn_writes_keyed_values_as_jepsen_tuples():
    line = next(iter(write_history(HISTORY[:1], "edn")))
    assert line == '{:index 0, :time 10, :type :invoke, :process 0, :f :write, :value ["k1" 3]}\n'


def test_edn_vector_and_plain_values():
    text = """[{:type :invoke, :f :read, :value nil, :process 0, :time 5}
 {:type :ok, :f :read, :value #{1 2}, :process 0, :time 6}
 {:type :info, :f :start, :value :partitioned, :process :nemesis}]
"""
    ops = parse_history("h.edn", text, independent=False)
    assert [op.index for op in ops] == [0, 1, 2]
    assert ops[1].value == [1, 2]
    assert ops[2].process == "nemesis" and ops[2].value == "partitioned"


def test_edn_unusual_literals_go_through_edn_format():
    ops = parse_history("h.edn", "{:type :invoke, :f :read, :process 0, :value \\a} ; char\n")
    assert ops[0].value == "a"


def test_independent_keys_are_detected():
    text = (
        "{:type :invoke, :f :write, :value [7 1], :process 0}\n"
        "{:type :ok, :f :write, :value [7 1], :process 0}\n"
    )
    ops = parse_history("h.edn", text)
    assert [(op.key, op.value) for op in ops] == [("7", 1), ("7", 1)]
    plain = parse_history("h.edn", text, independent=False)
    assert plain[0].key is None and plain[0].value == [7, 1]


def test_jepsen_log(tmp_path: Path):
    path = tmp_path / "jepsen.log"
    path.write_text(
        "2017-01-01 INFO  jepsen.core - Running test\n"
        "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]\n"
        "INFO  jepsen.util - 3   :info   :cas    :timed-out\n"
        "INFO  jepsen.util - nemesis\t:info\t:start\tnil\n"
    )
    ops = read_history(path)
    assert [(op.process, op.type, op.f, op.value) for op in ops] == [
        (3, OpType.INVOKE, "cas", [1, 2]),
        (3, OpType.INFO, "cas", "timed-out"),
        ("nemesis", OpType.INFO, "start", None),
    ]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("h.jsonl", '{"type":"invoke","f":"read","process":0}\n\n{"type":"ok","f":"read"\n', 3),
        (
            "h.jsonl",
            '{"type":"invoke","f":"read","process":0}\n{"type":"bogus","f":"r","process":0}\n',
            2,
        ),
        ("h.json", '[{"type":"invoke","f":"read","process":0},\n {"f":"read","process":0}]\n', 2),
        ("h.edn", "{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read, :process 0\n", 2),
        ("h.edn", "{:type :invoke, :f :read, :process 0}\n\n{:f :read, :process 0}\n", 3),
        (
            "h.log",
            "INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:okay\t:read\t1\n",
            2,
        ),
        ("h.log", "INFO  jepsen.util - 1\t:invoke\t:read\t[1 2\n", 1),
    ],
)
def test_bad_line_is_named(tmp_path: Path, name: str, text: str, line: int):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(HistoryFormatError) as e:
        read_history(path)
    assert e.value.line == line
    assert str(e.value).startswith(f"{path}:{line}: ")
    assert "\n" not in str(e.value)


def test_undetectable_format(tmp_path: Path):
    path = tmp_path / "h.txt"
    path.write_text("hello\n")
    with pytest.raises(HistoryFormatError, match="cannot tell the history format"):
        read_history(path)


def test_pairing_rules():
    ops = pair(HISTORY)
    assert [(op.f, op.outcome, op.complete_index) for op in ops] == [
        ("write", OpType.OK, 2),
        ("cas", OpType.INFO, None),
        ("read", OpType.OK, 6),
    ]
    assert ops[2].output == 'a "quoted" string'
    failed = [
        Op(OpType.INVOKE, "cas", [1, 2], 0, index=0),
        Op(OpType.FAIL, "cas", [1, 2], 0, index=1),
    ]
    assert pair(failed) == []
    assert [op.outcome for op in pair(failed, keep_failed=frozenset({"cas"}))] == [OpType.FAIL]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([Op(OpType.OK, "read", 1, 0, index=0)], "no open invocation"),
        (
            [
                Op(OpType.INVOKE, "read", None, 0, index=0),
                Op(OpType.INVOKE, "read", None, 0, index=1),
            ],
            "while its event 0 is open",
        ),
        (
            [
                Op(OpType.INVOKE, "read", None, 0, index=0),
                Op(OpType.INFO, "read", None, 0, index=1),
                Op(OpType.INVOKE, "read", None, 0, index=2),
            ],
            "after an info completion",
        ),
    ],
)
def test_pairing_errors(events: list[Op], message: str):
    with pytest.raises(HistoryPairingError, match=message):
        pair(events)


def test_pairing_numbers_unnumbered_events_and_rejects_disorder():
    unnumbered = [Op(OpType.INVOKE, "read", None, 0), Op(OpType.OK, "read", 1, 0)]
    [op] = pair(unnumbered)
    assert (op.invoke_index, op.complete_index, op.output) == (0, 1, 1)
    disordered = [Op(OpType.INVOKE, "read", None, 0, index=5), Op(OpType.OK, "read", 1, 0, index=5)]
    with pytest.raises(HistoryPairingError, match="indexes must increase"):
        pair(disordered)
