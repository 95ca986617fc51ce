"""The fast jsonl reading (checkers.history.jsonl_rows) never reads a file differently
from the regular reader: it gives the same events, or None and leaves the file to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.register_corpus import specs, write_corpus
from checkers.history import HistoryError, pair, read_history
from checkers.history.jsonl_rows import ORJSON_MIN_BYTES, read_rows
from checkers.history.pairing import Row, pair_rows, rows_of
from checkers.linear.registers import cas_register

PLAIN = cas_register().plain_value
DECODERS = pytest.mark.parametrize("total", [0, ORJSON_MIN_BYTES], ids=["json", "orjson"])
"""How much the caller reads in all: below ORJSON_MIN_BYTES the standard library decodes."""


def _regular(path: Path, independent: str = "auto") -> list[Row] | str:
    """The regular reader's rows (without their source), or its error."""
    try:
        ops = read_history(path, "auto", independent, PLAIN)
    except HistoryError as e:
        return str(e)
    return [(*row[:7], None) for row in rows_of(ops)]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@DECODERS
def test_generated_histories_read_and_pair_alike(tmp_path: Path, seed: int, total: int):
    for _spec, path, _ in write_corpus(tmp_path, specs(seed, 6, 1, hard_ops=300)):
        rows = read_rows(str(path), "auto", "auto", PLAIN, total)
        assert rows is not None, path
        assert rows == _regular(path)
        ops = read_history(path, "auto", "auto", PLAIN)
        for keep in (frozenset(), frozenset({"cas"})):
            assert pair_rows(rows, keep) == pair(ops, keep)


EVENT = '{"index":0,"time":5,"type":"invoke","process":0,"f":"read","value":null}'


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("key-not-a-string", [EVENT.replace('"value":null', '"value":null,"key":3')]),
        ("float-index", [EVENT.replace('"index":0', '"index":0.0')]),
        ("bool-process", [EVENT.replace('"process":0', '"process":true')]),
        ("f-not-a-string", [EVENT.replace('"f":"read"', '"f":7')]),
        ("unknown-type", [EVENT.replace('"invoke"', '"begin"')]),
        ("type-a-list", [EVENT.replace('"invoke"', '["invoke"]')]),
        ("two-on-a-line", [EVENT + "," + EVENT.replace('"index":0', '"index":1')]),
        ("across-lines", ['{"index":0,"time":5,', '"type":"invoke","process":0,"f":"read"}']),
        ("line-separator", [EVENT.replace('"f":"read"', '"f":"read","error":"a\u2028b"')]),
        ("not-a-map", ["[1, 2]"]),
        ("bad-json", [EVENT[:-1]]),
        ("edn", ["{:type :invoke, :f :read, :value nil, :process 0, :index 0}"]),
    ],
)
@DECODERS
def test_what_it_does_not_read_goes_the_regular_way(
    tmp_path: Path, name: str, lines: list[str], total: int
):
    path = _write(tmp_path / f"{name}.jsonl", lines)
    assert read_rows(str(path), "auto", "auto", PLAIN, total) is None


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("nan", EVENT.replace('"time":5', '"time":NaN')),
        ("huge-int", EVENT.replace('"time":5', '"time":' + "9" * 30)),
        ("byte-order-mark", "\ufeff" + EVENT),
    ],
)
@DECODERS
def test_where_the_decoders_differ_it_reads_alike_or_not_at_all(
    tmp_path: Path, name: str, line: str, total: int
):
    path = _write(tmp_path / f"{name}.jsonl", [line])
    rows = read_rows(str(path), "auto", "auto", PLAIN, total)
    assert rows is None or rows == _regular(path), name


