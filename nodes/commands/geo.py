"""Geo commands: GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH GEOSEARCHSTORE GEORADIUS
GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO.

A geo set is a sorted set whose scores are redis's 52-bit geohashes
(:mod:`nodes.types.geohash`), so ZSCORE, GEOPOS and distances match redis-server's.
Searches scan the same nine cells in the same order as redis, so an unsorted reply lists
members in redis's order too; sorted replies order by distance (members at exactly the
same distance may come out in another order than redis's unstable qsort gives).
Distances print with four decimals, coordinates like ``%.17Lf`` (RESP3: doubles).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.commands.zsets import zadd
from nodes.commands.zsets_algebra import store_result
from nodes.errors import CommandError, NodeError, NotFloatError, SyntaxErr
from nodes.resp.values import NULL_ARRAY, Blocked, Raw, Reply
from nodes.types import geohash, longdouble
from nodes.types.geohash import Shape
from nodes.types.scores import ScoreBound, parse_score
from nodes.types.zset import Pair, ZSet

_UNITS = {b"m": 1.0, b"km": 1000.0, b"ft": 0.3048, b"mi": 1609.34}


def _zset(ctx: CommandContext, key: bytes) -> ZSet | None:
    return ctx.keyspace.get_typed(key, ZSet)


def _double(arg: bytes, message: str | None = None) -> float:
    """redis's ``getDoubleFromObjectOrReply`` (strtod of the whole argument, no NaN),
    with its optional message instead of ``value is not a valid float``."""
    try:
        return parse_score(arg)
    except NotFloatError:
        if message is None:
            raise
        raise CommandError(message) from None


def _lonlat(args: Sequence[bytes]) -> tuple[float, float]:
    lon, lat = _double(args[0]), _double(args[1])
    if not (geohash.LONG_MIN <= lon <= geohash.LONG_MAX) or not (
        geohash.LAT_MIN <= lat <= geohash.LAT_MAX
    ):
        raise NodeError(b"ERR invalid longitude,latitude pair %f,%f" % (lon, lat))
    return lon, lat


def _unit(arg: bytes) -> float:
    factor = _UNITS.get(arg.lower())
    if factor is None:
        raise CommandError("unsupported unit provided. please use M, KM, FT, MI")
    return factor


def _distance_arg(args: Sequence[bytes]) -> tuple[float, float]:
    """(radius, unit meters) from ``radius unit``."""
    radius = _double(args[0], "need numeric radius")
    if radius < 0:
        raise CommandError("radius cannot be negative")
    return radius, _unit(args[1])


def format_distance(value: float) -> bytes:
    """redis's ``fixedpoint_d2string(..., 4)``: rounded half to even, four decimals."""
    scaled = round(value * 10000.0)
    sign = "-" if scaled < 0 else ""
    scaled = abs(scaled)
    return f"{sign}{scaled // 10000}.{scaled % 10000:04d}".encode()


def coordinate(ctx: CommandContext, value: float) -> Reply:
    """A coordinate as ``addReplyHumanLongDouble`` sends it."""
    text = longdouble.format_human(Fraction(value))
    if ctx.client.resp == 3:
        return Raw(b"," + text + b"\r\n")
    return text


@command(
    "geoadd", -5, "write denyoom", keys=(1, 1, 1), acl="@write @geo @slow", key_flags="RW update"
)
def geoadd(ctx: CommandContext, argv: list[bytes]) -> Reply:
    nx = xx = False
    i = 2
    while i < len(argv):
        opt = argv[i].lower()
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt != b"ch":
            break
        i += 1
    if (len(argv) - i) % 3 or (nx and xx):
        raise SyntaxErr()
    zargv = [b"zadd", *argv[1:i]]
    for j in range(i, len(argv), 3):
        lon, lat = _lonlat(argv[j : j + 2])
        zargv += [b"%d" % geohash.score_of(lon, lat), argv[j + 2]]
    reply = zadd(ctx, zargv)
    ctx.propagate_as([b"ZADD", *zargv[1:]])
    assert not isinstance(reply, Blocked)
    return reply


