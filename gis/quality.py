"""GPS quality checks: a household whose point lies outside its subdistrict (beyond a
500 m tolerance for GPS error and boundary generalisation), or whose fix is less accurate
than the round allows, opens a quality issue — which the certification gates count.

PostgreSQL: one set-based spatial join per check (each household against its own
subdistrict's full polygon; a cheap containment test first, the geodesic distance only
for points outside). SQLite: the same test with shapely, vectorised per subdistrict.
Run it from a worker or by hand (``flask gis check-gps``), not on the submission path.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy
import shapely
from pyproj import Geod
from shapely.ops import nearest_points
from sqlalchemy import func, literal_column, not_, select

from app.areas.models import Area
from app.db_types import on_postgresql
from app.extensions import db
from app.units import Unit
from survey import quality
from survey.access import in_unit
from survey.models import Household, QualityIssue, SurveyRound

OUTSIDE = "GPS_OUTSIDE_SUBDISTRICT"
INACCURATE = "GPS_INACCURATE"
TOLERANCE_M = 500
# Beyond this many degrees a point is surely more than TOLERANCE_M away anywhere in
# Thailand (a degree is at least 104 km there): the geodesic test runs only nearer.
SURELY_FAR_DEGREES = TOLERANCE_M / 104_000
GEOD = Geod(ellps="WGS84")


@dataclass
class GpsCheck:
    households_checked: int
    outside: int
    inaccurate: int

    def as_dict(self) -> dict:
        return asdict(self)


def _located(round_: SurveyRound, unit: Unit):
    return (Household.round_year == round_.year, in_unit(unit),
            Household.gps_lat.is_not(None), Household.gps_lon.is_not(None))


def check_gps(round_: SurveyRound, unit: Unit) -> GpsCheck:
    """Replace the open GPS issues of the unit's households with a fresh check (resolved
    ones stay resolved). Flushes; the caller commits."""
    checked = db.session.scalar(select(func.count()).where(*_located(round_, unit)))
    resolved = quality.clear_flags(round_.year, OUTSIDE, unit)
    if on_postgresql(db.session):
        outside = quality.add_flags_from(round_.year, OUTSIDE, _outside_postgis(
            round_, unit, resolved))
    else:
        outside = quality.add_flags(round_.year, OUTSIDE, _outside_shapely(
            round_, unit, resolved))
    resolved = quality.clear_flags(round_.year, INACCURATE, unit)
    limit = round_.gps_accuracy_limit_m
    rows = db.session.execute(select(Household.id, Household.village_code,
                                     Household.gps_accuracy_m).where(
        *_located(round_, unit), Household.gps_accuracy_m > limit))
    inaccurate = quality.add_flags(round_.year, INACCURATE, [
        (hid, village, {"accuracy_m": round(accuracy), "limit_m": limit})
        for hid, village, accuracy in rows if hid not in resolved])
    return GpsCheck(checked, outside, inaccurate)


def _outside_postgis(round_: SurveyRound, unit: Unit, resolved: set[str]):
    """SELECT household_id, village_code, detail of the points outside their subdistrict."""
    point = func.ST_SetSRID(func.ST_MakePoint(Household.gps_lon, Household.gps_lat), 4326)
    distance = func.ST_Distance(func.geography(Area.geom), func.geography(point))
    detail = func.json_build_object(literal_column("'distance_m'"), func.round(distance),
                                    literal_column("'subdistrict'"), Area.code)
    query = (select(Household.id.label("household_id"),
                    Household.village_code.label("village_code"), detail.label("detail"))
             .join(Area, Area.code == func.substr(Household.village_code, 1, 6))
             .where(*_located(round_, unit), Area.geom.is_not(None),
                    not_(func.ST_Intersects(Area.geom, point)),
                    not_(func.ST_DWithin(Area.geom, point, SURELY_FAR_DEGREES))
                    | not_(func.ST_DWithin(func.geography(Area.geom), func.geography(point),
                                           TOLERANCE_M))))
    if resolved:
        query = query.where(Household.id.not_in(select(QualityIssue.household_id).where(
            QualityIssue.round_year == round_.year, QualityIssue.kind == OUTSIDE,
            QualityIssue.resolved_at.is_not(None))))
    return query.subquery()


def _outside_shapely(round_: SurveyRound, unit: Unit, resolved: set[str]
                     ) -> list[tuple[str, str, dict]]:
    found = []
    points: dict[str, list] = {}
    for hid, village, lon, lat in db.session.execute(select(
            Household.id, Household.village_code, Household.gps_lon, Household.gps_lat)
            .where(*_located(round_, unit))):
        points.setdefault(village[:6], []).append((hid, village, lon, lat))
    shapes = dict(db.session.execute(select(Area.code, Area.geom).where(
        Area.code.in_(list(points)), Area.geom.is_not(None))).all())
    for code, rows in points.items():
        boundary = shapes.get(code)
        if boundary is None:
            continue
        shapely.prepare(boundary)
        lons = numpy.array([r[2] for r in rows])
        lats = numpy.array([r[3] for r in rows])
        inside = shapely.contains_xy(boundary, lons, lats)
        for (hid, village, lon, lat), ok in zip(rows, inside):
            if ok or hid in resolved:
                continue
            metres = _distance_m(boundary, lon, lat)
            if metres > TOLERANCE_M:
                found.append((hid, village, {"distance_m": round(metres), "subdistrict": code}))
    return found


def _distance_m(boundary, lon: float, lat: float) -> float:
    """Geodesic distance from the point to the nearest point of the boundary."""
    nearest = nearest_points(boundary, shapely.Point(lon, lat))[0]
    return GEOD.inv(lon, lat, nearest.x, nearest.y)[2]


def issue_layer(round_: SurveyRound, unit: Unit, visible, *, exact: bool) -> str:
    """The flagged households of the unit the caller may see, as GeoJSON points."""
    rows = db.session.execute(
        select(QualityIssue.id, QualityIssue.kind, QualityIssue.detail, Household.id,
               Household.village_code, Household.house_code, Household.gps_lon,
               Household.gps_lat)
        .join(Household, Household.id == QualityIssue.household_id)
        .where(QualityIssue.round_year == round_.year, QualityIssue.resolved_at.is_(None),
               QualityIssue.kind.in_([OUTSIDE, INACCURATE]),
               in_unit(unit), visible,
               Household.gps_lat.is_not(None))
        .order_by(QualityIssue.id))
    digits = 6 if exact else 2
    features = [{"type": "Feature", "id": issue_id,
                 "geometry": {"type": "Point", "coordinates": [round(lon, digits),
                                                               round(lat, digits)]},
                 "properties": {"issue": issue_id, "kind": kind,
                                "kind_th": quality.KIND_TH[kind], "detail": detail,
                                "household_id": hid, "village_code": village,
                                "house_code": house_code, "coarse": not exact}}
                for issue_id, kind, detail, hid, village, house_code, lon, lat in rows]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False)

