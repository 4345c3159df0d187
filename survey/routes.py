"""Survey API: questionnaire definitions and households. Routes parse, authorise and
serialise; the rules are in ``survey.households`` (operations that flush) and the routes
commit."""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask.views import MethodView
from sqlalchemy import func, select

from app.api_base import Blueprint, committed, csv_upload, page, request_json
from app.areas.queries import get_area
from app.auth.guard import require
from app.auth.policy import Action, may
from app.errors import ErrorSchema, Problem
from app.extensions import db
from survey import access, planning, questionnaire_document, submission
from survey import household_views as views
from survey import households as service
from survey.models import (
    Household,
    SurveyRound,
)
from survey.questionnaires import UnknownQuestionnaireVersion
from survey.schemas import (
    HOUSEHOLD_INPUT,
    AssignmentInputSchema,
    HistorySchema,
    HouseholdAckSchema,
    HouseholdListArgs,
    HouseholdPageSchema,
    HouseholdSchema,
    MoveSchema,
    MyVillageSchema,
    ReturnSchema,
    RoundInputSchema,
    RoundSchema,
    household_ack,
)

blp = Blueprint("survey_api", __name__, url_prefix="/api/v1",
                description="Questionnaires and household submissions")



@blp.route("/questionnaires/<version>")
class Questionnaire(MethodView):
    @blp.response(200)
    @blp.alt_response(304, description="If-None-Match names the current ETag")
    def get(self, version):
        """The questionnaire definition a phone renders the form from. It changes only
        with a deploy: send its ``ETag`` as ``If-None-Match`` to get 304 instead of the
        200 KB again. (The app's service worker precaches the same document from
        ``/collect/questionnaires/{version}.json``.)"""
        require(Action.AREA_READ)
        try:
            return questionnaire_document.respond(version, cache_control="private, no-cache")
        except UnknownQuestionnaireVersion as exc:
            raise Problem("UNKNOWN_QUESTIONNAIRE", version=version) from exc


def _etag_headers(household: Household) -> dict:
    return {"ETag": service.etag(household)}


@blp.route("/households")
class Households(MethodView):
    @blp.arguments(HOUSEHOLD_INPUT)
    @blp.response(201, HouseholdAckSchema)
    @blp.alt_response(200, schema=HouseholdAckSchema,
                      description="A replay: the stored household's acknowledgement")
    @blp.alt_response(409, schema=ErrorSchema, description="Another payload under this UUID, or the house code "
                                       "is already recorded in the round")
    def post(self, payload):
        """Submit a household. Safe to repeat: the same payload under the same
        ``client_uuid`` answers the stored household (200) instead of storing a second one.
        The answer is a short acknowledgement (id, version, ETag, the 31 results, warnings);
        the full record is at ``GET /households/{id}`` (the ``Location`` header)."""
        user = require(Action.HOUSEHOLD_WRITE)
        where = submission.target(user, payload["round"], payload["village_code"])
        require(Action.HOUSEHOLD_WRITE, area=where.village)
        item = submission.Item(payload, request_json(), where)
        stored = committed(lambda: submission.submit(user, item))
        return jsonify(household_ack(stored)), 201 if stored.created else 200, {
            "ETag": stored.etag,
            "Location": url_for("survey_api.HouseholdDetail", household_id=stored.id)}

    @blp.arguments(HouseholdListArgs, location="query")
    @blp.response(200, HouseholdPageSchema)
    def get(self, args):
        """Households within the caller's scope (an enumerator's: their assigned villages),
        newest first."""
        user = require(Action.HOUSEHOLD_READ)
        query = select(Household).where(access.households_clause(user))
        for name, column in (("round", Household.round_year),
                             ("village_code", Household.village_code),
                             ("status", Household.status)):
            if name in args:
                query = query.where(column == args[name])
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        items = db.session.scalars(query.order_by(Household.updated_at.desc(), Household.id)
                                   .limit(args["limit"]).offset(args["offset"])).all()
        return page(items, total, args["limit"], args["offset"])


@blp.route("/households/<household_id>")
class HouseholdDetail(MethodView):
    @blp.response(200, HouseholdSchema)
    def get(self, household_id):
        """One household, with its indicator results and reasons as scored when stored."""
        household, user = views.household_for(household_id, Action.HOUSEHOLD_READ)
        return views.household_view(household, user), 200, _etag_headers(household)

    @blp.arguments(HOUSEHOLD_INPUT)
    @blp.response(200, HouseholdSchema)
    @blp.alt_response(412, schema=ErrorSchema, description="If-Match names an older version")
    @blp.alt_response(428, schema=ErrorSchema, description="If-Match is missing")
    def put(self, payload, household_id):
        """Correct a household (send ``If-Match`` with its ETag). A returned household
        becomes resubmitted; a locked one cannot change; the village cannot change here
        (see ``/move``)."""
        if_match = request.headers.get("If-Match")

        def operation():
            household, user = views.household_for(household_id, Action.HOUSEHOLD_WRITE)
            return service.correct(user, household, payload, if_match), user
        household, user = committed(operation)
        return views.household_view(household, user), 200, _etag_headers(household)


