"""Serialisation for sign-in, tokens and the current user."""
import marshmallow as ma

from app.api_base import InputSchema
from app.areas.schemas import AreaRefSchema, LaoRefSchema


class TokenRequestSchema(InputSchema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    password = ma.fields.String(required=True, load_only=True,
                                validate=ma.validate.Length(min=1, max=200))
    device = ma.fields.String(load_default="api", validate=ma.validate.Length(max=200),
                              metadata={"description": "A label for the device or script"})


class EnrolmentRequestSchema(InputSchema):
    code = ma.fields.String(required=True, load_only=True,
                            validate=ma.validate.Length(min=10, max=100))
    device = ma.fields.String(load_default="phone", validate=ma.validate.Length(max=200),
                              metadata={"description": "A label for the phone"})


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    token_type = ma.fields.String()
    expires_at = ma.fields.DateTime()
    username = ma.fields.String(metadata={"description": "whose token it is (enrolment)"})


class MeSchema(ma.Schema):
    username = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    role_th = ma.fields.String()
    scope_area = ma.fields.Nested(AreaRefSchema, allow_none=True)
    scope_lao = ma.fields.Nested(LaoRefSchema, allow_none=True)
    actions = ma.fields.List(ma.fields.String())
