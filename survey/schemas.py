"""Request and response shapes of the survey API."""
import marshmallow as ma

from app.api_base import InputSchema, PageArgs, page_schema, round_year_field
from app.errors import ErrorSchema

VILLAGE_CODE = ma.validate.Regexp(r"^[0-9]{8}\Z", error="an 8-digit village/community code")


class GpsSchema(InputSchema):
    lat = ma.fields.Float(required=True, validate=ma.validate.Range(-90, 90))
    lon = ma.fields.Float(required=True, validate=ma.validate.Range(-180, 180))
    accuracy_m = ma.fields.Float(load_default=None, allow_none=True,
                                 validate=ma.validate.Range(min=0))


class SignoffSchema(InputSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    signed_at = ma.fields.AwareDateTime(required=True)
    signature_png = ma.fields.String(required=True, metadata={
        "description": "PNG image, base64 (a data: URL is accepted)"})
    enumerator_confirmed_at = ma.fields.AwareDateTime(load_default=None, metadata={
        "description": "when the enumerator confirmed, on the phone, that the household saw "
                       "its results and the record is true (the form's second signer)"})


class HouseholdInputSchema(InputSchema):
    """A household as the phone sends it. Members, answers and land use the questionnaire
    version's encoding (see ``GET /questionnaires/{version}``) and are checked against it."""

    client_uuid = ma.fields.UUID(required=True, metadata={
        "description": "Generated on the phone; the household's id. Replays are safe."})
    round = round_year_field(required=True)
    village_code = ma.fields.String(required=True, validate=VILLAGE_CODE)
    house_code = ma.fields.String(load_default=None, allow_none=True)
    house_number = ma.fields.String(load_default=None, allow_none=True)
    address = ma.fields.Dict(load_default=None, allow_none=True)
    residence_land = ma.fields.Dict(load_default=None, allow_none=True)
    occupation_land = ma.fields.Dict(load_default=None, allow_none=True)
    members = ma.fields.List(ma.fields.Raw(), required=True)
    answers = ma.fields.Dict(required=True)
    happiness = ma.fields.Raw(load_default=None, allow_none=True)
    incomplete_reason = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=32), metadata={
            "description": "Why required answers are missing, as the enumerator chose it: a "
                           "value of the questionnaire's code_lists.incomplete_reason (e.g. "
                           "refused_part). Without it, a household with an unanswered "
                           "required question is refused (422, ANSWER_REQUIRED on each "
                           "answers.<id>); with it, the household is stored as partial. "
                           "Dropped with a warning (REASON_NOT_NEEDED) when nothing is "
                           "missing."})
    incomplete_note = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=200), metadata={
            "description": "A short note on the reason; required when the reason's entry "
                           "has note_required (other)"})
    interviewed_on = ma.fields.Date(required=True)
    gps = ma.fields.Nested(GpsSchema, load_default=None, allow_none=True)
    gps_missing_reason = ma.fields.String(load_default=None, allow_none=True,
                                          validate=ma.validate.Length(max=200))
    head_signoff = ma.fields.Nested(SignoffSchema, load_default=None, allow_none=True)


# One instance for every request, every item of a batch and every line of an import:
# constructing a schema deep-copies its fields (three schemas for one household).
HOUSEHOLD_INPUT = HouseholdInputSchema()


class ReturnSchema(InputSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=2000))


class MoveSchema(InputSchema):
    village_code = ma.fields.String(required=True, validate=VILLAGE_CODE, metadata={
        "description": "The village/community the household really belongs to"})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=2000))


class HistorySchema(ma.Schema):
    at = ma.fields.DateTime()
    action = ma.fields.String(metadata={
        "description": "submitted, corrected, moved, returned or locked"})
    version = ma.fields.Integer()
    reason = ma.fields.String(allow_none=True)
    detail = ma.fields.Dict(allow_none=True, metadata={
        "description": "fields a correction changed (names, never values), villages a move "
                       "went between, incomplete_reason of a partial household"})
    actor_id = ma.fields.Integer(allow_none=True)
    actor_name = ma.fields.String(allow_none=True)
    actor_role = ma.fields.String()


class IndicatorResultSchema(ma.Schema):
    number = ma.fields.Integer()
    outcome = ma.fields.String(metadata={"description": "pass, fail, na or incomplete"})
    reason_th = ma.fields.String()


