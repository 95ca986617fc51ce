"""The sorted set value: members with scores, ordered by (score, member bytes).

A dict gives a member's score in O(1); a :class:`SortedList` of ``(score, member)``
pairs gives ranks and ranges. Ties in score are ordered by member bytes (memcmp, shorter
first on a common prefix), which is exactly Python's ``bytes`` order.

Redis 7.0 stores a small sorted set as a *listpack* and a large one as a skiplist, and
one visible behaviour depends on it: a listpack stores a zero score as the integer 0,
so ``-0`` reads back as ``0``, while a skiplist keeps ``-0``. ``listpack`` follows
Redis's conversion rule (at most 128 members, none longer than 64 bytes; once
converted, never back) so that scores print identically.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from nodes.keyspace import register_value_type
from nodes.types.limits import LIMITS
from nodes.types.scores import LexBound, ScoreBound, lex_range_empty
from nodes.types.sortedlist import SortedList

Pair = tuple[float, bytes]
"""A score and its member, in sort order (what the range queries return)."""


class ZSet:
    """A Redis sorted set. Mutators keep the dict and the order in step."""

    __slots__ = ("_order", "_scores", "listpack")

    def __init__(self, *, listpack: bool = True) -> None:
        self._scores: dict[bytes, float] = {}
        self._order: SortedList[Pair] = SortedList()
        self.listpack = listpack

    @classmethod
    def for_first_member(cls, member: bytes) -> ZSet:
        """An empty set encoded the way ZADD creates one for its first ``member``."""
        return cls(
            listpack=LIMITS.zset_max_listpack_entries > 0
            and len(member) <= LIMITS.zset_max_listpack_value
        )

    def __len__(self) -> int:
        return len(self._scores)

    def __contains__(self, member: bytes) -> bool:
        return member in self._scores

    def score(self, member: bytes) -> float | None:
        return self._scores.get(member)

    def items(self) -> Iterator[tuple[bytes, float]]:
        """Every member and score, ascending."""
        for score, member in self._order:
            yield member, score

    def copy(self) -> ZSet:
        """An independent sorted set with the same members, scores and encoding."""
        twin = ZSet(listpack=self.listpack)
        for score, member in self._order:
            twin._scores[member] = score
            twin._order.add((score, member))
        return twin

    # ---- changes -------------------------------------------------------------------
    def insert(self, member: bytes, score: float) -> None:
        """Add a member that is not present."""
        if self.listpack and (
            len(self._scores) + 1 > LIMITS.zset_max_listpack_entries
            or len(member) > LIMITS.zset_max_listpack_value
        ):
            self.listpack = False
        if self.listpack and score == 0.0:
            score = 0.0  # a listpack stores a zero score as the integer 0: no sign
        self._scores[member] = score
        self._order.add((score, member))

    def update(self, member: bytes, score: float) -> None:
        """Give a present member a new score (a no-op when it compares equal)."""
        old = self._scores[member]
        if score == old:
            return
        if self.listpack and score == 0.0:
            score = 0.0
        self._order.remove((old, member))
        self._order.add((score, member))
        self._scores[member] = score

    def remove(self, member: bytes) -> bool:
        score = self._scores.pop(member, None)
        if score is None:
            return False
        self._order.remove((score, member))
        return True

    # ---- queries -------------------------------------------------------------------
    def rank(self, member: bytes) -> int | None:
        score = self._scores.get(member)
        if score is None:
            return None
        return self._order.bisect_left((score, member))

    def by_rank(self, start: int, stop: int, *, reverse: bool) -> list[Pair]:
        """Ranks ``start``..``stop`` inclusive (already clamped to the set), counted from
        the highest score when ``reverse``."""
        n = len(self._scores)
        if reverse:
            return self._order.backward(n - 1 - start, n - 2 - stop)
        return self._order.forward(start, stop + 1)

    def _first_above(self, value: float) -> int:
        """The position of the first pair whose score is greater than ``value``."""
        if value == math.inf:
            return len(self._order)
        return self._order.bisect_left((math.nextafter(value, math.inf), b""))

    def _first_at_least(self, value: float) -> int:
        return self._order.bisect_left((value, b""))

    def by_score(
        self, low: ScoreBound, high: ScoreBound, *, reverse: bool, offset: int, limit: int
    ) -> list[Pair]:
        """Members with ``low <= score <= high`` (ends possibly exclusive), skipping
        ``offset`` and taking at most ``limit`` (all when negative) from the start of the
        direction. A negative ``offset`` selects nothing, as in Redis."""
        lo = self._first_above(low.value) if low.exclusive else self._first_at_least(low.value)
        hi = self._first_at_least(high.value) if high.exclusive else self._first_above(high.value)
        return self._window(lo, hi, reverse=reverse, offset=offset, limit=limit)

    def count_by_score(self, low: ScoreBound, high: ScoreBound) -> int:
        """How many members ``by_score`` would list without offset and limit."""
        lo = self._first_above(low.value) if low.exclusive else self._first_at_least(low.value)
        hi = self._first_at_least(high.value) if high.exclusive else self._first_above(high.value)
        return max(hi - lo, 0)

    def _window(self, lo: int, hi: int, *, reverse: bool, offset: int, limit: int) -> list[Pair]:
        """Positions ``lo`` (inclusive) to ``hi`` (exclusive) after offset and limit."""
        if offset < 0 or lo >= hi:
            return []
        if reverse:
            start = hi - 1 - offset
            stop = lo - 1 if limit < 0 else max(lo - 1, start - limit)
            return self._order.backward(start, stop)
        start = lo + offset
        stop = hi if limit < 0 else min(hi, start + limit)
        return self._order.forward(start, stop)

    def by_lex(
        self, low: LexBound, high: LexBound, *, reverse: bool, offset: int, limit: int
    ) -> list[Pair]:
        """Members between two lex bounds. Redis defines this only when all scores are
        equal (then it is a bisection here); with mixed scores this follows Redis's
        small-set (listpack) scan from the head, or from the tail when ``reverse``."""
        n = len(self._order)
        if n == 0 or lex_range_empty(low, high):
            return []
        first_score, first = self._order[0]
        last_score, last = self._order[n - 1]
        if not low.below(last) or not high.above(first):
            return []
        if first_score == last_score:
            lo, hi = self._lex_position(low, first_score), self._lex_end(high, first_score)
            return self._window(lo, hi, reverse=reverse, offset=offset, limit=limit)
        return self._lex_scan(low, high, reverse=reverse, offset=offset, limit=limit)

    def _lex_position(self, low: LexBound, score: float) -> int:
        if low.value is None:
            return len(self._order) if low.top else 0
        pair = (score, low.value)
        return self._order.bisect_right(pair) if low.exclusive else self._order.bisect_left(pair)

    def _lex_end(self, high: LexBound, score: float) -> int:
        if high.value is None:
            return len(self._order) if high.top else 0
        pair = (score, high.value)
        return self._order.bisect_left(pair) if high.exclusive else self._order.bisect_right(pair)

    def _lex_scan(
        self, low: LexBound, high: LexBound, *, reverse: bool, offset: int, limit: int
    ) -> list[Pair]:
        pairs = list(self._order)
        if reverse:
            pairs.reverse()
            inside, boundary = low.below, high.above
        else:
            inside, boundary = high.above, low.below
        start = next((i for i, (_, m) in enumerate(pairs) if boundary(m)), None)
        if start is None or not inside(pairs[start][1]) or offset < 0:
            return []
        out: list[Pair] = []
        for pair in pairs[start + offset :]:
            if len(out) == limit or not inside(pair[1]):
                break
            out.append(pair)
        return out


register_value_type(ZSet, b"zset")
