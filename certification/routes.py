"""Certification API: units with their gates and state, certify / accept, return an LAO
unit or chosen households, the log, meeting packs and minutes, quality issues, national
progress. Routes parse, authorise and serialise; the rules are in ``services``."""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from app.api_base import Blueprint, committed, page
from app.areas.queries import get_area
from app.auth.guard import require
from app.auth.policy import Action
from app.errors import ErrorSchema, Problem
from app.extensions import db
from app.units import Unit
from certification import log, packs, queries, services, snapshot
from certification.models import Decision
from certification.schemas import (
    CertifySchema,
    DecisionSchema,
    EventSchema,
    ProgressSchema,
    QualityIssueListArgs,
    QualityIssuePageSchema,
    QualityIssueSchema,
    ResolveSchema,
    ReturnHouseholdsSchema,
    ReturnUnitSchema,
    RoundArgs,
    UnitListArgs,
    UnitPageSchema,
    UnitSchema,
)
from certification.units import UnitStatus
from certification.workflow import State, Tier
from survey import exports, quality
from survey.households import get_round

blp = Blueprint("certification_api", __name__, url_prefix="/api/v1/certification",
                description="Tiered certification: LAO → district → province → department")

UNIT = "/units/<any(lao, district, province, department):tier>/<code>"


def _unit(year: int, tier: str, code: str) -> tuple:
    """The round, the unit and the caller, if the unit lies in the caller's scope (a unit
    outside it answers like one that does not exist)."""
    user = require(Action.AGGREGATE_READ)
    round_ = get_round(year)
    status = services.find_unit(round_, Tier(tier), code)
    if not services.may_see(user, status):
        raise Problem("UNKNOWN_UNIT", tier=tier, code=code, year=year)
    return round_, status, user


def _unit_body(user, round_, status: UnitStatus) -> dict:
    body = queries.view(status, detail=True)
    body["returned_households"] = queries.returned_households(user, round_, status)
    return body


@blp.route("/units")
class Units(MethodView):
    @blp.arguments(UnitListArgs, location="query")
    @blp.response(200, UnitPageSchema)
    def get(self, args):
        """The units in the caller's scope with their state, coverage and failing gates,
        highest tier first (filter by tier, state; nation-wide users by province)."""
        user = require(Action.AGGREGATE_READ)
        round_ = get_round(args["round"])
        found = queries.units_for(user, round_, tier=Tier(args["tier"]) if "tier" in args
                                  else None, state=State(args["state"]) if "state" in args
                                  else None, province=args.get("province"))
        chosen = found[args["offset"]:args["offset"] + args["limit"]]
        return page([queries.view(u) for u in chosen], len(found), args["limit"],
                    args["offset"])


@blp.route(UNIT)
class UnitDetail(MethodView):
    @blp.arguments(RoundArgs, location="query")
    @blp.response(200, UnitSchema)
    def get(self, args, tier, code):
        """One unit: gates, state, latest decision, its units below, and its households
        waiting for correction. The ETag is the unit's data revision (send it as If-Match
        to certify exactly what you looked at)."""
        round_, status, user = _unit(args["round"], tier, code)
        return _unit_body(user, round_, status), 200, {"ETag": status.etag}


@blp.route(UNIT + "/certify")
class Certify(MethodView):
    @blp.arguments(RoundArgs, location="query")
    @blp.arguments(CertifySchema)
    @blp.response(201, DecisionSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="A gate fails, or already "
                                                           "certified")
    @blp.alt_response(412, schema=ErrorSchema, description="The data changed meanwhile")
    @blp.alt_response(428, schema=ErrorSchema, description="If-Match is missing")
    def post(self, args, body, tier, code):
        """Certify the unit with its meeting (at the department tier: accept the province).
        Certifying an LAO locks its households."""
        if_match = request.headers.get("If-Match")

        def operation():
            round_, status, user = _unit(args["round"], tier, code)
            return services.certify(user, round_, status, if_match=if_match,
                                    meeting=body["meeting"])
        return committed(operation)


