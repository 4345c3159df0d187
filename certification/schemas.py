"""Request and response shapes of the certification API."""
import marshmallow as ma

from app.api_base import InputSchema, PageArgs, page_schema, round_year_field
from certification.workflow import State, Tier

TIERS = [t.value for t in Tier]
TEXT = ma.validate.Length(min=1, max=200)
REASON = ma.validate.Length(min=3, max=2000)


class RoundArgs(InputSchema):
    round = round_year_field(required=True)


class UnitListArgs(PageArgs):
    round = round_year_field(required=True)
    tier = ma.fields.String(validate=ma.validate.OneOf(TIERS))
    state = ma.fields.String(validate=ma.validate.OneOf([s.value for s in State]))
    province = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{2}\Z"), metadata={
        "description": "for nation-wide users: one province's units"})


class GateSchema(ma.Schema):
    name = ma.fields.String()
    label_th = ma.fields.String()
    value = ma.fields.String()
    threshold = ma.fields.String()
    passed = ma.fields.Boolean()


class ParticipantSchema(InputSchema):
    name = ma.fields.String(required=True, validate=TEXT)
    position = ma.fields.String(required=True, validate=TEXT)


class MeetingSchema(InputSchema):
    date = ma.fields.Date(required=True)
    place = ma.fields.String(required=True, validate=TEXT)
    participants = ma.fields.List(ma.fields.Nested(ParticipantSchema), required=True,
                                  validate=ma.validate.Length(max=500))


class CertifySchema(InputSchema):
    meeting = ma.fields.Nested(MeetingSchema, load_default=None, metadata={
        "description": "required at the LAO, district and province tiers"})


class ReturnUnitSchema(InputSchema):
    reason = ma.fields.String(required=True, validate=REASON)


class ReturnItemSchema(InputSchema):
    id = ma.fields.String(required=True, validate=ma.validate.Length(max=36))
    reason = ma.fields.String(required=True, validate=REASON)


class ReturnHouseholdsSchema(InputSchema):
    round = round_year_field(required=True)
    households = ma.fields.List(ma.fields.Nested(ReturnItemSchema), required=True,
                                validate=ma.validate.Length(min=1, max=500))


class DecisionSchema(ma.Schema):
    id = ma.fields.Integer()
    round = ma.fields.Integer(attribute="round_year")
    tier = ma.fields.String()
    unit_code = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "certified, returned or accepted"})
    data_revision = ma.fields.String()
    at = ma.fields.DateTime()
    actor_role = ma.fields.String()
    meeting = ma.fields.Dict(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    gates = ma.fields.List(ma.fields.Nested(GateSchema), allow_none=True)
    pack_sha256 = ma.fields.String(allow_none=True)
    minutes_sha256 = ma.fields.String(allow_none=True)


class UnitSchema(ma.Schema):
    tier = ma.fields.String()
    code = ma.fields.String()
    name_th = ma.fields.String()
    state = ma.fields.String()
    state_th = ma.fields.String()
    households = ma.fields.Integer()
    target = ma.fields.Integer()
    coverage_pct = ma.fields.Float(allow_none=True)
    revision = ma.fields.String()
    failing_gates = ma.fields.Integer()
    gates = ma.fields.List(ma.fields.Nested(GateSchema))
    parent = ma.fields.Dict(allow_none=True)
    decision = ma.fields.Dict(allow_none=True, metadata={
        "description": "the latest decision: id, kind, at, data_revision, pack_sha256"})
    children = ma.fields.List(ma.fields.Dict())
    returned_households = ma.fields.List(ma.fields.Dict())


UnitPageSchema = page_schema(UnitSchema, "CertificationUnitPage")


class EventSchema(ma.Schema):
    id = ma.fields.Integer()
    round = ma.fields.Integer(attribute="round_year")
    tier = ma.fields.String()
    unit_code = ma.fields.String()
    event = ma.fields.String()
    at = ma.fields.DateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    actor_role = ma.fields.String()
    detail = ma.fields.Dict()
    document_sha256 = ma.fields.String(allow_none=True)
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class QualityIssueListArgs(PageArgs):
    round = round_year_field(required=True)
    area = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{2,8}\Z"))
    lao = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{7}\Z"))
    kind = ma.fields.String(validate=ma.validate.Length(max=40))
    open = ma.fields.Boolean(load_default=True)


class QualityIssueSchema(ma.Schema):
    id = ma.fields.Integer()
    round = ma.fields.Integer(attribute="round_year")
    kind = ma.fields.String()
    kind_th = ma.fields.String()
    household_id = ma.fields.String()
    other_household_id = ma.fields.String(allow_none=True)
    village_code = ma.fields.String()
    detail = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    resolved_at = ma.fields.DateTime(allow_none=True)
    resolution = ma.fields.String(allow_none=True)
    households = ma.fields.List(ma.fields.Dict())


QualityIssuePageSchema = page_schema(QualityIssueSchema, "QualityIssuePage")


class ResolveSchema(InputSchema):
    note = ma.fields.String(required=True, validate=REASON, metadata={
        "description": "how it was settled (e.g. two people share an ID by a registry error)"})


class ProvinceProgressSchema(ma.Schema):
    code = ma.fields.String()
    name_th = ma.fields.String()
    households = ma.fields.Integer()
    target = ma.fields.Integer()
    province_state = ma.fields.String()
    accepted = ma.fields.Boolean()


class ProgressSchema(ma.Schema):
    round = ma.fields.Integer()
    households = ma.fields.Integer()
    target = ma.fields.Integer()
    accepted_households = ma.fields.Integer()
    pct_accepted = ma.fields.Float(allow_none=True, metadata={
        "description": "of the households collected"})
    pct_of_target = ma.fields.Float(allow_none=True, metadata={
        "description": "of the round's target households (the department's 90 % goal)"})
    goal_pct = ma.fields.Integer()
    provinces = ma.fields.List(ma.fields.Nested(ProvinceProgressSchema))
