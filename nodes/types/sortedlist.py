"""A sorted list with positional access: O(log n) search, O(sqrt n)-ish updates.

Items live in a list of sorted buckets of at most ``2 * LOAD`` items, with each bucket's
largest item in ``_maxes`` for bisection (the layout of the well-known *sortedcontainers*
design, written here from its idea). A bucket insert or delete moves at most a few hundred
pointers, which in CPython beats a skiplist of Python objects by a wide margin.

The position of a bucket is the sum of the lengths before it, kept in a Fenwick tree
over the bucket lengths: an insert or delete updates it in O(log buckets), a rank or a
positional lookup reads it in O(log buckets). Splitting or dropping a bucket (once per
few hundred changes) rebuilds it lazily.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from typing import Generic, Protocol, Self, TypeVar


class Comparable(Protocol):
    def __lt__(self, other: Self, /) -> bool: ...


T = TypeVar("T", bound=Comparable)

LOAD = 256


class SortedList(Generic[T]):
    """Distinct-or-not items kept in ascending order; positions are 0-based ranks."""

    __slots__ = ("_len", "_lists", "_maxes", "_tree")

    def __init__(self) -> None:
        self._lists: list[list[T]] = []
        self._maxes: list[T] = []
        self._len = 0
        self._tree: list[int] | None = None
        """Fenwick tree (1-based) over the bucket lengths; ``None`` when stale."""

    def __len__(self) -> int:
        return self._len

    def add(self, item: T) -> None:
        lists, maxes = self._lists, self._maxes
        if not lists:
            lists.append([item])
            maxes.append(item)
            self._tree = None
        else:
            i = bisect_right(maxes, item)
            if i == len(maxes):
                i -= 1
                lists[i].append(item)
                maxes[i] = item
            else:
                insort(lists[i], item)
            if len(lists[i]) > 2 * LOAD:
                bucket = lists[i]
                lists.insert(i + 1, bucket[LOAD:])
                del bucket[LOAD:]
                maxes.insert(i, bucket[-1])
                self._tree = None
            elif self._tree is not None:
                self._grow(i, 1)
        self._len += 1

    def remove(self, item: T) -> None:
        """Remove one occurrence of ``item``; ``ValueError`` if absent."""
        i = bisect_left(self._maxes, item)
        if i == len(self._maxes):
            raise ValueError(f"{item!r} not in list")
        bucket = self._lists[i]
        j = bisect_left(bucket, item)
        if j == len(bucket) or bucket[j] != item:
            raise ValueError(f"{item!r} not in list")
        del bucket[j]
        if bucket:
            self._maxes[i] = bucket[-1]
            if self._tree is not None:
                self._grow(i, -1)
        else:
            del self._lists[i]
            del self._maxes[i]
            self._tree = None
        self._len -= 1

    # ---- the Fenwick tree over bucket lengths -------------------------------------------
    def _fenwick(self) -> list[int]:
        tree = self._tree
        if tree is None:
            tree = [0, *(len(b) for b in self._lists)]
            size = len(tree) - 1
            for i in range(1, size + 1):
                parent = i + (i & -i)
                if parent <= size:
                    tree[parent] += tree[i]
            self._tree = tree
        return tree

    def _grow(self, bucket: int, delta: int) -> None:
        tree = self._tree
        assert tree is not None
        i, size = bucket + 1, len(tree) - 1
        while i <= size:
            tree[i] += delta
            i += i & -i

    def _offset(self, bucket: int) -> int:
        """The position of the first item of ``bucket``."""
        tree = self._fenwick()
        total, i = 0, bucket
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def bisect_left(self, item: T) -> int:
        """The position of the first item not less than ``item``."""
        i = bisect_left(self._maxes, item)
        if i == len(self._maxes):
            return self._len
        return self._offset(i) + bisect_left(self._lists[i], item)

    def bisect_right(self, item: T) -> int:
        """The position after the last item not greater than ``item``."""
        i = bisect_right(self._maxes, item)
        if i == len(self._maxes):
            return self._len
        return self._offset(i) + bisect_right(self._lists[i], item)

    def _locate(self, pos: int) -> tuple[int, int]:
        """(bucket, index in it) of position ``pos`` (0 <= pos < len)."""
        tree = self._fenwick()
        size = len(tree) - 1
        bucket, step = 0, 1 << size.bit_length()
        while step:
            nxt = bucket + step
            if nxt <= size and tree[nxt] <= pos:
                bucket = nxt
                pos -= tree[nxt]
            step >>= 1
        return bucket, pos

    def __getitem__(self, pos: int) -> T:
        if not 0 <= pos < self._len:
            raise IndexError(pos)
        i, j = self._locate(pos)
        return self._lists[i][j]

    def forward(self, start: int, stop: int) -> list[T]:
        """Items at positions ``start`` up to (not including) ``stop``, ascending."""
        start, stop = max(start, 0), min(stop, self._len)
        if start >= stop:
            return []
        i, j = self._locate(start)
        lists = self._lists
        out = lists[i][j : j + stop - start]
        while len(out) < stop - start:
            i += 1
            out += lists[i][: stop - start - len(out)]
        return out

    def backward(self, start: int, stop: int) -> list[T]:
        """Items at positions ``start`` down to (not including) ``stop``, descending."""
        start, stop = min(start, self._len - 1), max(stop, -1)
        if start <= stop:
            return []
        want = start - stop
        i, j = self._locate(start)
        lists = self._lists
        out = lists[i][max(j + 1 - want, 0) : j + 1]
        out.reverse()
        while len(out) < want:
            i -= 1
            bucket = lists[i]
            chunk = bucket[max(len(bucket) - (want - len(out)), 0) :]
            chunk.reverse()
            out += chunk
        return out

    def __iter__(self) -> Iterator[T]:
        for bucket in self._lists:
            yield from bucket