@blp.route(UNIT + "/return")
class ReturnUnit(MethodView):
    @blp.arguments(RoundArgs, location="query")
    @blp.arguments(ReturnUnitSchema)
    @blp.response(201, DecisionSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="The unit is not certified")
    def post(self, args, body, tier, code):
        """Send a certified LAO unit back to the LAO tier with a reason (district or
        province officers). Its households reopen; the certifications above it go stale."""
        def operation():
            round_, status, user = _unit(args["round"], tier, code)
            return services.return_unit(user, round_, status, body["reason"])
        return committed(operation)


@blp.route("/returns")
class ReturnHouseholds(MethodView):
    @blp.arguments(ReturnHouseholdsSchema)
    @blp.response(201)
    def post(self, body):
        """Return chosen households for correction, each with its reason (district or
        province officers). They reach the enumerators of their villages."""
        user = require(Action.RETURN_FOR_CORRECTION)
        round_ = get_round(body["round"])
        returned = committed(lambda: services.return_households(
            user, round_, [(item["id"], item["reason"]) for item in body["households"]]))
        return {"returned": [h.id for h in returned]}


@blp.route(UNIT + "/events")
class UnitEvents(MethodView):
    @blp.arguments(RoundArgs, location="query")
    @blp.response(200, EventSchema(many=True))
    def get(self, args, tier, code):
        """The unit's entries in the tamper-evident log, oldest first."""
        round_, status, _ = _unit(args["round"], tier, code)
        return queries.events_of(round_, status)


def _pack(args, tier, code, kind: str):
    round_, status, user = _unit(args["round"], tier, code)
    taken = snapshot.take(round_, status)
    failing = services.failing_list(user, round_, status)
    name = f"pack-{round_.year}-{status.tier.value}-{status.code}"
    if kind == "xlsx":
        return exports.xlsx_book_response(name, packs.sheets(round_, status, taken, failing))
    return _pdf(name, packs.pdf(round_, status, taken, failing=failing))


def _pdf(name: str, data: bytes) -> Response:
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}.pdf"'})


@blp.route(UNIT + "/pack.pdf")
class PackPdf(MethodView):
    @blp.arguments(RoundArgs, location="query")
    @blp.response(200, content_type="application/pdf")
    def get(self, args, tier, code):
        """The meeting pack as it stands now, in Thai (names only for roles allowed)."""
        return _pack(args, tier, code, "pdf")


