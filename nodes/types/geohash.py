"""Redis's geohash: 52-bit interleaved cell numbers as sorted-set scores, decoding back
to a cell centre, the haversine distance, and the nine cells a search scans.

Everything is computed with the same double-precision operations in the same order as
redis's geohash.c and geohash_helper.c (and the same libm), so scores, coordinates and
distances are bit-identical to redis-server's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STEP_MAX = 26
LAT_MIN, LAT_MAX = -85.05112878, 85.05112878
LONG_MIN, LONG_MAX = -180.0, 180.0
EARTH_RADIUS_IN_METERS = 6372797.560856
MERCATOR_MAX = 20037726.37
_D_R = math.pi / 180.0


@dataclass(frozen=True, slots=True)
class Cell:
    """A geohash cell: ``bits`` at ``step`` (bits per coordinate); ``step`` 0 is none."""

    bits: int
    step: int

    @property
    def zero(self) -> bool:
        return self.bits == 0 and self.step == 0


NO_CELL = Cell(0, 0)


@dataclass(frozen=True, slots=True)
class Area:
    long_min: float
    long_max: float
    lat_min: float
    lat_max: float


def _spread(v: int) -> int:
    out = 0
    for i in range(32):
        out |= ((v >> i) & 1) << (2 * i)
    return out


def _squeeze(v: int) -> int:
    out = 0
    for i in range(32):
        out |= ((v >> (2 * i)) & 1) << i
    return out


def encode(
    longitude: float,
    latitude: float,
    step: int = STEP_MAX,
    lat_range: tuple[float, float] = (LAT_MIN, LAT_MAX),
) -> Cell:
    """The cell of a point (``geohashEncode``); the point must be in range."""
    lat_lo, lat_hi = lat_range
    lat_offset = (latitude - lat_lo) / (lat_hi - lat_lo)
    long_offset = (longitude - LONG_MIN) / (LONG_MAX - LONG_MIN)
    lat_offset *= float(1 << step)
    long_offset *= float(1 << step)
    bits = _spread(int(lat_offset) & 0xFFFFFFFF) | (_spread(int(long_offset) & 0xFFFFFFFF) << 1)
    return Cell(bits & (2**64 - 1), step)


def score_of(longitude: float, latitude: float) -> int:
    """The 52-bit sorted-set score GEOADD stores."""
    return align52(encode(longitude, latitude))


def align52(cell: Cell) -> int:
    return cell.bits << (52 - cell.step * 2)


def decode(cell: Cell) -> Area:
    lat_scale = LAT_MAX - LAT_MIN
    long_scale = LONG_MAX - LONG_MIN
    ilat = _squeeze(cell.bits)
    ilong = _squeeze(cell.bits >> 1)
    div = float(1 << cell.step)
    return Area(
        long_min=LONG_MIN + (ilong * 1.0 / div) * long_scale,
        long_max=LONG_MIN + ((ilong + 1) * 1.0 / div) * long_scale,
        lat_min=LAT_MIN + (ilat * 1.0 / div) * lat_scale,
        lat_max=LAT_MIN + ((ilat + 1) * 1.0 / div) * lat_scale,
    )


def position(score: float) -> tuple[float, float]:
    """(longitude, latitude) of the centre of the cell a score names."""
    area = decode(Cell(int(score) & (2**64 - 1), STEP_MAX))
    x = (area.long_min + area.long_max) / 2
    x = min(max(x, LONG_MIN), LONG_MAX)
    y = (area.lat_min + area.lat_max) / 2
    y = min(max(y, LAT_MIN), LAT_MAX)
    return x, y


def _deg_rad(angle: float) -> float:
    return angle * _D_R


def _rad_deg(angle: float) -> float:
    return angle / _D_R


def lat_distance(lat1: float, lat2: float) -> float:
    return EARTH_RADIUS_IN_METERS * math.fabs(_deg_rad(lat2) - _deg_rad(lat1))


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance in meters (``geohashGetDistance``)."""
    lon1r, lon2r = _deg_rad(lon1), _deg_rad(lon2)
    v = math.sin((lon2r - lon1r) / 2)
    if v == 0.0:
        return lat_distance(lat1, lat2)
    lat1r, lat2r = _deg_rad(lat1), _deg_rad(lat2)
    u = math.sin((lat2r - lat1r) / 2)
    a = u * u + math.cos(lat1r) * math.cos(lat2r) * v * v
    return 2.0 * EARTH_RADIUS_IN_METERS * math.asin(math.sqrt(a))


def _move_x(cell: Cell, d: int) -> Cell:
    if d == 0:
        return cell
    x = cell.bits & 0xAAAAAAAAAAAAAAAA
    y = cell.bits & 0x5555555555555555
    zz = 0x5555555555555555 >> (64 - cell.step * 2)
    x = x + (zz + 1) if d > 0 else (x | zz) - (zz + 1)
    x &= 0xAAAAAAAAAAAAAAAA >> (64 - cell.step * 2)
    return Cell((x | y) & (2**64 - 1), cell.step)


