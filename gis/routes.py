"""Map API: choropleth GeoJSON for any area and level below it, print maps (PNG, PDF), a
subdistrict profile, the GPS-issue layer and the GPS check. Scoped like every report."""
from __future__ import annotations

import marshmallow as ma
from flask import Response, request
from flask.views import MethodView

from app.api_base import Blueprint, InputSchema, committed, round_year_field
from app.areas.models import AreaLevel
from app.auth.guard import require, require_unit
from app.auth.policy import Action, may
from app.errors import Problem
from app.units import Unit
from gis import maps, printing, quality, states
from survey import access
from survey.households import get_round
from survey.reports import small_area_threshold

blp = Blueprint("maps_api", __name__, url_prefix="/api/v1/maps",
                description="Choropleth maps, print maps, GPS quality layer")

LEVELS = [level.value for level in maps.LEVELS]


class MapArgs(InputSchema):
    round = round_year_field(required=True)
    area = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{2,8}\Z"))
    lao = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{7}\Z"))
    level = ma.fields.String(validate=ma.validate.OneOf(LEVELS), metadata={
        "description": "the level of the features (default: the level below the unit)"})
    measure = ma.fields.String(load_default="pct_failed",
                               validate=ma.validate.OneOf(list(maps.MEASURES)))
    indicator = ma.fields.Integer(load_default=22, validate=ma.validate.Range(min=1, max=99))
    method = ma.fields.String(load_default="quantiles",
                              validate=ma.validate.OneOf(list(maps.METHODS)))
    classes = ma.fields.Integer(load_default=5, validate=ma.validate.Range(min=3, max=9))


class PrintArgs(MapArgs):
    format = ma.fields.String(load_default="png", validate=ma.validate.OneOf(["png", "pdf"]))


def map_request(args) -> tuple:
    """The round, unit, level and caller of a map request, authorised."""
    round_ = get_round(args["round"])
    unit = Unit.named(area=args.get("area"), lao=args.get("lao"))
    if unit.kind == "area" and len(unit.code) == 8:
        raise Problem("NOT_A_MAP_UNIT", code=unit.code)
    user = require_unit(Action.AGGREGATE_READ, unit)
    allowed = maps.allowed_levels(unit)
    level = AreaLevel(args["level"]) if args.get("level") else allowed[0]
    if level not in allowed:
        raise Problem("LEVEL_NOT_BELOW", level=level.value, code=unit.code or "TH")
    return round_, unit, level, user


def build_map(args):
    round_, unit, level, user = map_request(args)
    data = maps.build(round_, unit, level, measure=args["measure"],
                      indicator=args["indicator"], method=args["method"],
                      classes=args["classes"], min_households=small_area_threshold(user, unit, round_),
                      states=states.by_area(round_, unit, level))
    return round_, unit, level, user, data


@blp.route("")
class MapData(MethodView):
    @blp.arguments(MapArgs, location="query")
    @blp.response(200, content_type="application/geo+json")
    def get(self, args):
        """The features of a map (GeoJSON, EPSG:4326) with their figures, class and colour,
        and a Thai legend. Areas with too few households for the caller are ``suppressed``.
        The ETag changes with the data; send If-None-Match to get 304 when it did not."""
        *_, data = build_map(args)
        if request.if_none_match.contains(data.etag.strip('"')):
            return Response(status=304, headers={"ETag": data.etag})
        return Response(data.body, mimetype="application/geo+json",
                        headers={"ETag": data.etag, "Cache-Control": "private, no-cache"})


@blp.route("/print")
class PrintMap(MethodView):
    @blp.arguments(PrintArgs, location="query")
    @blp.response(200, content_type="image/png")
    def get(self, args):
        """The map for print: PNG or PDF with title, legend, scale bar, north arrow,
        source and date (Buddhist Era), labels in Sarabun."""
        round_, unit, level, _, data = build_map(args)
        content = printing.render(data.body, round_, unit, level, args["format"])
        mimetype = "application/pdf" if args["format"] == "pdf" else "image/png"
        name = f"map-{round_.year}-{unit.code or 'TH'}-{level.value}.{args['format']}"
        return Response(content, mimetype=mimetype,
                        headers={"Content-Disposition": f'inline; filename="{name}"'})


@blp.route("/profile/<code>.pdf")
class SubdistrictProfile(MethodView):
    @blp.arguments(MapArgs, location="query")
    @blp.response(200, content_type="application/pdf")
    def get(self, args, code):
        """A one-page printable profile of a subdistrict: its village map and key figures."""
        args = {**args, "area": code, "level": AreaLevel.VILLAGE.value}
        round_, unit, _, user, data = build_map(args)
        if len(unit.code) != 6:
            raise Problem("NOT_A_MAP_UNIT", code=unit.code)
        return Response(printing.profile(data.body, round_, unit, user),
                        mimetype="application/pdf")


class GpsArgs(InputSchema):
    round = round_year_field(required=True)
    area = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{2,8}\Z"))
    lao = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{7}\Z"))


@blp.route("/gps-issues")
class GpsIssues(MethodView):
    @blp.arguments(GpsArgs, location="query")
    @blp.response(200, content_type="application/geo+json")
    def get(self, args):
        """Households whose GPS point is outside their subdistrict or too inaccurate, as
        points (exact for roles allowed personal data, else rounded to about 1 km)."""
        round_ = get_round(args["round"])
        unit = Unit.named(area=args.get("area"), lao=args.get("lao"))
        user = require_unit(Action.HOUSEHOLD_READ, unit)
        exact = may(user, Action.PERSONAL_DATA_READ, unit=unit)
        return Response(quality.issue_layer(round_, unit, access.households_clause(user),
                                            exact=exact), mimetype="application/geo+json")


@blp.route("/gps-check")
class GpsCheck(MethodView):
    @blp.arguments(GpsArgs, location="query")
    @blp.response(200)
    def post(self, args):
        """Check every household's GPS point of the round (in an area) against its
        subdistrict and the round's accuracy limit; flags become quality issues that the
        certification gates count (department admin; also ``flask gis check-gps``)."""
        require(Action.ROUND_MANAGE)
        round_ = get_round(args["round"])
        unit = Unit.named(area=args.get("area"), lao=args.get("lao"))
        return committed(lambda: quality.check_gps(round_, unit)).as_dict()
