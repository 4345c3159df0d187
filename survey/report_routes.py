"""The standard meeting reports as JSON, CSV or XLSX, for any area the caller may see."""
from __future__ import annotations

from flask.views import MethodView

from app.api_base import Blueprint
from app.areas.queries import get_area, get_lao
from app.auth.guard import require
from app.auth.policy import Action, may
from app.errors import ApiError
from app.extensions import db
from survey import exports, reports
from survey.models import SurveyRound
from survey.schemas import ReportArgs

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports",
                description="Population, indicators, income/expense and indicator-22 reports")

# kind → (its JSON body from totals, its table for CSV/XLSX)
AGGREGATE_REPORTS = {
    "population": (lambda round_, t: reports.population(t), reports.population_table),
    "indicators": (lambda round_, t: {"households": t.households,
                                      "indicators": reports.indicators(round_, t)},
                   reports.indicators_table),
    "income-expense": (reports.income_expense, reports.income_expense_table),
}


def _target(args):
    """The round, the unit, and the scope target (area or LAO) the caller asked about."""
    round_ = db.session.get(SurveyRound, args["round"])
    if round_ is None:
        raise ApiError(404, "UNKNOWN_ROUND", f"no survey round {args['round']}")
    if args["lao"]:
        lao = get_lao(args["lao"])
        if lao is None:
            raise ApiError(404, "UNKNOWN_LAO", f"no LAO {args['lao']}")
        return round_, reports.unit_of(lao=lao), {"lao": lao}
    if args["area"]:
        area = get_area(args["area"])
        if area is None:
            raise ApiError(404, "UNKNOWN_AREA", f"no area {args['area']}")
        return round_, reports.unit_of(area=area), {"area": area}
    return round_, reports.unit_of(), {"nation": True}


def _file(kind: str, args, header, rows):
    name = f"{kind}-{args['round']}-{args['lao'] or args['area'] or 'TH'}"
    if args["format"] == "csv":
        return exports.csv_response(name, header, rows)
    return exports.xlsx_response(name, header, rows)


@blp.route("/<any(population, indicators, 'income-expense'):kind>")
class AggregateReport(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200)
    def get(self, args, kind):
        """Population (sex × 5-year age band), indicators passing/failing, or income and
        expense averages, for an area or LAO, optionally broken down by child area."""
        round_, unit, target = _target(args)
        require(Action.AGGREGATE_READ, **target)
        whole, children = reports.totals(round_, unit, breakdown=args["breakdown"])
        as_json, as_table = AGGREGATE_REPORTS[kind]
        if args["format"] != "json":
            return _file(kind, args, *as_table(round_, unit, whole, children))
        body = {"round": round_.year, "unit": {"code": unit.code, "name_th": unit.name_th,
                                               "kind": unit.kind},
                "revision": whole.revision, "returned_households": whole.returned_households}
        body.update(as_json(round_, whole))
        if args["breakdown"]:
            body["breakdown"] = [{"code": area.code, "name_th": area.name_th,
                                  **as_json(round_, t)} for area, t in children]
        return body


@blp.route("/income-failing")
class IncomeFailing(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200)
    def get(self, args):
        """Households below the income line (indicator 22), village by village. Names and
        national IDs only for roles allowed to see personal data."""
        round_, unit, target = _target(args)
        user = require(Action.HOUSEHOLD_READ, **target)
        personal = may(user, Action.PERSONAL_DATA_READ, **target)
        items = reports.failing_income_households(round_, unit, personal=personal)
        if args["format"] != "json":
            header, rows = reports.failing_table(items, personal=personal)
            return _file("income-failing", args, header, rows)
        listed = list(items)
        return {"round": round_.year, "income_line": round_.income_line,
                "unit": {"code": unit.code, "name_th": unit.name_th, "kind": unit.kind},
                "households": len(listed), "items": listed}
