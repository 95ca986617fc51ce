"""SortedList and ZSet against brute force (a sorted Python list), with hypothesis."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from nodes.types.scores import LexBound, ScoreBound
from nodes.types.sortedlist import SortedList
from nodes.types.zset import ZSet

ops = st.lists(st.tuples(st.booleans(), st.integers(0, 3000)), max_size=3000)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(ops)
def test_sorted_list_matches_a_sorted_python_list(script: list[tuple[bool, int]]) -> None:
    sl: SortedList[int] = SortedList()
    model: list[int] = []
    for add, value in script:
        if add or value not in model:
            sl.add(value)
            model.append(value)
            model.sort()
        else:
            sl.remove(value)
            model.remove(value)
    assert list(sl) == model
    assert len(sl) == len(model)
    for probe in (0, 7, 1500, 2999, 3001):
        assert sl.bisect_left(probe) == sum(1 for v in model if v < probe)
        assert sl.bisect_right(probe) == sum(1 for v in model if v <= probe)
    n = len(model)
    for start, stop in ((0, n), (3, 700), (n - 5, n + 5), (600, 520)):
        assert list(sl.forward(start, stop)) == model[max(start, 0) : max(stop, 0)]
    for start, stop in ((n - 1, -1), (700, 3), (n + 5, n - 5), (10, 20)):
        expected = [model[i] for i in range(min(start, n - 1), max(stop, -1), -1)]
        assert list(sl.backward(start, stop)) == expected
    if model:
        assert sl[n - 1] == model[-1] and sl[n // 2] == model[n // 2]


def test_remove_of_an_absent_item_raises() -> None:
    sl: SortedList[int] = SortedList()
    sl.add(1)
    for absent in (0, 2):
        try:
            sl.remove(absent)
        except ValueError:
            continue
        raise AssertionError(f"removed absent {absent}")


SCORES = st.sampled_from([0.0, -0.0, 1.0, 1.5, -2.0, math.inf, -math.inf, 3.0])
MEMBERS = st.sampled_from([b"", b"a", b"ab", b"b", b"c", b"zz", b"m" * 70])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(MEMBERS, SCORES), max_size=40), SCORES, SCORES, st.booleans())
def test_zset_ranges_match_brute_force(
    adds: list[tuple[bytes, float]], a: float, b: float, exclusive: bool
) -> None:
    z = ZSet()
    model: dict[bytes, float] = {}
    for member, score in adds:
        if member in z:
            z.update(member, score)
            if score != model[member]:
                model[member] = score
        else:
            z.insert(member, score)
            model[member] = score
    ordered = sorted(((s, m) for m, s in model.items()), key=lambda p: (p[0], p[1]))
    assert [m for m, _ in z.items()] == [m for _, m in ordered]
    for member in model:
        assert z.rank(member) == [m for _, m in ordered].index(member)
    low, high = ScoreBound(a, exclusive), ScoreBound(b, False)
    expected = [m for s, m in ordered if (s > a if exclusive else s >= a) and s <= b]
    got = [m for _, m in z.by_score(low, high, reverse=False, offset=0, limit=-1)]
    assert got == expected
    got_rev = [m for _, m in z.by_score(low, high, reverse=True, offset=1, limit=2)]
    assert got_rev == expected[::-1][1:3]


def test_zset_lex_ranges_with_equal_scores() -> None:
    z = ZSet()
    for m in (b"a", b"b", b"c", b"d", b"", b"ab"):
        z.insert(m, 0.0)
    everything = z.by_lex(
        LexBound(None, True), LexBound(None, True, top=True), reverse=False, offset=0, limit=-1
    )
    assert [m for _, m in everything] == [b"", b"a", b"ab", b"b", b"c", b"d"]
    got = z.by_lex(LexBound(b"a", True), LexBound(b"c", False), reverse=True, offset=0, limit=-1)
    assert [m for _, m in got] == [b"c", b"b", b"ab"]


def test_listpack_drops_the_sign_of_zero_and_a_skiplist_keeps_it() -> None:
    small, large = ZSet(), ZSet.for_first_member(b"x" * 65)
    small.insert(b"m", -0.0)
    large.insert(b"m", -0.0)
    assert str(small.score(b"m")) == "0.0"
    assert str(large.score(b"m")) == "-0.0"
    for i in range(200):
        small.insert(b"n%d" % i, -0.0)
    assert not small.listpack
