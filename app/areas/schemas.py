"""Serialisation of areas and LAOs for the API."""
import marshmallow as ma

from app.api_base import InputSchema, PageArgs, page_schema


class LaoRefSchema(ma.Schema):
    code = ma.fields.String()
    name_th = ma.fields.String()
    type = ma.fields.String()
    type_th = ma.fields.String()


class AreaRefSchema(ma.Schema):
    code = ma.fields.String()
    level = ma.fields.String()
    level_th = ma.fields.String()
    name_th = ma.fields.String()
    name_en = ma.fields.String(allow_none=True)


class AreaSchema(AreaRefSchema):
    parent_code = ma.fields.String(allow_none=True)
    in_survey = ma.fields.Boolean()
    moo = ma.fields.Integer(allow_none=True)
    lao = ma.fields.Nested(LaoRefSchema, allow_none=True)
    bbox = ma.fields.Method("_bbox", metadata={"description": "[min lon, min lat, max lon, max lat]"})

    def _bbox(self, area):
        if area.min_lon is None:
            return None
        return [area.min_lon, area.min_lat, area.max_lon, area.max_lat]


class AreaDetailSchema(AreaSchema):
    ancestors = ma.fields.List(ma.fields.Nested(AreaRefSchema))


class LaoSchema(LaoRefSchema):
    province_code = ma.fields.String()
    district_code = ma.fields.String()
    areas = ma.fields.List(ma.fields.Nested(AreaRefSchema))


class SearchArgs(PageArgs):
    q = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    level = ma.fields.String(validate=ma.validate.OneOf(
        ["province", "district", "subdistrict", "village", "community"]))


class RegisterUploadArgs(InputSchema):
    dry_run = ma.fields.Boolean(load_default=False)


AreaPageSchema = page_schema(AreaSchema, "AreaPage")
