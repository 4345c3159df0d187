"""Area registry API: an area with its ancestors, its children, name search, LAOs, and the
village/community register upload."""
from __future__ import annotations

from flask.views import MethodView

from app.api_base import Blueprint, PageArgs, csv_upload, page
from app.areas import queries
from app.areas.register import import_register
from app.areas.schemas import (
    AreaDetailSchema,
    AreaPageSchema,
    LaoSchema,
    RegisterUploadArgs,
    SearchArgs,
)
from app.auth.guard import require
from app.auth.policy import Action, may, visible_areas_clause
from app.errors import ErrorSchema, Problem

blp = Blueprint("areas_api", __name__, url_prefix="/api/v1",
                description="The area registry: provinces, districts, subdistricts, "
                            "villages/communities and local governments")


def area_or_404(code: str):
    area = queries.get_area(code)
    if area is None:
        raise Problem("UNKNOWN_AREA", code=code)
    return area


@blp.route("/areas/<code>")
class AreaDetail(MethodView):
    @blp.response(200, AreaDetailSchema)
    def get(self, code):
        """An area with its ancestors (province first)."""
        area = area_or_404(code)
        require(Action.AREA_READ, area=area)
        area.ancestors = queries.ancestors(area)
        return area


@blp.route("/areas/<code>/children")
class AreaChildren(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, AreaPageSchema)
    def get(self, args, code):
        """The areas directly below an area, limited to the caller's scope."""
        area = area_or_404(code)
        user = require(Action.AREA_READ, area=area)
        items, total = queries.children(code, visible_areas_clause(user), **args)
        return page(items, total, args["limit"], args["offset"])


@blp.route("/areas")
class AreaSearch(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, AreaPageSchema)
    def get(self, args):
        """Search areas by Thai or English name within the caller's scope."""
        user = require(Action.AREA_READ)
        items, total = queries.search(args.pop("q"), visible_areas_clause(user), **args)
        return page(items, total, args["limit"], args["offset"])


@blp.route("/laos/<code>")
class LaoDetail(MethodView):
    @blp.response(200, LaoSchema)
    def get(self, code):
        """A local government with the villages/communities registered to it."""
        lao = queries.get_lao(code)
        if lao is None:
            raise Problem("UNKNOWN_LAO", code=code)
        require(Action.AREA_READ, lao=lao)
        lao.areas = queries.lao_areas(code)
        return lao


@blp.route("/area-register")
class AreaRegister(MethodView):
    @blp.arguments(RegisterUploadArgs, location="query")
    @blp.response(200)
    @blp.alt_response(422, schema=ErrorSchema, description="Bad rows: nothing was applied")
    def post(self, args):
        """Import a village/community register CSV (multipart field ``file``).

        Every row must be valid and inside the caller's area, or nothing is applied and
        each bad row is listed with its line number, field and error code."""
        user = require(Action.REGISTER_IMPORT)
        return csv_upload(lambda data: import_register(
            data, dry_run=args["dry_run"],
            allowed=lambda sub: may(user, Action.REGISTER_IMPORT, area=sub)),
            invalid_code="REGISTER_INVALID")
