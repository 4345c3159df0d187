"""The standard meeting reports as JSON, CSV or XLSX, for any area the caller may see."""
from __future__ import annotations

from flask.views import MethodView

from app.api_base import Blueprint
from app.auth.guard import require_unit
from app.auth.policy import Action, may
from app.units import Unit
from survey import access, exports, reports
from survey.households import get_round
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


def _target(args) -> tuple[SurveyRound, Unit]:
    """The round and the unit (an area, an LAO or the nation) the caller asked about."""
    return get_round(args["round"]), Unit.named(area=args["area"], lao=args["lao"])


def _file(kind: str, args, header, rows):
    name = f"{kind}-{args['round']}-{args['lao'] or args['area'] or 'TH'}"
    if args["format"] == "csv":
        return exports.csv_response(name, header, rows)
    return exports.xlsx_response(name, header, rows)


def _figures(as_json, round_, t: reports.Totals) -> dict:
    if t.suppressed:
        return {"suppressed": True, "households": None,
                "suppressed_households": t.suppressed_households,
                "message_th": reports.SUPPRESSED_TH}
    return {**as_json(round_, t), "partial_households": t.partial_households,
            "suppressed_households": t.suppressed_households}


@blp.route("/<any(population, indicators, 'income-expense'):kind>")
class AggregateReport(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200)
    def get(self, args, kind):
        """Population (sex × 5-year age band), indicators passing/failing, or income and
        expense averages, for an area or LAO, optionally broken down by child area; each
        says how many of its households are partial (``partial_households``: submitted with
        a reason for their missing answers, counted in every figure too). For
        callers without personal-data rights, villages with fewer households than the
        small-area threshold are left out of every figure (``small_areas`` says how many)."""
        round_, unit = _target(args)
        user = require_unit(Action.AGGREGATE_READ, unit)
        threshold = reports.small_area_threshold(user, unit, round_)
        whole, children = reports.totals(round_, unit, breakdown=args["breakdown"],
                                         min_households=threshold, parts=(kind,))
        as_json, as_table = AGGREGATE_REPORTS[kind]
        if args["format"] != "json":
            return _file(kind, args, *as_table(round_, unit, whole, children))
        body = {"round": round_.year, "unit": unit.as_dict(),
                "revision": whole.revision, "returned_households": whole.returned_households,
                "small_areas": {"threshold": threshold,
                                "households": whole.suppressed_households,
                                "villages": whole.suppressed_villages}}
        body.update(_figures(as_json, round_, whole))
        if args["breakdown"]:
            body["breakdown"] = [{"code": area.code, "name_th": area.name_th,
                                  **_figures(as_json, round_, t)} for area, t in children]
        return body


@blp.route("/income-failing")
class IncomeFailing(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200)
    def get(self, args):
        """Households below the income line (indicator 22), village by village. Names and
        national IDs only for roles allowed to see personal data."""
        round_, unit = _target(args)
        user = require_unit(Action.HOUSEHOLD_READ, unit)
        personal = may(user, Action.PERSONAL_DATA_READ, unit=unit)
        items = reports.failing_income_households(round_, unit, personal=personal,
                                                  visible=access.households_clause(user))
        if args["format"] != "json":
            header, rows = reports.failing_table(items, personal=personal)
            return _file("income-failing", args, header, rows)
        listed = list(items)
        return {"round": round_.year, "income_line": round_.income_line,
                "unit": unit.as_dict(),
                "households": len(listed), "items": listed}
