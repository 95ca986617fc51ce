"""SORT and SORT_RO: BY (``*`` patterns, ``->field`` of hashes, ``nosort``), LIMIT, GET
(``#`` and patterns), ASC/DESC, ALPHA, STORE.

Follows redis-server 7.0's ``sortCommandGeneric``: options are parsed first (a bad
LIMIT number or an unknown word ends parsing with its error); in cluster mode a BY
pattern with ``*`` and every GET are refused, because the keys they name can live in
other slots. Numeric sorting reads each weight as strtod does (``One or more scores
can't be converted into double`` otherwise) and breaks ties by the members' bytes;
ALPHA compares bytes (redis uses strcoll, which is byte order in the C locale).
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Sequence

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, SyntaxErr, WrongTypeError
from nodes.resp.values import Reply
from nodes.types.scores import strtod_whole
from nodes.types.sets import RedisSet
from nodes.types.zset import ZSet

_BY_GET_NOTES = (
    b"For the optional BY/GET keyword. It is marked 'unknown' because the key names derive"
    b" from the content of the key we sort"
)
_STORE_NOTES = (
    b"For the optional STORE keyword. It is marked 'unknown' because the keyword can appear"
    b" anywhere in the argument array"
)


def sort_keys(argv: Sequence[bytes]) -> list[int]:
    """SORT's keys: the sorted key and the last STORE destination (``sortGetKeys``)."""
    keys = [1]
    store: int | None = None
    i = 2
    while i < len(argv):
        word = argv[i].lower()
        if word == b"limit":
            i += 2
        elif word in (b"get", b"by"):
            i += 1
        elif word == b"store" and i + 1 < len(argv):
            store = i + 1
        i += 1
    return keys if store is None else [*keys, store]


def sort_ro_keys(argv: Sequence[bytes]) -> list[int]:
    return [1]


class _Options:
    __slots__ = ("alpha", "by", "desc", "dontsort", "gets", "limit_count", "limit_start", "store")

    def __init__(self) -> None:
        self.desc = self.alpha = self.dontsort = False
        self.limit_start, self.limit_count = 0, -1
        self.by: bytes | None = None
        self.store: bytes | None = None
        self.gets: list[bytes] = []


def _parse(ctx: CommandContext, argv: list[bytes], readonly: bool) -> _Options:
    opts = _Options()
    cluster = ctx.server.cluster_enabled
    j = 2
    while j < len(argv):
        left = len(argv) - j - 1
        word = argv[j].lower()
        if word == b"asc":
            opts.desc = False
        elif word == b"desc":
            opts.desc = True
        elif word == b"alpha":
            opts.alpha = True
        elif word == b"limit" and left >= 2:
            opts.limit_start, opts.limit_count = parse_int(argv[j + 1]), parse_int(argv[j + 2])
            j += 2
        elif not readonly and word == b"store" and left >= 1:
            opts.store = argv[j + 1]
            j += 1
        elif word == b"by" and left >= 1:
            opts.by = argv[j + 1]
            if b"*" not in opts.by:
                opts.dontsort = True
            elif cluster:
                raise CommandError("BY option of SORT denied in Cluster mode.")
            j += 1
        elif word == b"get" and left >= 1:
            if cluster:
                raise CommandError("GET option of SORT denied in Cluster mode.")
            opts.gets.append(argv[j + 1])
            j += 1
        else:
            raise SyntaxErr()
        j += 1
    return opts


def lookup_by_pattern(ctx: CommandContext, pattern: bytes, subst: bytes) -> bytes | None:
    """The string (or ``->field`` of a hash) named by ``pattern`` with its first ``*``
    replaced by ``subst``; ``#`` is ``subst`` itself; ``None`` when missing."""
    if pattern == b"#":
        return subst
    star = pattern.find(b"*")
    if star < 0:
        return None
    arrow = pattern.find(b"->", star + 1)
    field: bytes | None = None
    key_pattern = pattern
    if arrow >= 0 and arrow + 2 < len(pattern):
        field = pattern[arrow + 2 :]
        key_pattern = pattern[:arrow]
    key = key_pattern[:star] + subst + key_pattern[star + 1 :]
    value = ctx.keyspace.get(key)
    if field is not None:
        if not isinstance(value, dict):
            return None
        found = value.get(field)
        return found if isinstance(found, bytes) else None
    return value if isinstance(value, bytes) else None


