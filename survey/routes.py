"""Survey API: questionnaire definitions and households. Routes parse, authorise and
serialise; the rules are in ``survey.households``."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from sqlalchemy import func, select

from app.api_base import Blueprint, csv_upload, page
from app.areas.queries import get_area
from app.auth.guard import require
from app.auth.models import User
from app.auth.policy import Action, may, scope_clause
from app.errors import ApiError
from app.extensions import db
from app.personal_data import decrypt
from survey import households as service
from survey import planning
from survey.models import STATUS_TH, Household, HouseholdStatus, SurveyRound
from survey.questionnaires import UnknownQuestionnaireVersion, get_version
from survey.schemas import (
    AssignmentInputSchema,
    HouseholdInputSchema,
    HouseholdListArgs,
    HouseholdPageSchema,
    HouseholdSchema,
    MyVillageSchema,
    ReturnSchema,
    RoundInputSchema,
    RoundSchema,
)

blp = Blueprint("survey_api", __name__, url_prefix="/api/v1",
                description="Questionnaires and household submissions")


@blp.route("/questionnaires/<version>")
class Questionnaire(MethodView):
    @blp.response(200)
    def get(self, version):
        """The questionnaire definition a phone renders the form from."""
        require(Action.AREA_READ)
        try:
            return get_version(version).to_dict()
        except UnknownQuestionnaireVersion as exc:
            raise ApiError(404, "UNKNOWN_QUESTIONNAIRE", f"no questionnaire {version!r}") \
                from exc


def _household_and_user(household_id: str, action: Action):
    """The household, and the caller if they may do ``action`` on its village."""
    household = db.session.get(Household, household_id)
    if household is None:
        raise ApiError(404, "UNKNOWN_HOUSEHOLD", f"no household {household_id}",
                       message_th="ไม่พบข้อมูลครัวเรือนนี้")
    return household, require(action, area=get_area(household.village_code))


def _view(household: Household, user, warnings=(), indicators=None) -> dict:
    """The household as the caller may see it: names and national IDs only for roles
    allowed personal data."""
    personal = may(user, Action.PERSONAL_DATA_READ, area=get_area(household.village_code))
    members = []
    for m in household.members:
        member = {"line_no": m.line_no, "is_head": m.is_head, "sex": m.sex,
                  "age_years": m.age_years, "national_id_masked": m.national_id_masked,
                  "attributes": m.attributes}
        if personal:
            member.update(prefix=m.prefix, first_name=m.first_name, last_name=m.last_name,
                          national_id=decrypt(m.national_id_encrypted),
                          birth_date=service.format_be_date(m.birth_date))
        members.append(member)
    returned = None
    if household.returned_at is not None:
        by = db.session.get(User, household.returned_by_id)
        returned = {"reason": household.return_reason, "by": household.returned_by_id,
                    "by_name": by.display_name if by else None, "by_role_th": by.role_th
                    if by else None, "at": household.returned_at.isoformat()}
    gps = None
    if household.gps_lat is not None:
        gps = {"lat": household.gps_lat, "lon": household.gps_lon,
               "accuracy_m": household.gps_accuracy_m}
    fields = {name: getattr(household, name) for name in (
        "id", "round_year", "village_code", "lao_code", "house_code", "house_number",
        "address", "status", "version", "interviewed_on", "gps_missing_reason", "signed_by",
        "signed_at", "member_count", "answers", "happiness", "residence_land",
        "occupation_land", "income_total", "expense_total", "income_per_person",
        "created_at", "updated_at")}
    return {**fields, "status_th": STATUS_TH[HouseholdStatus(household.status)], "gps": gps,
            "members": members,
            "indicators": indicators or service.indicator_results(household),
            "returned": returned, "warnings": list(warnings)}


def _etag_headers(household: Household) -> dict:
    return {"ETag": service.etag(household)}


@blp.route("/households")
class Households(MethodView):
    @blp.arguments(HouseholdInputSchema)
    @blp.response(201, HouseholdSchema)
    @blp.alt_response(200, schema=HouseholdSchema, description="A replay: the stored record")
    @blp.alt_response(409, description="Another payload under this UUID, or the house code "
                                       "is already recorded in the round")
    def post(self, payload):
        """Submit a household. Safe to repeat: the same payload under the same
        ``client_uuid`` returns the stored record (200) instead of a second one."""
        user = require(Action.HOUSEHOLD_WRITE, area=get_area(payload["village_code"]))
        result = service.submit(user, payload, request.get_json())
        status = 201 if result.created else 200
        return _view(result.household, user, result.warnings, result.indicators), status, \
            _etag_headers(result.household)

    @blp.arguments(HouseholdListArgs, location="query")
    @blp.response(200, HouseholdPageSchema)
    def get(self, args):
        """Households within the caller's scope, newest first."""
        user = require(Action.HOUSEHOLD_READ)
        query = select(Household).where(scope_clause(user, Action.HOUSEHOLD_READ,
                                                     Household.village_code,
                                                     Household.lao_code))
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
        """One household, with its indicator results and reasons."""
        household, user = _household_and_user(household_id, Action.HOUSEHOLD_READ)
        return _view(household, user), 200, _etag_headers(household)

    @blp.arguments(HouseholdInputSchema)
    @blp.response(200, HouseholdSchema)
    @blp.alt_response(412, description="If-Match names an older version")
    @blp.alt_response(428, description="If-Match is missing")
    def put(self, payload, household_id):
        """Correct a household (send ``If-Match`` with its ETag). A returned household
        becomes resubmitted; a locked one cannot change."""
        household, _ = _household_and_user(household_id, Action.HOUSEHOLD_WRITE)
        user = require(Action.HOUSEHOLD_WRITE, area=get_area(payload["village_code"]))
        result = service.correct(user, household, payload, request.headers.get("If-Match"))
        return _view(result.household, user, result.warnings, result.indicators), 200, \
            _etag_headers(result.household)