@pytest.mark.parametrize("independent", ["auto", "yes", "no"])
def test_key_value_pairs_read_alike(tmp_path: Path, independent: str):
    lines = [
        '{"index":0,"type":"invoke","process":0,"f":"write","value":["k",1]}',
        '{"index":1,"type":"ok","process":0,"f":"write","value":["k",1]}',
        '{"index":2,"type":"invoke","process":"nemesis","f":"kill","value":["n1",null]}',
        '{"index":3,"type":"invoke","process":1,"f":"cas","value":[2,[1,3]]}',
    ]
    path = _write(tmp_path / "keyed.jsonl", lines)
    rows = read_rows(str(path), "auto", independent, PLAIN)
    assert rows is not None
    assert rows == _regular(path, independent)
    if independent != "no":
        assert [row[6] for row in rows] == ["k", "k", None, "2"]


def test_choices_it_leaves_to_the_regular_reader(tmp_path: Path):
    path = _write(tmp_path / "h.jsonl", [EVENT])
    assert read_rows(str(path), "edn", "auto", PLAIN) is None
    assert read_rows(str(path), "jsonl", "yes", PLAIN) is None
    assert read_rows(str(path), "jsonl", "no", PLAIN) == _regular(path, "no")


def test_unnumbered_events_and_blank_lines(tmp_path: Path):
    lines = [
        '{"type":"invoke","process":0,"f":"write","value":1}',
        "   ",
        '{"type":"ok","process":0,"f":"write","value":1,"index":-1}',
    ]
    path = _write(tmp_path / "h.jsonl", lines)
    rows = read_rows(str(path), "auto", "auto", PLAIN)
    assert rows is not None
    assert [row[3] for row in rows] == [0, 1]
    assert rows == _regular(path)


_SCALAR = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from(["a", "b"]), st.booleans())
_VALUE = st.one_of(_SCALAR, st.lists(_SCALAR, max_size=3), st.dictionaries(st.just("x"), _SCALAR))
_FIELD = {  # (what the regular reader takes as it is, what it converts or rejects)
    "index": (st.integers(-1, 9), st.one_of(st.floats(0, 3), st.none(), st.booleans())),
    "time": (st.integers(0, 9), st.sampled_from(["5", 1.5])),
    "type": (st.sampled_from(["invoke", "ok", "fail", "info"]), st.sampled_from(["x", 3])),
    "process": (st.one_of(st.integers(0, 2), st.just("nemesis")), st.booleans()),
    "f": (st.sampled_from(["read", "write", "cas"]), st.just(1)),
    "value": (_VALUE, _VALUE),
    "key": (st.just("k"), st.just(2)),
    "node": (st.just("n1"), st.none()),
}


@st.composite
def _events(draw: st.DrawFn) -> dict[str, Any]:
    """An event whose fields are each usually well formed, sometimes missing or odd."""
    event: dict[str, Any] = {}
    for name, (usual, odd) in _FIELD.items():
        roll = draw(st.integers(0, 39))
        if roll == 0 or (name in ("key", "node") and roll < 30):
            continue
        event[name] = draw(odd if roll == 1 else usual)
    return event


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_events(), min_size=1, max_size=6),
    st.sampled_from(["auto", "no", "yes"]),
    st.sampled_from([0, ORJSON_MIN_BYTES]),
    st.lists(st.sampled_from(["k", 1, None, [1]]), min_size=6, max_size=6) | st.none(),
)
def test_random_files_read_alike_or_not_at_all(
    tmp_path_factory: pytest.TempPathFactory,
    events: list[dict[str, Any]],
    independent: str,
    total: int,
    keys: list[Any] | None,
):
    """``keys``, when drawn, wraps each event's value as ``[key value]``."""
    if keys is not None:
        events = [{**e, "value": [k, e.get("value")]} for e, k in zip(events, keys, strict=False)]
    path = tmp_path_factory.mktemp("rows") / "h.jsonl"
    _write(path, [json.dumps(e) for e in events])
    rows = read_rows(str(path), "auto", independent, PLAIN, total)
    if rows is not None:
        assert rows == _regular(path, independent)