class MemberSchema(ma.Schema):
    line_no = ma.fields.Integer()
    is_head = ma.fields.Boolean()
    sex = ma.fields.String()
    age_years = ma.fields.Integer(allow_none=True)
    birth_date = ma.fields.String(allow_none=True, metadata={"description": "dd/mm/BE"})
    national_id_masked = ma.fields.String()
    attributes = ma.fields.Dict()
    # Only for roles that may see personal data.
    prefix = ma.fields.String(allow_none=True)
    first_name = ma.fields.String()
    last_name = ma.fields.String()
    national_id = ma.fields.String(allow_none=True)


class StoredWarningSchema(ma.Schema):
    """A check the household passed with a warning, as stored with it."""
    field = ma.fields.String()
    error_code = ma.fields.String(attribute="code")
    message = ma.fields.String(attribute="message_th")


class HouseholdSchema(ma.Schema):
    id = ma.fields.String()
    round = ma.fields.Integer(attribute="round_year")
    village_code = ma.fields.String()
    lao_code = ma.fields.String(allow_none=True)
    house_code = ma.fields.String(allow_none=True)
    # house_number, address, signed_by: only for roles allowed personal data.
    house_number = ma.fields.String(allow_none=True)
    address = ma.fields.Dict(allow_none=True)
    status = ma.fields.String()
    status_th = ma.fields.String()
    version = ma.fields.Integer()
    interviewed_on = ma.fields.Date()
    gps = ma.fields.Dict(allow_none=True)
    gps_missing_reason = ma.fields.String(allow_none=True)
    signed_by = ma.fields.String()
    signed_at = ma.fields.DateTime()
    enumerator_confirmed_at = ma.fields.DateTime(allow_none=True)
    member_count = ma.fields.Integer()
    members = ma.fields.List(ma.fields.Nested(MemberSchema))
    answers = ma.fields.Dict()
    happiness = ma.fields.Integer(allow_none=True)
    incomplete_reason = ma.fields.String(allow_none=True, metadata={
        "description": "null for a complete household; for a partial one, why answers "
                       "are missing"})
    incomplete_reason_th = ma.fields.String(allow_none=True)
    incomplete_note = ma.fields.String(allow_none=True)
    residence_land = ma.fields.Dict(allow_none=True)
    occupation_land = ma.fields.Dict(allow_none=True)
    indicators = ma.fields.List(ma.fields.Nested(IndicatorResultSchema))
    income_total = ma.fields.Integer(allow_none=True, metadata={
        "description": "null while an income item is unanswered"})
    expense_total = ma.fields.Integer(allow_none=True)
    income_per_person = ma.fields.Float(allow_none=True)
    rules_version = ma.fields.String(metadata={
        "description": "the questionnaire and rule engine that scored the household"})
    returned = ma.fields.Dict(allow_none=True)
    warnings = ma.fields.List(ma.fields.Nested(StoredWarningSchema))
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class HouseholdListArgs(PageArgs):
    round = round_year_field()
    village_code = ma.fields.String(validate=VILLAGE_CODE)
    status = ma.fields.String(validate=ma.validate.OneOf(
        ["submitted", "returned", "resubmitted", "locked"]))


class HouseholdSummarySchema(ma.Schema):
    id = ma.fields.String()
    round = ma.fields.Integer(attribute="round_year")
    village_code = ma.fields.String()
    house_code = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    version = ma.fields.Integer()
    member_count = ma.fields.Integer()
    income_per_person = ma.fields.Float(allow_none=True)
    incomplete_reason = ma.fields.String(allow_none=True)
    updated_at = ma.fields.DateTime()


HouseholdPageSchema = page_schema(HouseholdSummarySchema, "HouseholdPage")