def _position(zs: ZSet | None, member: bytes) -> tuple[float, float] | None:
    score = None if zs is None else zs.score(member)
    return None if score is None else geohash.position(score)


@command("geopos", -2, "readonly", keys=(1, 1, 1), acl="@read @geo @slow", key_flags="RO access")
def geopos(ctx: CommandContext, argv: list[bytes]) -> Reply:
    zs = _zset(ctx, argv[1])
    out: list[Reply] = []
    for member in argv[2:]:
        xy = _position(zs, member)
        out.append(NULL_ARRAY if xy is None else [coordinate(ctx, xy[0]), coordinate(ctx, xy[1])])
    return out


@command("geodist", -4, "readonly", keys=(1, 1, 1), acl="@read @geo @slow", key_flags="RO access")
def geodist(ctx: CommandContext, argv: list[bytes]) -> Reply:
    to_meter = 1.0
    if len(argv) == 5:
        to_meter = _unit(argv[4])
    elif len(argv) > 5:
        raise SyntaxErr()
    zs = _zset(ctx, argv[1])
    if zs is None:
        return None
    a, b = _position(zs, argv[2]), _position(zs, argv[3])
    if a is None or b is None:
        return None
    return format_distance(geohash.distance(a[0], a[1], b[0], b[1]) / to_meter)


_ALPHABET = b"0123456789bcdefghjkmnpqrstuvwxyz"


@command("geohash", -2, "readonly", keys=(1, 1, 1), acl="@read @geo @slow", key_flags="RO access")
def geohash_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    zs = _zset(ctx, argv[1])
    out: list[Reply] = []
    for member in argv[2:]:
        xy = _position(zs, member)
        if xy is None:
            out.append(None)
            continue
        bits = geohash.encode(xy[0], xy[1], 26, lat_range=(-90.0, 90.0)).bits
        chars = [_ALPHABET[(bits >> (52 - (i + 1) * 5)) & 0x1F] for i in range(10)]
        out.append(bytes([*chars, _ALPHABET[0]]))
    return out


def _keyword_key(argv: Sequence[bytes], keyword: bytes, start: int) -> int | None:
    """The argument after the first ``keyword`` searched from ``start`` (a key spec)."""
    for i in range(start, len(argv) - 1):
        if argv[i].lower() == keyword:
            return i + 1
    return None


def _radius_keys(start: int) -> Callable[[Sequence[bytes]], list[int]]:
    """GEORADIUS's keys as its key specs give them: the source, then the key after
    STORE, then the key after STOREDIST, each searched from ``start``."""

    def keys(argv: Sequence[bytes]) -> list[int]:
        found = [1]
        for keyword in (b"store", b"storedist"):
            at = _keyword_key(argv, keyword, start)
            if at is not None:
                found.append(at)
        return found

    return keys


class _Search:
    """The parsed options of one search command."""

    def __init__(self) -> None:
        self.withdist = self.withhash = self.withcoord = self.any = False
        self.sort = 0  # 0 none, 1 asc, -1 desc
        self.count = 0
        self.store: bytes | None = None
        self.storedist = False
        self.center: tuple[float, float] | None = None
        self.from_member = self.from_lonlat = False
        self.radius: tuple[float, float] | None = None
        self.box: tuple[float, float, float] | None = None


_COORDS, _MEMBER, _NOSTORE, _SEARCH, _SEARCHSTORE = 1, 2, 4, 8, 16