def _move_y(cell: Cell, d: int) -> Cell:
    if d == 0:
        return cell
    x = cell.bits & 0xAAAAAAAAAAAAAAAA
    y = cell.bits & 0x5555555555555555
    zz = 0xAAAAAAAAAAAAAAAA >> (64 - cell.step * 2)
    y = y + (zz + 1) if d > 0 else (y | zz) - (zz + 1)
    y &= 0x5555555555555555 >> (64 - cell.step * 2)
    return Cell((x | y) & (2**64 - 1), cell.step)


_NEIGHBOURS = {
    "north": (0, 1),
    "south": (0, -1),
    "east": (1, 0),
    "west": (-1, 0),
    "north_east": (1, 1),
    "north_west": (-1, 1),
    "south_east": (1, -1),
    "south_west": (-1, -1),
}


def neighbours(cell: Cell) -> dict[str, Cell]:
    return {name: _move_y(_move_x(cell, dx), dy) for name, (dx, dy) in _NEIGHBOURS.items()}


@dataclass(frozen=True, slots=True)
class Shape:
    """A search area: centre, radius (or width/height), and the unit's meters."""

    longitude: float
    latitude: float
    conversion: float
    radius: float = 0.0
    width: float = 0.0
    height: float = 0.0
    box: bool = False

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the bounding box."""
        half_h = self.height / 2 if self.box else self.radius
        half_w = self.width / 2 if self.box else self.radius
        height = self.conversion * half_h
        width = self.conversion * half_w
        lat_delta = _rad_deg(height / EARTH_RADIUS_IN_METERS)
        top = _rad_deg(
            width / EARTH_RADIUS_IN_METERS / math.cos(_deg_rad(self.latitude + lat_delta))
        )
        bottom = _rad_deg(
            width / EARTH_RADIUS_IN_METERS / math.cos(_deg_rad(self.latitude - lat_delta))
        )
        south = self.latitude < 0
        min_lon = self.longitude - bottom if south else self.longitude - top
        max_lon = self.longitude + bottom if south else self.longitude + top
        return min_lon, self.latitude - lat_delta, max_lon, self.latitude + lat_delta

    def contains(self, lon: float, lat: float) -> float | None:
        """The distance (meters) of a point inside the shape, else ``None``."""
        if not self.box:
            d = distance(self.longitude, self.latitude, lon, lat)
            return None if d > self.radius * self.conversion else d
        if lat_distance(lat, self.latitude) > self.height * self.conversion / 2:
            return None
        if distance(lon, lat, self.longitude, lat) > self.width * self.conversion / 2:
            return None
        return distance(self.longitude, self.latitude, lon, lat)


def estimate_steps(range_meters: float, lat: float) -> int:
    if range_meters == 0:
        return 26
    step = 1
    while range_meters < MERCATOR_MAX:
        range_meters *= 2
        step += 1
    step -= 2
    if lat > 66 or lat < -66:
        step -= 1
        if lat > 80 or lat < -80:
            step -= 1
    return min(max(step, 1), 26)


def search_cells(shape: Shape) -> list[Cell]:
    """The cells to scan, in redis's order (centre, N, S, E, W, NE, NW, SE, SW), with
    the ones outside the bounding box removed (``geohashCalculateAreasByShapeWGS84``)."""
    min_lon, min_lat, max_lon, max_lat = shape.bounds()
    if shape.box:
        radius = math.sqrt(
            (shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2)
        )
    else:
        radius = shape.radius
    radius *= shape.conversion
    steps = estimate_steps(radius, shape.latitude)
    cell = encode(shape.longitude, shape.latitude, steps)
    around = neighbours(cell)
    area = decode(cell)
    north, south = decode(around["north"]), decode(around["south"])
    east, west = decode(around["east"]), decode(around["west"])
    decrease = (
        north.lat_max < max_lat
        or south.lat_min > min_lat
        or east.long_max < max_lon
        or west.long_min > min_lon
    )
    if steps > 1 and decrease:
        steps -= 1
        cell = encode(shape.longitude, shape.latitude, steps)
        around = neighbours(cell)
        area = decode(cell)
    if steps >= 2:
        drop: set[str] = set()
        if area.lat_min < min_lat:
            drop |= {"south", "south_west", "south_east"}
        if area.lat_max > max_lat:
            drop |= {"north", "north_east", "north_west"}
        if area.long_min < min_lon:
            drop |= {"west", "south_west", "north_west"}
        if area.long_max > max_lon:
            drop |= {"east", "south_east", "north_east"}
        for name in drop:
            around[name] = NO_CELL
    return [cell, *(around[name] for name in _NEIGHBOURS)]


def cell_scores(cell: Cell) -> tuple[int, int]:
    """The score range [low, high) of the points inside ``cell``."""
    return align52(cell), align52(Cell(cell.bits + 1, cell.step))
