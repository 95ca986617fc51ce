"""EDN histories in every shape Jepsen and Knossos write them: each read gives the same
events and verdict, and text that is not a history is an error naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkers.history import HistoryFormatError, parse_history, read_history
from checkers.linear import LinearizabilityChecker, cas_register
from checkers.verdict import Verdict
from tests.checkers.test_check_cli import _check

# A cas-register history: write 1, cas 1->2 concurrent with a read of 2, a nemesis
# event between, and a final read of 1 (stale: not linearizable).
EVENTS = [
    "{:type :invoke, :f :write, :value 1, :process 0, :time 1}",
    "{:type :ok, :f :write, :value 1, :process 0, :time 2}",
    "{:type :invoke, :f :cas, :value [1 2], :process 1, :time 3}",
    '{:type :invoke, :f :read, :value nil, :process 2, :time 4, :note "a #[ b ; c }"}',
    '{:type :info, :f :start, :value {:partition #{"n1" "n2"}, :grudge [[:n1 :n2]]}, '
    ":process :nemesis, :time 5}",
    "{:type :ok, :f :cas, :value [1 2], :process 1, :time 6}",
    "{:type :ok, :f :read, :value 2, :process 2, :time 7}",
    "{:type :invoke, :f :read, :value nil, :process 0, :time 8}",
    "{:type :ok, :f :read, :value 1, :process 0, :time 9}",
]


def _multi_line(event: str) -> str:
    """The map over several lines, with a comment after a value."""
    return event.replace(", :f", ",\n  :f").replace(", :process", ", ; who\n  :process")


SHAPES = {
    "lines": "\n".join(EVENTS) + "\n",
    "commented": "; a Knossos history\n;; more words\n\n"
    + "\n".join(f"{e} ; event {i}" for i, e in enumerate(EVENTS))
    + "\n; the end\n",
    "vector": "[" + "\n ".join(EVENTS) + "]\n",
    "vector-own-lines": "[\n" + "\n".join(EVENTS) + "\n]\n",
    "vector-one-line": "[" + " ".join(EVENTS) + "]",
    "list": "(" + "\n ".join(EVENTS) + ")\n",
    "multi-line-maps": "\n".join(_multi_line(e) for e in EVENTS) + "\n",
    "vector-of-multi-line-maps": ";; header\n[\n" + "\n".join(map(_multi_line, EVENTS)) + "]",
    "records": "\n".join("#jepsen.history.Op" + e for e in EVENTS) + "\n",
    "tagged-values": "\n".join(
        e.replace(":time", ':at #inst "2024-01-01T00:00:00.000-00:00", :time') for e in EVENTS
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_reads_the_same_events(shape: str):
    ops = parse_history(f"{shape}.edn", SHAPES[shape])
    assert [(op.index, op.type.value, op.f, op.value, op.process) for op in ops] == [
        (0, "invoke", "write", 1, 0),
        (1, "ok", "write", 1, 0),
        (2, "invoke", "cas", [1, 2], 1),
        (3, "invoke", "read", None, 2),
        (4, "info", "start", {"partition": ["n1", "n2"], "grudge": [["n1", "n2"]]}, "nemesis"),
        (5, "ok", "cas", [1, 2], 1),
        (6, "ok", "read", 2, 2),
        (7, "invoke", "read", None, 0),
        (8, "ok", "read", 1, 0),
    ]
    assert [op.time_ns for op in ops] == list(range(1, 10))
    assert ops[3].extra["note"] == "a #[ b ; c }"
    result = LinearizabilityChecker(cas_register(), workers=1).check(ops)
    assert result.verdict is Verdict.INVALID


def test_harness_check_reads_each_shape(tmp_path: Path):
    paths = []
    for shape, text in sorted(SHAPES.items()):
        path = tmp_path / f"{shape}.edn"
        path.write_text(text)
        paths.append(path)
    valid = tmp_path / "valid.edn"
    valid.write_text("(\n" + "\n".join(_multi_line(e) for e in EVENTS[:7]) + ")\n")
    done = _check("--model", "cas-register", *paths, valid)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [f"{p}\tfalse" for p in paths] + [f"{valid}\ttrue"]


def test_keyed_vector_history(tmp_path: Path):
    path = tmp_path / "keyed.edn"
    path.write_text(
        "[{:type :invoke, :f :write, :value [:k1 1], :process 0}\n"
        " {:type :ok, :f :write, :value [:k1 1], :process 0}\n"
        " {:type :invoke, :f :cas,\n   :value [:k2 [nil 3]], :process 1}\n"
        " {:type :ok, :f :cas, :value [:k2 [nil 3]], :process 1}] ; done\n"
    )
    ops = read_history(path, plain=cas_register().plain_value)
    assert [(op.key, op.value) for op in ops] == [
        ("k1", 1), ("k1", 1), ("k2", [None, 3]), ("k2", [None, 3])
    ]  # fmt: skip
    done = _check("--model", "cas-register", path)
    assert (done.returncode, done.stdout) == (0, f"{path}\ttrue\n"), done.stderr


OK = "{:type :invoke, :f :write, :value 1, :process 0}"
BAD = [
    (OK + "\n:foo\n", 2, "expected a map (one event), got the keyword, symbol or string 'foo'"),
    (OK + "\n{:type :invoke, :f :write\n :value 1, :process 0\n", 2, "map opened here is not"),
    ("[" + OK + "]\n" + OK, 2, "text after the ']' closing the events"),
    ("[" + OK + "\n" + OK + ")\n", 2, "')' closes the vector of events opened at line 1"),
    ("(" + OK + "\n" + OK + "\n", 1, "the list of events opened here is not closed"),
    (OK + '\n{:type :ok, :f :write, :value "open\n', 2, 'string not closed with "'),
    ("; c\n" + OK + "\n{:type :oops, :f :write, :process 0}\n", 3, "bad or missing 'type'"),
    (OK + "\n{:type :ok, :f :write, :value 1 :process}\n", 2, "odd number of forms"),
    (OK + "\n\n#{1 2}\n", 3, "expected a map (one event), got a vector, list or set"),
    ("[" + OK + " 7]\n", 1, "expected a map (one event), got the int 7"),
    (OK + "\n{:type :ok, :f :write, :value 12x, :process 0}\n", 2, "bad number '12x'"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD)
def test_not_a_history_names_the_line(text: str, line: int, message: str):
    with pytest.raises(HistoryFormatError) as caught:
        parse_history("bad.edn", text, fmt="edn")
    assert caught.value.line == line, caught.value
    assert message in caught.value.message


def test_cli_error_names_file_and_line(tmp_path: Path):
    path = tmp_path / "bad.edn"
    path.write_text(OK + "\n:foo\n")
    done = _check("--model", "cas-register", path)
    assert done.returncode == 254
    assert f"{path}:2: expected a map (one event)" in done.stderr
