"""OGC API – Features (Part 1: Core, GeoJSON) at ``/ogc``: a landing page, conformance,
collections of provinces, districts, subdistricts and villages per round with their
figures as properties, and items with ``bbox``, ``limit``, ``offset``, ``properties`` and
``next`` links — readable by QGIS, GDAL/ogr2ogr (OAPIF) and OWSLib.

Everything is scoped like the rest of the API: a caller sees the features inside their
scope; figures of small areas are withheld from roles without personal-data rights.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import shapely
from flask import Blueprint, Response, request, url_for
from sqlalchemy import and_, func, select

from app.areas.models import VILLAGE_LEVELS, Area, AreaLevel
from app.auth.guard import require
from app.auth.policy import Action, visible_areas_clause
from app.errors import ApiError
from app.extensions import db
from app.geometry import THAILAND_BBOX
from app.units import Unit
from gis import maps
from gis.geometry_cache import ATTRIBUTION, PRECISION, village_points
from survey.models import SurveyRound
from survey.reports import small_area_threshold

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

GEOJSON = "application/geo+json"
MAX_LIMIT = 10_000
LEVELS = {"provinces": AreaLevel.PROVINCE, "districts": AreaLevel.DISTRICT,
          "subdistricts": AreaLevel.SUBDISTRICT, "villages": AreaLevel.VILLAGE}
TITLE_TH = {"provinces": "จังหวัด", "districts": "อำเภอ", "subdistricts": "ตำบล",
            "villages": "หมู่บ้าน/ชุมชน (จุด)"}
CONFORMANCE = ["http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
               "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"]


def invalid(name: str, why: str) -> ApiError:
    return ApiError(400, "InvalidParameterValue", f"{name}: {why}",
                    errors={name: [why]}, message_th=f"ค่าพารามิเตอร์ {name} ไม่ถูกต้อง")


def _json(body: dict, mimetype: str = "application/json") -> Response:
    return Response(json.dumps(body, ensure_ascii=False, default=str), mimetype=mimetype)


def _rounds() -> list[int]:
    return list(db.session.scalars(select(SurveyRound.year).order_by(SurveyRound.year.desc())))


@dataclass(frozen=True)
class Collection:
    id: str
    kind: str
    year: int

    @property
    def level(self) -> AreaLevel:
        return LEVELS[self.kind]


def _collection(collection_id: str) -> Collection:
    match = re.fullmatch(r"(provinces|districts|subdistricts|villages)-([0-9]{4})",
                         collection_id)
    if not match or int(match.group(2)) not in _rounds():
        raise ApiError(404, "NotFound", f"no collection {collection_id!r}",
                       message_th="ไม่พบชุดข้อมูลนี้")
    return Collection(collection_id, match.group(1), int(match.group(2)))


def _describe(c: Collection) -> dict:
    href = url_for("ogc.collection", collection_id=c.id, _external=True)
    return {"id": c.id, "title": f"{TITLE_TH[c.kind]} · จปฐ. ปี {c.year}",
            "description": f"{TITLE_TH[c.kind]} with the basic-needs figures of round "
                           f"{c.year}. {ATTRIBUTION}",
            "itemType": "feature",
            "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
            "extent": {"spatial": {"bbox": [list(THAILAND_BBOX)],
                                   "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "links": [{"rel": "self", "type": "application/json", "href": href},
                      {"rel": "items", "type": GEOJSON, "href": url_for(
                          "ogc.items", collection_id=c.id, _external=True)}]}


@bp.get("")
@bp.get("/")
def landing():
    """The landing page (authenticated, like every path here)."""
    require(Action.AGGREGATE_READ)
    return _json({"title": "BMN (จปฐ.) – OGC API Features",
                  "description": "Basic-needs survey figures by province, district, "
                                 "subdistrict and village. " + ATTRIBUTION,
                  "links": [
                      {"rel": "self", "type": "application/json",
                       "href": url_for("ogc.landing", _external=True)},
                      {"rel": "conformance", "type": "application/json",
                       "href": url_for("ogc.conformance", _external=True)},
                      {"rel": "data", "type": "application/json",
                       "href": url_for("ogc.collections", _external=True)}]})


@bp.get("/conformance")
def conformance():
    require(Action.AGGREGATE_READ)
    return _json({"conformsTo": CONFORMANCE})


@bp.get("/collections")
def collections():
    require(Action.AGGREGATE_READ)
    found = [Collection(f"{kind}-{year}", kind, year) for year in _rounds() for kind in LEVELS]
    return _json({"links": [{"rel": "self", "type": "application/json",
                             "href": url_for("ogc.collections", _external=True)}],
                  "collections": [_describe(c) for c in found]})


@bp.get("/collections/<collection_id>")
def collection(collection_id):
    require(Action.AGGREGATE_READ)
    return _json(_describe(_collection(collection_id)))


def _bbox() -> tuple[float, float, float, float] | None:
    raw = request.args.get("bbox")
    if raw is None:
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError as exc:
        raise invalid("bbox", "four numbers: minLon,minLat,maxLon,maxLat") from exc
    if len(values) != 4:
        raise invalid("bbox", "four numbers: minLon,minLat,maxLon,maxLat")
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90
            and -90 <= max_lat <= 90):
        raise invalid("bbox", "longitudes within ±180 and latitudes within ±90")
    if min_lon > max_lon or min_lat > max_lat:
        raise invalid("bbox", "the lower corner comes first (minLon,minLat,maxLon,maxLat)")
    return min_lon, min_lat, max_lon, max_lat


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,12}", raw) or not low <= int(raw) <= high:
        raise invalid(name, f"a whole number from {low} to {high:,}")
    return int(raw)


def _properties(item: dict | None, area_row, threshold: int) -> dict:
    suppressed = bool(item and item["households"] == 0 and item["suppressed_households"])
    props = {"code": area_row.code, "name_th": area_row.name_th, "name_en": area_row.name_en,
             "level": area_row.level, "parent_code": area_row.parent_code,
             "households": None, "target": item.get("target") if item else None,
             "coverage": None, "income_per_person": None, "below_income_line_pct": None,
             "suppressed": suppressed, "small_area_threshold": threshold}
    if item and not suppressed:
        props.update(households=item["households"], coverage=item.get("coverage"),
                     income_per_person=item.get("income_per_person"),
                     below_income_line_pct=item.get("below_income_line_pct"))
        for n, (passed, failed) in sorted(item.get("indicators", {}).items()):
            props[f"ind{n:02d}_pct_passed"], props[f"ind{n:02d}_pct_failed"] = passed, failed
    return props


@bp.get("/collections/<collection_id>/items")
def items(collection_id):
    """Features of the collection inside the caller's scope, paged."""
    user = require(Action.AGGREGATE_READ)
    c = _collection(collection_id)
    limit = _int_arg("limit", 10, 1, MAX_LIMIT)
    offset = _int_arg("offset", 0, 0, 2 ** 31 - 1)
    bbox = _bbox()
    wanted = [p for p in request.args.get("properties", "").split(",") if p] or None
    return _page(user, c, limit=limit, offset=offset, bbox=bbox, wanted=wanted)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id, feature_id):
    user = require(Action.AGGREGATE_READ)
    c = _collection(collection_id)
    page = _features(user, c, codes=[feature_id])
    if not page:
        raise ApiError(404, "NotFound", f"no feature {feature_id!r} in {collection_id}",
                       message_th="ไม่พบพื้นที่นี้")
    return _json(page[0], GEOJSON)