class RoundSchema(ma.Schema):
    year = round_year_field(required=True)
    questionnaire_version = ma.fields.String(required=True,
                                             validate=ma.validate.Length(max=20))
    collection_start = ma.fields.Date(required=True)
    collection_end = ma.fields.Date(required=True)
    income_line = ma.fields.Integer(load_default=None,
                                    validate=ma.validate.Range(min=1, max=10_000_000))
    coverage_threshold_pct = ma.fields.Integer(load_default=None, validate=ma.validate.Range(
        min=0, max=100), metadata={"description": "share of target households a unit needs "
                                                  "before it can be certified (default 90)"})
    min_area_households = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(min=1, max=1000),
        metadata={"description": "for roles without personal-data rights, villages with "
                                 "fewer households are left out of aggregates (default 5)"})
    national_target = ma.fields.Integer(
        load_default=None, allow_none=True, validate=ma.validate.Range(min=0, max=20_000_000),
        metadata={"description": "households to collect nationwide (the provinces' "
                                 "allocations must add up to it)"})
    payment_rate = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(min=0, max=10_000),
        metadata={"description": "baht paid per accepted household (default 20)"})
    households_per_volunteer = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(min=1, max=1000),
        metadata={"description": "target households per volunteer before a load warning "
                                 "(default 40)"})
    min_participants = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(["lao", "district", "province"])),
        values=ma.fields.Integer(validate=ma.validate.Range(min=1, max=1000)),
        load_default=None, metadata={"description": "fewest meeting participants per tier "
                                                    "(default 20 each)"})


class RoundInputSchema(RoundSchema, InputSchema):
    pass


class AssignmentInputSchema(InputSchema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    area_code = ma.fields.String(required=True, validate=VILLAGE_CODE)


class MyVillageSchema(ma.Schema):
    code = ma.fields.String()
    name_th = ma.fields.String()
    level = ma.fields.String()
    lao_code = ma.fields.String(allow_none=True)
    lao_name_th = ma.fields.String(allow_none=True)
    target = ma.fields.Integer(allow_none=True)
    collected = ma.fields.Integer()
    returned = ma.fields.Integer()


class ReportArgs(InputSchema):
    round = round_year_field(required=True)
    area = ma.fields.String(load_default=None, metadata={
        "description": "Area code (province, district, subdistrict, village); the nation "
                       "when neither area nor lao is given"})
    lao = ma.fields.String(load_default=None, metadata={"description": "An LAO code instead"})
    breakdown = ma.fields.Boolean(load_default=False, metadata={
        "description": "Also one row per child area (per district for a province …)"})
    format = ma.fields.String(load_default="json",
                              validate=ma.validate.OneOf(["json", "csv", "xlsx"]))


BATCH_LIMIT = 100  # households per batch: a phone's outbox after a few days offline


class HouseholdBatchSchema(InputSchema):
    items = ma.fields.List(ma.fields.Dict(), required=True,
                           validate=ma.validate.Length(min=1, max=BATCH_LIMIT), metadata={
                               "description": "households as POST /households takes them"})


class HouseholdAckSchema(ma.Schema):
    """What a phone needs back for a stored household; the full record is at GET."""
    id = ma.fields.String()
    version = ma.fields.Integer()
    etag = ma.fields.String()
    status = ma.fields.String()
    incomplete_reason = ma.fields.String(allow_none=True)
    indicators = ma.fields.List(ma.fields.Nested(IndicatorResultSchema),
                                attribute="indicator_results")
    warnings = ma.fields.List(ma.fields.Nested(StoredWarningSchema))


def household_ack(stored) -> dict:
    """What ``HouseholdAckSchema`` dumps of a stored household, built directly: a batch
    answers a hundred of them, and dumping 31 results each through the schema was about
    5 % of a batch's CPU (a test holds the two equal)."""
    return {"id": stored.id, "version": stored.version, "etag": stored.etag,
            "status": stored.status, "incomplete_reason": stored.incomplete_reason,
            "indicators": [{"number": r["number"], "outcome": r["outcome"],
                            "reason_th": r["reason_th"]} for r in stored.indicator_results],
            "warnings": [{"field": w["field"], "error_code": w["code"],
                          "message": w["message_th"]} for w in stored.warnings]}


class BatchItemResultSchema(ma.Schema):
    index = ma.fields.Integer(metadata={"description": "the item's place in ``items``"})
    client_uuid = ma.fields.String(allow_none=True)
    status = ma.fields.Integer(metadata={
        "description": "as for POST /households: 201 stored, 200 a replay, 409, 422, 403…"})
    household = ma.fields.Nested(HouseholdAckSchema, allow_none=True)
    error = ma.fields.Nested(ErrorSchema, allow_none=True)


class HouseholdBatchResultSchema(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(BatchItemResultSchema))