@blp.route("/households/<household_id>/return")
class HouseholdReturn(MethodView):
    @blp.arguments(ReturnSchema)
    @blp.response(200, HouseholdSchema)
    def post(self, args, household_id):
        """Return a household for correction to the enumerators of its village."""
        household, user = _household_and_user(household_id, Action.RETURN_FOR_CORRECTION)
        service.return_for_correction(user, household, args["reason"])
        return _view(household, user), 200, _etag_headers(household)


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
        """Open (or reconfigure) a round: questionnaire version, window, income line."""
        require(Action.ROUND_MANAGE)
        try:
            return planning.create_round(args["year"], args["questionnaire_version"],
                                         args["collection_start"], args["collection_end"],
                                         args["income_line"])
        except ValueError as exc:
            raise ApiError(422, "INVALID_ROUND", str(exc)) from exc


def _round_or_404(year: int) -> SurveyRound:
    round_ = db.session.get(SurveyRound, year)
    if round_ is None:
        raise ApiError(404, "UNKNOWN_ROUND", f"no survey round {year}")
    return round_


@blp.route("/rounds/<int:year>/targets")
class Targets(MethodView):
    @blp.response(200)
    @blp.alt_response(422, description="Bad rows: nothing was saved")
    def post(self, year):
        """Set target household counts from a CSV (multipart ``file``, columns
        ``village_code,target_households``): all rows or none."""
        user = require(Action.REGISTER_IMPORT)
        round_ = _round_or_404(year)
        return csv_upload(lambda data: planning.import_targets(
            round_, data, allowed=lambda area: may(user, Action.REGISTER_IMPORT, area=area)),
            invalid_code="TARGETS_INVALID")


@blp.route("/rounds/<int:year>/assignments")
class Assignments(MethodView):
    @blp.arguments(AssignmentInputSchema)
    @blp.response(201)
    def post(self, args, year):
        """Assign an enumerator to a village/community."""
        round_ = _round_or_404(year)
        area = get_area(args["area_code"])
        if area is None:
            raise ApiError(404, "UNKNOWN_AREA", f"no area {args['area_code']}")
        require(Action.ASSIGNMENT_MANAGE, area=area)
        enumerator = db.session.scalar(select(User).where(User.username == args["username"]))
        if enumerator is None:
            raise ApiError(404, "UNKNOWN_USER", f"no user {args['username']!r}")
        planning.assign(round_, enumerator, area)
        return {"round": year, "area_code": area.code, "username": enumerator.username}


@blp.route("/rounds/<int:year>/my-villages")
class MyVillages(MethodView):
    @blp.response(200, MyVillageSchema(many=True))
    def get(self, year):
        """The caller's assigned villages/communities with progress (collected / target)."""
        user = require(Action.HOUSEHOLD_WRITE)
        _round_or_404(year)
        return planning.my_villages(user, year)
