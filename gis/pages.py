"""The provincial dashboard (Thai): a Leaflet map of any indicator for the areas below the
one chosen, its legend and a sortable table beside it, drill-down and back, print links.
The page is a shell; the figures come from ``/api/v1/maps`` under the same scope rule."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from app.areas.queries import ancestors, get_area
from app.auth.guard import authenticated_user, require_unit
from app.auth.policy import Action, may
from app.extensions import db
from app.units import Unit
from gis import maps
from gis.geometry_cache import ATTRIBUTION
from survey.models import SurveyRound
from survey.questionnaires import as_version

bp = Blueprint("gis_pages", __name__, url_prefix="/maps", template_folder="templates",
               static_folder="static", static_url_path="/static")

LEVEL_TH = {"province": "จังหวัด", "district": "อำเภอ", "subdistrict": "ตำบล",
            "village": "หมู่บ้าน/ชุมชน"}


@bp.get("/")
def dashboard():
    scope = Unit.of_scope(authenticated_user())
    unit = Unit.named(area=request.args.get("area") or (
        scope.code if scope.kind == "area" else None),
        lao=request.args.get("lao") or (scope.code if scope.kind == "lao" else None))
    user = require_unit(Action.AGGREGATE_READ, unit)
    rounds = db.session.scalars(select(SurveyRound).order_by(SurveyRound.year.desc())).all()
    year = request.args.get("round", type=int) or (rounds[0].year if rounds else None)
    round_ = next((r for r in rounds if r.year == year), rounds[0] if rounds else None)
    version = as_version(round_.questionnaire_version) if round_ else None
    trail = []
    if unit.kind == "area":
        area = get_area(unit.code)
        trail = [a for a in ancestors(area) if may(user, Action.AGGREGATE_READ, area=a)] + [area]
    return render_template(
        "gis/dashboard.html", unit=unit, trail=trail, rounds=rounds, round=round_,
        indicators=version.indicators if version else [],
        measures=maps.MEASURES, methods=maps.METHOD_TH,
        levels=[(level.value, LEVEL_TH[level.value]) for level in maps.allowed_levels(unit)]
        if not (unit.kind == "area" and len(unit.code) == 8) else [],
        at_top=unit == Unit.of_scope(user) or unit.kind == "nation",
        can_see_households=may(user, Action.HOUSEHOLD_READ, unit=unit),
        tiles=current_app.config.get("BMN_MAP_TILES_URL"), attribution=ATTRIBUTION,
        args=request.args)
