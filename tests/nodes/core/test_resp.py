"""RESP frames: request parser (multibulk, inline, limits, error texts) and reply encoder."""

from __future__ import annotations

import hiredis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodes.errors import ProtocolError
from nodes.resp import (
    NULL_ARRAY,
    OK,
    Error,
    Push,
    RequestParser,
    SetReply,
    Verbatim,
    encode,
    format_double,
    split_args,
    string2ll,
)

args_lists = st.lists(st.binary(max_size=40), min_size=1, max_size=8)


def multibulk(argv: list[bytes]) -> bytes:
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in argv)


def parse_all(data: bytes, cuts: list[int]) -> list[list[bytes]]:
    parser = RequestParser()
    out: list[list[bytes]] = []
    last = 0
    for cut in [*sorted(c % (len(data) + 1) for c in cuts), len(data)]:
        parser.feed(data[last:cut])
        last = cut
        while (argv := parser.gets()) is not None:
            out.append(argv)
    assert parser.idle()
    return out


@given(st.lists(args_lists, min_size=1, max_size=5), st.lists(st.integers(0, 10_000)))
def test_multibulk_round_trips_across_any_split(commands, cuts):
    data = b"".join(multibulk(c) for c in commands)
    assert parse_all(data, cuts) == commands


@given(st.lists(st.text("abcXYZ019_-:", min_size=1, max_size=8), min_size=1, max_size=6))
def test_inline_commands_split_on_blanks(words):
    data = (" ".join(words) + "\r\n").encode()
    assert parse_all(data, []) == [[w.encode() for w in words]]


def test_inline_quotes_and_escapes_like_sdssplitargs():
    assert split_args(b'set "a b" \'c\\\'d\' "\\x41\\n"') == [b"set", b"a b", b"c'd", b"A\n"]
    assert split_args(b'get "unterminated') is None
    assert split_args(b'get "a"b') is None
    assert split_args(b"   ") == []


def test_empty_lines_and_zero_counts_are_skipped():
    assert parse_all(b"\r\n*0\r\n*-1\r\nPING\n", []) == [[b"PING"]]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"*x\r\n", "invalid multibulk length"),
        (b"*3000000000\r\n", "invalid multibulk length"),
        (b"*1\r\n:1\r\n", "expected '$', got ':'"),
        (b"*1\r\n$-1\r\n", "invalid bulk length"),
        (b"*1\r\n$01\r\nx\r\n", "invalid bulk length"),
        (b"*1\r\n$600000000\r\n", "invalid bulk length"),
        (b'set "a\r\n', "unbalanced quotes in request"),
        (b"a" * 70_000, "too big inline request"),
        (b"*" + b"1" * 70_000, "too big mbulk count string"),
        (b"*1\r\n$" + b"1" * 70_000, "too big bulk count string"),
    ],
)
def test_protocol_errors_use_redis_texts(data, reason):
    parser = RequestParser()
    parser.feed(data)
    with pytest.raises(ProtocolError) as info:
        parser.gets()
    assert info.value.reason == reason
    assert info.value.text == b"ERR Protocol error: " + reason.encode()


def test_unauthenticated_clients_get_small_limits():
    parser = RequestParser()
    parser.auth_required = True
    parser.feed(b"*11\r\n")
    with pytest.raises(ProtocolError, match="unauthenticated multibulk length"):
        parser.gets()


def test_a_large_bulk_arriving_in_small_pieces_is_assembled_once():
    value = b"v" * 200_000
    data = multibulk([b"SET", b"k", value])
    parser = RequestParser()
    for i in range(0, len(data), 1000):
        parser.feed(data[i : i + 1000])
        assert parser.buffered() <= len(data)
    assert parser.gets() == [b"SET", b"k", value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (b"0", 0),
        (b"-1", -1),
        (b"9223372036854775807", 2**63 - 1),
        (b"01", None),
        (b"+1", None),
        (b"-0", None),
        (b" 1", None),
        (b"9223372036854775808", None),
        (b"", None),
    ],
)
def test_string2ll_is_strict(text, value):
    assert string2ll(text) == value


def test_encoder_resp2_and_resp3_forms():
    assert encode(OK) == b"+OK\r\n"
    assert encode(None) == b"$-1\r\n"
    assert encode(None, resp3=True) == b"_\r\n"
    assert encode(NULL_ARRAY) == b"*-1\r\n"
    assert encode({b"a": 1}) == b"*2\r\n$1\r\na\r\n:1\r\n"
    assert encode({b"a": 1}, resp3=True) == b"%1\r\n$1\r\na\r\n:1\r\n"
    assert encode(True) == b":1\r\n"
    assert encode(True, resp3=True) == b"#t\r\n"
    assert encode(1.5) == b"$3\r\n1.5\r\n"
    assert encode(1.5, resp3=True) == b",1.5\r\n"
    assert encode(SetReply([b"x"]), resp3=True) == b"~1\r\n$1\r\nx\r\n"
    assert encode(Verbatim(b"hi"), resp3=True) == b"=6\r\ntxt:hi\r\n"
    assert encode(Verbatim(b"hi")) == b"$2\r\nhi\r\n"
    assert encode(Push([b"m"]), resp3=True) == b">1\r\n$1\r\nm\r\n"
    assert encode(Error(b"ERR x")) == b"-ERR x\r\n"
    assert format_double(1.1) == b"1.1000000000000001"
    assert format_double(float("-inf")) == b"-inf"


replies = st.recursive(
    st.one_of(st.binary(max_size=20), st.integers(-(2**63), 2**63 - 1), st.none()),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200)
@given(replies)
def test_encoded_replies_decode_with_hiredis(reply):
    reader = hiredis.Reader()
    reader.feed(encode(reply))
    assert reader.gets() == reply


def test_inline_rules_follow_sdssplitargs_and_strchr():
    assert split_args(b"\x01\x0b") == [b"\x01\x0b"]  # \v does not end an argument
    assert split_args(b"\x0b a \x0cb") == [b"a", b"b"]  # but is skipped between them
    assert split_args(b'a"b c"') == [b"ab c"]
    parser = RequestParser()
    parser.feed(b"PI\0NG\r\n")  # a NUL hides the newline from redis's strchr: wait
    assert parser.gets() is None
    parser = RequestParser()
    parser.feed(b"*1\0\r\n")
    assert parser.gets() is None