def _parse(
    ctx: CommandContext, argv: list[bytes], zs: ZSet | None, flags: int
) -> tuple[_Search, int]:
    s = _Search()
    if flags & _COORDS:
        base = 6
        s.center = _lonlat(argv[2:4])
        s.radius = _distance_arg(argv[4:6])
    elif flags & _MEMBER:
        base = 5
        if zs is not None:
            s.center = _position(zs, argv[2])
            if s.center is None:
                raise CommandError("could not decode requested zset member")
            s.radius = _distance_arg(argv[3:5])
    else:
        base = 3 if flags & _SEARCHSTORE else 2
        if flags & _SEARCHSTORE:
            s.store = argv[1]
    rest = argv[base:]
    i = 0
    search = bool(flags & _SEARCH)
    while i < len(rest):
        word = rest[i].lower()
        left = len(rest) - i - 1
        if word == b"withdist":
            s.withdist = True
        elif word == b"withhash":
            s.withhash = True
        elif word == b"withcoord":
            s.withcoord = True
        elif word == b"any":
            s.any = True
        elif word == b"asc":
            s.sort = 1
        elif word == b"desc":
            s.sort = -1
        elif word == b"count" and left >= 1:
            count = parse_int(rest[i + 1])
            if count <= 0:
                raise CommandError("COUNT must be > 0")
            s.count = count
            i += 1
        elif word in (b"store", b"storedist") and left >= 1 and not flags & (_NOSTORE | _SEARCH):
            s.store, s.storedist = rest[i + 1], word == b"storedist"
            i += 1
        elif word == b"storedist" and search and flags & _SEARCHSTORE:
            s.storedist = True
        elif word == b"frommember" and left >= 1 and search and not s.from_lonlat:
            s.from_member = True
            if zs is not None:
                s.center = _position(zs, rest[i + 1])
                if s.center is None:
                    raise CommandError("could not decode requested zset member")
            i += 1
        elif word == b"fromlonlat" and left >= 2 and search and not s.from_member:
            s.center = _lonlat(rest[i + 1 : i + 3])
            s.from_lonlat = True
            i += 2
        elif word == b"byradius" and left >= 2 and search and s.box is None:
            s.radius = _distance_arg(rest[i + 1 : i + 3])
            i += 2
        elif word == b"bybox" and left >= 3 and search and s.radius is None:
            width = _double(rest[i + 1], "need numeric width")
            height = _double(rest[i + 2], "need numeric height")
            if height < 0 or width < 0:
                raise CommandError("height or width cannot be negative")
            s.box = (width, height, _unit(rest[i + 3]))
            i += 3
        else:
            raise SyntaxErr()
        i += 1
    name = argv[0].decode(errors="replace")
    if s.store is not None and (s.withdist or s.withhash or s.withcoord):
        what = "GEOSEARCHSTORE" if flags & _SEARCHSTORE else "STORE option in GEORADIUS"
        raise CommandError(
            f"{what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )
    if search and not (s.from_member or s.from_lonlat):
        raise CommandError(f"exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}")
    if search and s.radius is None and s.box is None:
        raise CommandError(f"exactly one of BYRADIUS and BYBOX can be specified for {name}")
    if s.any and not s.count:
        raise CommandError("the ANY argument requires COUNT argument")
    return s, base


def _run_search(ctx: CommandContext, argv: list[bytes], key_at: int, flags: int) -> Reply:
    zs = _zset(ctx, argv[key_at])
    s, _ = _parse(ctx, argv, zs, flags)
    if zs is None:
        if s.store is not None:
            ctx.keyspace.delete(s.store)
            return 0
        return []
    assert s.center is not None
    if s.box is not None:
        shape = Shape(s.center[0], s.center[1], s.box[2], width=s.box[0], height=s.box[1], box=True)
    else:
        assert s.radius is not None
        shape = Shape(s.center[0], s.center[1], s.radius[1], radius=s.radius[0])
    sort = s.sort
    if s.count and sort == 0 and not s.any:
        sort = 1
    found = _members_in(zs, shape, s.count if s.any else 0)
    if not found and s.store is None:
        return []
    if sort:
        found.sort(key=lambda p: p[1], reverse=sort < 0)
    if s.count:
        found = found[: s.count]
    if s.store is not None:
        pairs: list[Pair] = [
            ((dist / shape.conversion) if s.storedist else score, member)
            for member, dist, score, _ in found
        ]
        return store_result(ctx, s.store, sorted(pairs))
    out: list[Reply] = []
    for member, dist, score, (lon, lat) in found:
        if not (s.withdist or s.withhash or s.withcoord):
            out.append(member)
            continue
        item: list[Reply] = [member]
        if s.withdist:
            item.append(format_distance(dist / shape.conversion))
        if s.withhash:
            item.append(int(score))
        if s.withcoord:
            item.append([coordinate(ctx, lon), coordinate(ctx, lat)])
        out.append(item)
    return out


Found = tuple[bytes, float, float, tuple[float, float]]
"""member, distance (meters), score, (longitude, latitude)."""


def _members_in(zs: ZSet, shape: Shape, limit: int) -> list[Found]:
    """Members inside ``shape``, cell by cell in redis's order (``membersOfAllNeighbors``)."""
    out: list[Found] = []
    cells = geohash.search_cells(shape)
    last = 0
    for i, cell in enumerate(cells):
        if cell.zero:
            continue
        if last and cell == cells[last]:
            continue
        if out and limit and len(out) >= limit:
            break
        low, high = geohash.cell_scores(cell)
        for score, member in zs.by_score(
            ScoreBound(float(low), False),
            ScoreBound(float(high), True),
            reverse=False,
            offset=0,
            limit=-1,
        ):
            lon, lat = geohash.position(score)
            dist = shape.contains(lon, lat)
            if dist is not None:
                out.append((member, dist, score, (lon, lat)))
            if out and limit and len(out) >= limit:
                break
        last = i
    return out


_RADIUS_SPECS = (
    KeySpec(("RO", "access")),
    KeySpec(("OW", "update"), begin_keyword=b"STORE", keyword_start=6),
    KeySpec(("OW", "update"), begin_keyword=b"STOREDIST", keyword_start=6),
)
_BYMEMBER_SPECS = (
    KeySpec(("RO", "access")),
    KeySpec(("OW", "update"), begin_keyword=b"STORE", keyword_start=5),
    KeySpec(("OW", "update"), begin_keyword=b"STOREDIST", keyword_start=5),
)


@command(
    "georadius",
    -6,
    "write denyoom",
    keys=(1, 1, 1),
    getkeys=_radius_keys(6),
    acl="@write @geo @slow",
    key_specs=_RADIUS_SPECS,
)
def georadius(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _run_search(ctx, argv, 1, _COORDS)


@command(
    "georadius_ro", -6, "readonly", keys=(1, 1, 1), acl="@read @geo @slow", key_flags="RO access"
)
def georadius_ro(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _run_search(ctx, argv, 1, _COORDS | _NOSTORE)


@command(
    "georadiusbymember",
    -5,
    "write denyoom",
    keys=(1, 1, 1),
    getkeys=_radius_keys(5),
    acl="@write @geo @slow",
    key_specs=_BYMEMBER_SPECS,
)
def georadiusbymember(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _run_search(ctx, argv, 1, _MEMBER)


@command(
    "georadiusbymember_ro",
    -5,
    "readonly",
    keys=(1, 1, 1),
    acl="@read @geo @slow",
    key_flags="RO access",
)
def georadiusbymember_ro(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _run_search(ctx, argv, 1, _MEMBER | _NOSTORE)


@command("geosearch", -7, "readonly", keys=(1, 1, 1), acl="@read @geo @slow", key_flags="RO access")
def geosearch(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _run_search(ctx, argv, 1, _SEARCH)


@command(
    "geosearchstore",
    -8,
    "write denyoom",
    keys=(1, 2, 1),
    acl="@write @geo @slow",
    key_specs=(
        KeySpec(("OW", "update"), begin_index=1),
        KeySpec(("RO", "access"), begin_index=2),
    ),
)
def geosearchstore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _run_search(ctx, argv, 2, _SEARCH | _SEARCHSTORE)
