"""Properties of the DUMP payload: every value round-trips with its encoding hint, and
no corruption of a payload is accepted silently or crashes the decoder."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from nodes.types import dump as payloads
from nodes.types.sets import RedisSet
from nodes.types.zset import ZSet

items = st.binary(max_size=40)
nonempty = st.lists(items, min_size=1, max_size=30)
scores = st.floats(allow_nan=False, width=64)


@st.composite
def values(draw: st.DrawFn) -> object:
    kind = draw(st.sampled_from(["string", "list", "set", "hash", "zset"]))
    if kind == "string":
        return draw(items)
    if kind == "list":
        return deque(draw(nonempty))
    if kind == "set":
        rset = RedisSet(intset=draw(st.booleans()))
        rset.members.update(draw(nonempty))
        return rset
    if kind == "hash":
        return draw(st.dictionaries(items, items, min_size=1, max_size=20))
    zset = ZSet(listpack=draw(st.booleans()))
    for member, score in draw(st.dictionaries(items, scores, min_size=1, max_size=20)).items():
        zset.insert(member, score)
    return zset


def _same(a: object, b: object) -> bool:
    if isinstance(a, RedisSet) and isinstance(b, RedisSet):
        return a.members == b.members and a.intset == b.intset
    if isinstance(a, ZSet) and isinstance(b, ZSet):
        return list(a.items()) == list(b.items()) and a.listpack == b.listpack
    return type(a) is type(b) and a == b


@settings(max_examples=150, deadline=None)
@given(values(), st.integers(min_value=-1, max_value=2**40))
def test_round_trip(value: object, ttl: int):
    payload = payloads.encode(value, ttl)
    assert payloads.verify(payload)
    decoded, dumped_ttl = payloads.decode(payload)
    assert _same(decoded, value)
    assert dumped_ttl == ttl


@settings(max_examples=300, deadline=None)
@given(values(), st.data())
def test_corruption_is_refused(value: object, data: st.DataObject):
    payload = bytearray(payloads.encode(value, -1))
    index = data.draw(st.integers(min_value=0, max_value=len(payload) - 1))
    payload[index] ^= data.draw(st.integers(min_value=1, max_value=255))
    assert not payloads.verify(bytes(payload))  # CRC-32 catches every one-byte change
