"""The flags COMMAND GETKEYSANDFLAGS gives each key, found as redis 7.0 finds them.

Redis searches the key specs (``getKeysUsingKeySpecs``) and gives each key the flags of the
spec that found it (LMOVE's source is ``RW access delete``, its destination ``RW
insert``). When a spec cannot be searched (``unknown``, ``incomplete``, its arguments do
not fit) or a spec has ``variable_flags``, redis falls back to the command's own key
finder, whose flags are the ones in :data:`_FINDER_FLAGS` (none for the other finders).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nodes.commands.registry import KeySpec
from nodes.resp.parser import string2ll
from nodes.types.bitfield import reads_only

_RO = ("RO", "access")
_WRITE_ACCESS = ("RW", "access", "update")
_STORE = ("OW", "update")


def spec_positions(spec: KeySpec, argv: Sequence[bytes]) -> list[int] | None:
    """The positions in ``argv`` (``argv[0]`` is the command name) of the keys ``spec``
    finds (empty when its keyword is absent); ``None`` when it cannot be searched
    (``unknown``, ``incomplete``) or the arguments do not fit it (redis's invalid spec)."""
    if spec.unknown or "incomplete" in spec.flags:
        return None
    argc = len(argv)
    first = _begin(spec, argv)
    if first == 0:
        return []
    if spec.keynum is not None:
        keynumidx, firstkey, step = spec.keynum
        if first + keynumidx >= argc:
            return None
        numkeys = string2ll(argv[first + keynumidx])
        if numkeys is None or numkeys < 0:
            return None
        first += firstkey
        last = first + numkeys - 1
    else:
        step = spec.keystep
        if spec.lastkey >= 0:
            last = first + spec.lastkey
        elif not spec.limit:
            last = argc + spec.lastkey
        else:
            last = first + ((argc - first) // spec.limit + spec.lastkey)
    if last >= argc or last < first or first >= argc:
        return None
    return list(range(first, last + 1, step or 1))


def _begin(spec: KeySpec, argv: Sequence[bytes]) -> int:
    """Where the spec's keys begin (0: its keyword is not there)."""
    if spec.begin_keyword is None:
        return spec.begin_index
    argc = len(argv)
    start = spec.keyword_start if spec.keyword_start > 0 else argc + spec.keyword_start
    end = argc - 1 if spec.keyword_start > 0 else 1
    keyword = spec.begin_keyword.lower()
    i = start
    while i != end:
        if i >= argc or i < 1:
            break
        if argv[i].lower() == keyword:
            return i + 1
        i = i + 1 if start <= end else i - 1
    return 0


def key_flags(
    name: str, specs: Sequence[KeySpec], argv: Sequence[bytes], positions: Sequence[int]
) -> list[tuple[str, ...]]:
    """The flags of the key at each of ``positions`` of command ``name`` called as
    ``argv``."""
    searched = [spec for spec in specs if "not_key" not in spec.flags]
    if searched and not any("variable_flags" in spec.flags for spec in specs):
        found: dict[int, tuple[str, ...]] = {}
        for spec in searched:
            at = spec_positions(spec, argv)
            if at is None:
                break
            for position in at:
                found.setdefault(position, spec.flags)
        else:
            return [found.get(position, ()) for position in positions]
    rule = _FINDER_FLAGS.get(name)
    return [rule(argv, position) if rule else () for position in positions]


def _set_flags(argv: Sequence[bytes], position: int) -> tuple[str, ...]:
    """SET: read and written with GET, else only overwritten."""
    return _WRITE_ACCESS if any(a.lower() == b"get" for a in argv[3:]) else _STORE


def _bitfield_flags(argv: Sequence[bytes], position: int) -> tuple[str, ...]:
    """BITFIELD: read-only while only GET and OVERFLOW come (each complete)."""
    return _RO if reads_only(argv) else _WRITE_ACCESS


def _sort_flags(argv: Sequence[bytes], position: int) -> tuple[str, ...]:
    """SORT: the sorted key is read, the STORE destination overwritten."""
    return _RO if position == 1 else _STORE


_FINDER_FLAGS: dict[str, Callable[[Sequence[bytes], int], tuple[str, ...]]] = {
    "set": _set_flags,
    "bitfield": _bitfield_flags,
    "sort": _sort_flags,
    "sort_ro": lambda argv, position: _RO,
    "migrate": lambda argv, position: ("RW", "access", "delete"),
}
"""The flags redis 7.0's own key finders give (``setGetKeys``, ``bitfieldGetKeys``,
``sortGetKeys``, ``sortROGetKeys``, ``migrateGetKeys``); the other finders give none."""