@blp.route("/households/<household_id>/move")
class HouseholdMove(MethodView):
    @blp.arguments(MoveSchema)
    @blp.response(200, HouseholdSchema)
    @blp.alt_response(412, schema=ErrorSchema, description="If-Match names an older version")
    @blp.alt_response(428, schema=ErrorSchema, description="If-Match is missing")
    def post(self, args, household_id):
        """Move a household recorded under the wrong village/community to another one of
        the same round, with a reason (send ``If-Match``). The caller must be allowed on
        both villages; the move is in the household's history."""
        if_match = request.headers.get("If-Match")

        def operation():
            household, user = views.household_for(household_id, Action.HOUSEHOLD_MOVE)
            village = service.get_village(args["village_code"])
            require(Action.HOUSEHOLD_MOVE, area=village)
            return service.move(user, household, village, args["reason"], if_match), user
        household, user = committed(operation)
        return views.household_view(household, user), 200, _etag_headers(household)


@blp.route("/households/<household_id>/return")
class HouseholdReturn(MethodView):
    @blp.arguments(ReturnSchema)
    @blp.response(200, HouseholdSchema)
    def post(self, args, household_id):
        """Return a household for correction to the enumerators of its village."""
        def operation():
            household, user = views.household_for(household_id, Action.RETURN_FOR_CORRECTION)
            return service.return_for_correction(user, household, args["reason"]), user
        household, user = committed(operation)
        return views.household_view(household, user), 200, _etag_headers(household)


@blp.route("/households/<household_id>/history")
class HouseholdHistoryList(MethodView):
    @blp.response(200, HistorySchema(many=True))
    def get(self, household_id):
        """Every change to the household, oldest first: who (name and role), when, what
        (fields changed, villages moved between) and why."""
        household, _ = views.household_for(household_id, Action.HOUSEHOLD_READ)
        return views.history(household)


@blp.route("/rounds")
class Rounds(MethodView):
    @blp.response(200, RoundSchema(many=True))
    def get(self):
        """Survey rounds, newest first."""
        require(Action.AREA_READ)
        return db.session.scalars(select(SurveyRound).order_by(SurveyRound.year.desc())).all()

    @blp.arguments(RoundInputSchema)
    @blp.response(201, RoundSchema)
    def post(self, args):
        """Open (or reconfigure) a round: questionnaire version, window, income line, and
        the settings for certification, small areas, payment and volunteers' load."""
        require(Action.ROUND_MANAGE)
        return committed(lambda: planning.create_round(
            args["year"], args["questionnaire_version"], args["collection_start"],
            args["collection_end"], args["income_line"],
            min_participants=args["min_participants"],
            **{name: args[name] for name in planning.ROUND_SETTINGS}))


@blp.route("/rounds/<int(min=2500, max=2700):year>/targets")
class Targets(MethodView):
    @blp.response(200)
    @blp.alt_response(422, schema=ErrorSchema, description="Bad rows: nothing was saved")
    def post(self, year):
        """Set target household counts from a CSV (multipart ``file``, columns
        ``village_code,target_households``): all rows or none."""
        user = require(Action.REGISTER_IMPORT)
        round_ = service.get_round(year)
        return csv_upload(lambda data: planning.import_targets(
            round_, data, allowed=lambda area: may(user, Action.REGISTER_IMPORT, area=area)),
            invalid_code="TARGETS_INVALID")


@blp.route("/rounds/<int(min=2500, max=2700):year>/assignments")
class Assignments(MethodView):
    @blp.arguments(AssignmentInputSchema)
    @blp.response(201)
    def post(self, args, year):
        """Assign an enumerator of your area to a village/community. Any username that is
        not an enumerator of your area gets the same answer (422 UNKNOWN_ENUMERATOR)."""
        round_ = service.get_round(year)
        area = get_area(args["area_code"])
        if area is None:
            raise Problem("UNKNOWN_AREA", code=args["area_code"])
        user = require(Action.ASSIGNMENT_MANAGE, area=area)
        enumerator = access.enumerator_in_scope(user, args["username"])
        if enumerator is None:
            raise Problem("UNKNOWN_ENUMERATOR", username=args["username"],
                          errors={"username": ["no enumerator of this name in your area"]})
        committed(lambda: planning.assign(round_, enumerator, area))
        return {"round": year, "area_code": area.code, "username": enumerator.username}


@blp.route("/rounds/<int(min=2500, max=2700):year>/my-villages")
class MyVillages(MethodView):
    @blp.response(200, MyVillageSchema(many=True))
    def get(self, year):
        """The caller's assigned villages/communities with progress (collected / target)."""
        user = require(Action.HOUSEHOLD_WRITE)
        service.get_round(year)
        return planning.my_villages(user, year)
