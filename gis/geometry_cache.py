"""The geometry of map features, as GeoJSON text, kept in the process while the boundaries
stay the same.

Provinces, districts and subdistricts: their simplified boundary (coordinates to 5
decimals, about a metre). Villages and communities have no boundary anywhere: a village
is a point (the register's ``lat``/``lon``, else the median of its households' GPS
points), and a filled village map draws the Voronoi cells of the points of each
subdistrict, clipped to it — approximate, and labelled so.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPoint, Point
from sqlalchemy import func, select

from app.areas.models import CODE_LENGTH, VILLAGE_LEVELS, Area, AreaLevel
from app.extensions import db
from app.units import Unit
from survey.access import in_unit
from survey.models import Household

ATTRIBUTION = "Boundaries: Royal Thai Survey Department / OCHA COD-AB (CC BY-IGO)"
PRECISION = 1e-5


@dataclass(frozen=True)
class MapArea:
    code: str
    name_th: str
    level: str
    geojson: str
    approximate: bool = False


# (level, boundary stamp) → {code: MapArea} for the whole country.
_areas: dict[tuple[str, tuple], dict[str, MapArea]] = {}


def _stamp(level: str) -> tuple:
    """Changes whenever an import changes the level's boundaries (their count or boxes)."""
    return tuple(db.session.execute(select(
        func.count(Area.geom_source), func.sum(Area.min_lon + 2 * Area.max_lon),
        func.sum(Area.min_lat + 2 * Area.max_lat)).where(Area.level == level)).one())


def _geojson(geometry) -> str:
    return shapely.to_geojson(shapely.set_precision(geometry, PRECISION))


def _admin_areas(level: AreaLevel) -> dict[str, MapArea]:
    key = (level.value, _stamp(level.value))
    if key not in _areas:
        for old in [k for k in _areas if k[0] == level.value]:
            del _areas[old]
        rows = db.session.execute(select(Area.code, Area.name_th, Area.geom_simplified).where(
            Area.level == level.value, Area.geom_simplified.is_not(None)))
        _areas[key] = {code: MapArea(code, name, level.value, _geojson(geometry))
                       for code, name, geometry in rows}
    return _areas[key]


def village_points(unit: Unit) -> dict[str, tuple[float, float] | None]:
    """Every village/community of the unit and its point (lon, lat), or None: the
    register's, else the median of its households' GPS points (any round)."""
    villages = db.session.scalars(select(Area.code).where(
        Area.level.in_(VILLAGE_LEVELS), unit.village_filter(Area.code))).all()
    points: dict[str, tuple[float, float] | None] = {}
    registered = {code: (lon, lat) for code, lon, lat in db.session.execute(
        select(Area.code, Area.lon, Area.lat).where(
            Area.level.in_(VILLAGE_LEVELS), unit.village_filter(Area.code),
            Area.lat.is_not(None), Area.lon.is_not(None)))}
    gps: dict[str, list[tuple[float, float]]] = {}
    for code, lon, lat in db.session.execute(
            select(Household.village_code, Household.gps_lon, Household.gps_lat).where(
                in_unit(unit), Household.gps_lat.is_not(None),
                Household.village_code.not_in(list(registered)) if registered else True)):
        gps.setdefault(code, []).append((lon, lat))
    for code in villages:
        if code in registered:
            points[code] = registered[code]
        elif code in gps:
            points[code] = (statistics.median(p[0] for p in gps[code]),
                            statistics.median(p[1] for p in gps[code]))
        else:
            points[code] = None
    return points


def _village_cells(unit: Unit) -> tuple[list[MapArea], list[str]]:
    points = village_points(unit)
    names = dict(db.session.execute(select(Area.code, Area.name_th).where(
        Area.code.in_(list(points)))).all())
    levels = dict(db.session.execute(select(Area.code, Area.level).where(
        Area.code.in_(list(points)))).all())
    by_subdistrict: dict[str, dict[str, tuple]] = {}
    for code, point in points.items():
        if point is not None:
            by_subdistrict.setdefault(code[:6], {})[code] = point
    shapes = dict(db.session.execute(select(Area.code, Area.geom_simplified).where(
        Area.code.in_(list(by_subdistrict)))).all())
    out = []
    for sub, located in sorted(by_subdistrict.items()):
        boundary = shapes.get(sub)
        if boundary is None:  # no boundary to divide: the villages stay points
            out += [MapArea(c, names[c], levels[c], _geojson(Point(p)))
                    for c, p in sorted(located.items())]
            continue
        codes = sorted(located)
        if len(codes) == 1:
            cells = [boundary]
        else:
            regions = shapely.voronoi_polygons(MultiPoint([located[c] for c in codes]),
                                               extend_to=boundary.envelope).geoms
            cells = []
            for code in codes:
                point = Point(located[code])
                cell = next((r for r in regions if r.covers(point)), None)
                cells.append(cell.intersection(boundary) if cell is not None else point)
        out += [MapArea(c, names[c], levels[c], _geojson(cell if not cell.is_empty
                                                          else Point(located[c])),
                        approximate=True) for c, cell in zip(codes, cells)]
    return out, sorted(code for code, point in points.items() if point is None)


def features(unit: Unit, level: AreaLevel) -> tuple[list[MapArea], list[str]]:
    """The features of a map of ``unit`` at ``level`` (areas without geometry left out),
    and the villages a village map cannot place (no register point, no household GPS)."""
    if level is AreaLevel.VILLAGE:
        return _village_cells(unit)
    areas = _admin_areas(level)
    if unit.kind == "nation":
        return [areas[c] for c in sorted(areas)], []
    if unit.kind == "area":
        return [areas[c] for c in sorted(areas) if c.startswith(unit.code)], []
    inside = db.session.scalars(select(Area.code).where(unit.village_filter(Area.code)))
    prefixes = {code[:CODE_LENGTH[level]] for code in inside}  # an LAO's subdistricts …
    return [areas[c] for c in sorted(areas) if c in prefixes], []
