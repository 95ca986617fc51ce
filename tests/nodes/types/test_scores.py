"""Score and bound parsing, with the answers redis-server 7.0 gives for each input."""

from __future__ import annotations

import math

import pytest

from nodes.errors import NodeError
from nodes.types.scores import lex_range_empty, parse_lex_bound, parse_score, parse_score_bound

SCORES: list[tuple[bytes, float | None]] = [
    (b"1e3", 1000.0),
    (b"-5", -5.0),
    (b"0001.250", 1.25),
    (b"123456789012345", 123456789012345.0),
    (b"1" + b"0" * 400, None),
    (b"0." + b"0" * 400 + b"1", None),
    (b"0x10", 16.0),
    (b"0X1p4", 16.0),
    (b"0x1.8", 1.5),
    (b"-0x1.8p1", -3.0),
    (b"inf", math.inf),
    (b"+inf", math.inf),
    (b"-Infinity", -math.inf),
    (b".5", 0.5),
    (b"5.", 5.0),
    (b"2.5e-320", 2.5e-320),
    (b"0x1p-1074", 5e-324),
    (b" 1", None),
    (b"1 ", None),
    (b"nan", None),
    (b"", None),
    (b"1e400", None),
    (b"1e-400", None),
    (b"0x", None),
    (b"1_0", None),
    (b"1e", None),
    (b"0b1", None),
    (b"1.5\x00", None),
]


@pytest.mark.parametrize(("text", "expected"), SCORES)
def test_parse_score(text: bytes, expected: float | None) -> None:
    if expected is None:
        with pytest.raises(NodeError, match="value is not a valid float"):
            parse_score(text)
    else:
        assert parse_score(text) == expected


@pytest.mark.parametrize(
    ("text", "value", "exclusive"),
    [
        (b"", 0.0, False),
        (b"(", 0.0, True),
        (b" 1", 1.0, False),
        (b"(1e-400", 0.0, True),
        (b"1e400", math.inf, False),
        (b"(0x2", 2.0, True),
        (b"-inf", -math.inf, False),
    ],
)
def test_parse_score_bound(text: bytes, value: float, exclusive: bool) -> None:
    bound = parse_score_bound(text)
    assert (bound.value, bound.exclusive) == (value, exclusive)


@pytest.mark.parametrize("text", [b"x", b"1 ", b"nan", b"((1", b" ", b"( "])
def test_bad_score_bounds(text: bytes) -> None:
    with pytest.raises(NodeError, match="min or max is not a float"):
        parse_score_bound(text)


@pytest.mark.parametrize("text", [b"a", b"", b"--", b"++", b"1"])
def test_bad_lex_bounds(text: bytes) -> None:
    with pytest.raises(NodeError, match="min or max not valid string range item"):
        parse_lex_bound(text)


@pytest.mark.parametrize(
    ("low", "high", "empty"),
    [
        (b"-", b"+", False),
        (b"-", b"(c", False),
        (b"-", b"[c", False),
        (b"[a", b"+", False),
        (b"(a", b"+", False),
        (b"+", b"[c", True),
        (b"[a", b"-", True),
        (b"+", b"-", True),
        (b"-", b"-", True),
        (b"+", b"+", True),
        (b"[b", b"[a", True),
        (b"[a", b"[a", False),
        (b"(a", b"[a", True),
        (b"[a", b"(a", True),
    ],
)
def test_lex_range_empty(low: bytes, high: bytes, empty: bool) -> None:
    assert lex_range_empty(parse_lex_bound(low), parse_lex_bound(high)) is empty