def _area_query(user, c: Collection, bbox=None):
    level = [c.level.value] if c.level is not AreaLevel.VILLAGE else list(VILLAGE_LEVELS)
    query = select(Area.code).where(Area.level.in_(level),
                                    visible_areas_clause(user, Action.AGGREGATE_READ))
    if bbox and c.level is not AreaLevel.VILLAGE:
        query = query.where(_in_box(bbox))
    elif bbox:  # villages: those of the subdistricts the box touches
        touched = select(Area.code).where(Area.level == AreaLevel.SUBDISTRICT.value,
                                          _in_box(bbox))
        query = query.where(func.substr(Area.code, 1, 6).in_(touched))
    return query


def _in_box(bbox):
    """The area's bounding box overlaps ``bbox`` (plain range tests on both databases)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    return and_(Area.min_lon <= max_lon, Area.max_lon >= min_lon, Area.min_lat <= max_lat,
                Area.max_lat >= min_lat)


def _page(user, c: Collection, *, limit: int, offset: int, bbox, wanted) -> Response:
    query = _area_query(user, c, bbox)
    matched = db.session.scalar(select(func.count()).select_from(query.subquery()))
    codes = list(db.session.scalars(query.order_by(Area.code).limit(limit).offset(offset)))
    features = _features(user, c, codes=codes, wanted=wanted) if codes else []
    base = {k: v for k, v in request.args.items() if k not in ("offset", "limit")}
    link = lambda rel, at: {"rel": rel, "type": GEOJSON, "href": url_for(  # noqa: E731
        "ogc.items", collection_id=c.id, _external=True, **base, limit=limit, offset=at)}
    links = [link("self", offset)]
    if offset + limit < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    links.append({"rel": "collection", "type": "application/json",
                  "href": url_for("ogc.collection", collection_id=c.id, _external=True)})
    return _json({"type": "FeatureCollection", "features": features,
                  "numberMatched": matched, "numberReturned": len(features),
                  "links": links}, GEOJSON)


def _features(user, c: Collection, *, codes: list[str], wanted=None) -> list[dict]:
    round_ = db.session.get(SurveyRound, c.year)
    rows = {a.code: a for a in db.session.execute(
        select(Area.code, Area.name_th, Area.name_en, Area.level, Area.parent_code,
               Area.geom_simplified if c.level is not AreaLevel.VILLAGE else Area.code.label("g"))
        .where(Area.code.in_(codes), visible_areas_clause(user, Action.AGGREGATE_READ)))}
    unit = Unit.of_scope(user)
    threshold = small_area_threshold(user, unit, round_)
    stats = maps.figures(round_, unit, c.level, None, threshold, codes=codes,
                         all_indicators=True)
    out = []
    located = _village_locations(codes) if c.level is AreaLevel.VILLAGE else {}
    for code in codes:
        row = rows.get(code)
        if row is None:
            continue
        if c.level is AreaLevel.VILLAGE:
            point = located.get(code)
            geometry = {"type": "Point", "coordinates": [round(point[0], 5), round(point[1], 5)]} \
                if point else None
        else:
            shape = row[5]
            geometry = json.loads(shapely.to_geojson(shapely.set_precision(
                shape, PRECISION))) if shape is not None else None
        props = _properties(stats.get(code), row, threshold)
        if wanted:
            props = {k: v for k, v in props.items() if k in wanted or k == "code"}
        out.append({"type": "Feature", "id": code, "geometry": geometry, "properties": props})
    return out


def _village_locations(codes: list[str]) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float]] = {}
    for sub in sorted({c[:6] for c in codes}):
        for code, point in village_points(Unit("area", sub)).items():
            if code in codes and point is not None:
                found[code] = point
    return found

