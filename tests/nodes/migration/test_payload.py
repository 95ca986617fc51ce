"""Properties of the DUMP payload (redis's format, :mod:`nodes.rdb.payload`): every
value round-trips with its encoding, and no corruption of a payload is accepted silently
or crashes the decoder."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from nodes.rdb import payload as payloads
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
        members = draw(st.lists(items | st.integers().map(b"%d".__mod__), min_size=1))
        rset = RedisSet.for_first_member(members[0])
        rset.add_all(members)
        return rset
    if kind == "hash":
        return draw(st.dictionaries(items, items, min_size=1, max_size=20))
    zset = ZSet(listpack=True)
    pairs = draw(
        st.dictionaries(items, scores, min_size=1, max_size=draw(st.sampled_from([20, 200])))
    )
    for member, score in pairs.items():
        zset.insert(member, score)
    return zset


def _same(a: object, b: object) -> bool:
    if isinstance(a, RedisSet) and isinstance(b, RedisSet):
        return a.members == b.members and a.intset == b.intset
    if isinstance(a, ZSet) and isinstance(b, ZSet):
        return list(a.items()) == list(b.items()) and a.listpack == b.listpack
    return type(a) is type(b) and a == b


@settings(max_examples=150, deadline=None)
@given(values())
def test_round_trip(value: object):
    payload = payloads.encode(value)
    assert payloads.verify(payload)
    assert _same(payloads.decode(payload), value)


@settings(max_examples=300, deadline=None)
@given(values(), st.data())
def test_corruption_is_refused(value: object, data: st.DataObject):
    payload = bytearray(payloads.encode(value))
    index = data.draw(st.integers(min_value=0, max_value=len(payload) - 1))
    payload[index] ^= data.draw(st.integers(min_value=1, max_value=255))
    assert not payloads.verify(bytes(payload))  # CRC-64 catches every one-byte change