def _weight(text: bytes) -> float | None:
    """strtod of a weight with nothing left over; ``None`` when redis would complain."""
    value = strtod_whole(text)
    if value is None or math.isnan(value):
        return None
    return value


def _elements(value: object) -> list[bytes]:
    if isinstance(value, deque):
        return list(value)
    if isinstance(value, RedisSet):
        return value.ordered()
    if isinstance(value, ZSet):
        return [member for member, _ in value.items()]
    return []


def _sort(ctx: CommandContext, argv: list[bytes], readonly: bool) -> Reply:
    opts = _parse(ctx, argv, readonly)
    value = ctx.keyspace.get(argv[1])
    if value is not None and not isinstance(value, deque | RedisSet | ZSet):
        raise WrongTypeError()
    dontsort, alpha, by = opts.dontsort, opts.alpha, opts.by
    if dontsort and isinstance(value, RedisSet) and opts.store is not None:
        dontsort, alpha, by = False, True, None
    elements = _elements(value)
    n = len(elements)
    start = min(max(opts.limit_start, 0), n)
    count = min(max(opts.limit_count, -1), n)
    end = n - 1 if count < 0 else start + count - 1
    if start >= n:
        start, end = n - 1, n - 2
    end = min(end, n - 1)
    if dontsort:
        if opts.desc and not isinstance(value, RedisSet):
            elements.reverse()
        chosen = elements[start : end + 1] if end >= start else []
    else:
        chosen = _sorted(ctx, elements, by, alpha, opts.desc)[start : end + 1]
    return _output(ctx, opts, chosen)


def _sorted(
    ctx: CommandContext, elements: list[bytes], by: bytes | None, alpha: bool, desc: bool
) -> list[bytes]:
    sign = -1 if desc else 1
    if alpha:
        if by is None:
            return sorted(elements, reverse=desc)
        keyed = [(lookup_by_pattern(ctx, by, e), e) for e in elements]

        def alpha_cmp(a: tuple[bytes | None, bytes], b: tuple[bytes | None, bytes]) -> int:
            x, y = a[0], b[0]
            if x is None or y is None:
                return 0 if x is y else (-sign if x is None else sign)
            return sign * ((x > y) - (x < y))

        keyed.sort(key=functools.cmp_to_key(alpha_cmp))
        return [e for _, e in keyed]
    scored: list[tuple[float, bytes]] = []
    bad = False
    for element in elements:
        weight_text = element if by is None else lookup_by_pattern(ctx, by, element)
        if weight_text is None:
            scored.append((0.0, element))
            continue
        weight = _weight(weight_text)
        if weight is None:
            bad = True
            weight = 0.0
        scored.append((weight, element))
    if bad:
        raise CommandError("One or more scores can't be converted into double")
    scored.sort(reverse=desc)
    return [e for _, e in scored]


def _output(ctx: CommandContext, opts: _Options, chosen: list[bytes]) -> Reply:
    if opts.store is None:
        if not opts.gets:
            return list[Reply](chosen)
        out: list[Reply] = []
        for element in chosen:
            out += [lookup_by_pattern(ctx, p, element) for p in opts.gets]
        return out
    stored: deque[bytes] = deque()
    for element in chosen:
        if not opts.gets:
            stored.append(element)
        else:
            stored.extend(lookup_by_pattern(ctx, p, element) or b"" for p in opts.gets)
    ks = ctx.keyspace
    if stored:
        ks.set(opts.store, stored)
    else:
        ks.delete(opts.store)
    return len(stored)


@command(
    "sort",
    -2,
    "write denyoom",
    keys=(1, 1, 1),
    getkeys=sort_keys,
    acl="@write @set @sortedset @list @slow @dangerous",
    key_specs=(
        KeySpec(("RO", "access")),
        KeySpec(("RO", "access"), unknown=True, notes=_BY_GET_NOTES),
        KeySpec(("OW", "update"), unknown=True, notes=_STORE_NOTES),
    ),
)
def sort(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _sort(ctx, argv, readonly=False)


@command(
    "sort_ro",
    -2,
    "readonly",
    keys=(1, 1, 1),
    getkeys=sort_ro_keys,
    acl="@read @set @sortedset @list @slow @dangerous",
    key_specs=(
        KeySpec(("RO", "access")),
        KeySpec(("RO", "access"), unknown=True, notes=_BY_GET_NOTES),
    ),
)
def sort_ro(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _sort(ctx, argv, readonly=True)