@blp.route(UNIT + "/pack.xlsx")
class PackXlsx(MethodView):
    @blp.arguments(RoundArgs, location="query")
    @blp.response(200, content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")
    def get(self, args, tier, code):
        """The meeting pack's tables as an XLSX workbook."""
        return _pack(args, tier, code, "xlsx")


def _decision(decision_id: int) -> tuple[Decision, object]:
    user = require(Action.AGGREGATE_READ)
    decision = db.session.get(Decision, decision_id)
    if decision is not None:
        round_ = get_round(decision.round_year)
        status = services.find_unit(round_, Tier(decision.tier), decision.unit_code)
        if services.may_see(user, status):
            return decision, user
    raise Problem("UNKNOWN_DECISION", id=decision_id)


@blp.route("/decisions/<int(max=2147483647):decision_id>")
class DecisionDetail(MethodView):
    @blp.response(200, DecisionSchema)
    def get(self, decision_id):
        """One decision: who, when, the meeting, the gates, the hashes of its documents."""
        return _decision(decision_id)[0]


@blp.route("/decisions/<int(max=2147483647):decision_id>/pack.pdf")
class DecisionPack(MethodView):
    @blp.response(200, content_type="application/pdf")
    def get(self, decision_id):
        """The pack stored when the unit was certified (its SHA-256 is in the log)."""
        decision, _ = _decision(decision_id)
        if decision.pack_pdf is None:
            raise Problem("UNKNOWN_DECISION", id=decision_id)
        return _pdf(f"certified-{decision.round_year}-{decision.tier}-{decision.unit_code}",
                    decision.pack_pdf)


@blp.route("/decisions/<int(max=2147483647):decision_id>/minutes")
class DecisionMinutes(MethodView):
    @blp.response(200, content_type="application/pdf")
    def get(self, decision_id):
        """The signed minutes, as uploaded."""
        decision, _ = _decision(decision_id)
        if decision.minutes_pdf is None:
            raise Problem("UNKNOWN_DECISION", id=decision_id)
        return _pdf(f"minutes-{decision.id}", decision.minutes_pdf)

    @blp.response(201, DecisionSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Minutes already attached")
    @blp.alt_response(422, schema=ErrorSchema, description="Not a PDF")
    def post(self, decision_id):
        """Attach the signed minutes (multipart ``file``, a PDF), once."""
        upload = request.files.get("file")
        if upload is None:
            raise Problem("NOT_A_PDF", errors={"file": ["required"]})
        data = upload.read()

        def operation():
            decision, user = _decision(decision_id)
            return services.attach_minutes(user, decision, data)
        return committed(operation)


def _issue_view(issue, households: list[dict] | None = None) -> dict:
    return {"id": issue.id, "round_year": issue.round_year, "kind": issue.kind,
            "kind_th": quality.KIND_TH.get(issue.kind, issue.kind),
            "household_id": issue.household_id, "other_household_id": issue.other_household_id,
            "village_code": issue.village_code, "detail": issue.detail,
            "created_at": issue.created_at, "resolved_at": issue.resolved_at,
            "resolution": issue.resolution, "households": households or []}


@blp.route("/issues")
class Issues(MethodView):
    @blp.arguments(QualityIssueListArgs, location="query")
    @blp.response(200, QualityIssuePageSchema)
    def get(self, args):
        """Quality issues in the caller's scope, by area or LAO and kind (open ones by
        default)."""
        user = require(Action.HOUSEHOLD_READ)
        unit = Unit.named(area=args.get("area"), lao=args.get("lao"))
        items, total = quality.list_issues(user, args["round"], unit, kind=args.get("kind"),
                                           open_only=args["open"], limit=args["limit"],
                                           offset=args["offset"])
        return page([_issue_view(i) for i in items], total, args["limit"], args["offset"])


@blp.route("/issues/<int(max=2147483647):issue_id>")
class IssueDetail(MethodView):
    @blp.response(200, QualityIssueSchema)
    def get(self, issue_id):
        """One issue with the households concerned (as the caller may see them)."""
        user = require(Action.HOUSEHOLD_READ)
        issue = quality.get_issue(user, issue_id)
        return _issue_view(issue, services.issue_households(user, issue))


@blp.route("/issues/<int(max=2147483647):issue_id>/resolve")
class IssueResolve(MethodView):
    @blp.arguments(ResolveSchema)
    @blp.response(200, QualityIssueSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Already resolved")
    def post(self, body, issue_id):
        """Settle an issue with a note (who and when are recorded, and logged)."""
        def operation():
            user = require(Action.QUALITY_RESOLVE)
            issue = quality.get_issue(user, issue_id)
            require(Action.QUALITY_RESOLVE, area=get_area(issue.village_code))
            services.resolve_issue(user, issue, body["note"])
            return issue
        return _issue_view(committed(operation))


@blp.route("/progress")
class Progress(MethodView):
    @blp.arguments(RoundArgs, location="query")
    @blp.response(200, ProgressSchema)
    def get(self, args):
        """National progress toward the department's goal: the share of the round's
        households in provinces the department accepted, province by province."""
        require(Action.AGGREGATE_READ, nation=True)
        return queries.national_progress(get_round(args["round"]))


@blp.route("/log/verify")
class VerifyLog(MethodView):
    @blp.response(200)
    def get(self):
        """Recompute the whole hash chain (department admin): how many events, and the
        first one that does not hold, if any."""
        require(Action.CERTIFY, nation=True)
        result = log.verify()
        return {"ok": result.ok, "events": result.events, "broken_at": result.broken_at,
                "problem": result.problem}

