"""Slot sets as integer bitmasks (bit ``j`` set = slot ``j``), and their compact ranges.

An ``int`` is the cheapest exact slot set in Python: comparison, union and popcount are
single operations, and it converts to the bus bitmap with ``int.to_bytes(..., "little")``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from nodes.keyslot import HASH_SLOTS

ALL_SLOTS = (1 << HASH_SLOTS) - 1


def mask_of(slots: Iterable[int]) -> int:
    mask = 0
    for slot in slots:
        mask |= 1 << slot
    return mask


def range_mask(start: int, end: int) -> int:
    """Slots ``start..end`` inclusive."""
    return ((1 << (end - start + 1)) - 1) << start


def ranges(mask: int) -> Iterator[tuple[int, int]]:
    """Maximal runs ``(start, end)`` of set bits, ascending."""
    while mask:
        start = (mask & -mask).bit_length() - 1
        shifted = mask >> start
        run = ((shifted + 1) & ~shifted).bit_length() - 1
        yield start, start + run - 1
        mask &= ~(((1 << run) - 1) << start)


def iter_slots(mask: int) -> Iterator[int]:
    for start, end in ranges(mask):
        yield from range(start, end + 1)


def count(mask: int) -> int:
    return mask.bit_count()


def format_ranges(mask: int) -> list[str]:
    """Redis's compact form: ``"5"`` for a lone slot, ``"0-5460"`` for a run."""
    return [str(s) if s == e else f"{s}-{e}" for s, e in ranges(mask)]
