"""Importing the village/community and LAO register from a CSV file users supply.

Columns (header row required, any order, extra columns ignored)::

    village_code      8 digits: the subdistrict's 6-digit code + the หมู่/community number
    kind              village | community   (หมู่บ้าน | ชุมชน also accepted)
    name_th           Thai name of the village or community
    subdistrict_code  6-digit DOPA subdistrict code; the village code must start with it
    lao_code          7-digit code of the local government (DLA code) it belongs to
    lao_type          sao | subdistrict_municipality | town_municipality | city_municipality |
                      pattaya   (Thai names such as อบต., เทศบาลตำบล, ทต. also accepted)
    lao_name_th       Thai name of the local government
    lat, lon          optional: the village/community's point (EPSG:4326 decimal degrees),
                      placed on maps (without one, the median of its households' GPS)

The file may be UTF-8 (with or without BOM) or TIS-620/Windows-874, as Thai Excel saves it.
Either every row is valid and the whole file is applied in one transaction, or nothing is
applied and every bad row is reported with its line number, field and reason.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select

from app.areas.models import Area, AreaLevel, Lao, LaoType
from app.csv_import import RowError, read_rows
from app.extensions import db
from app.geometry import THAILAND_BBOX
from app.text import has_letter, text_problem

COLUMNS = ["village_code", "kind", "name_th", "subdistrict_code", "lao_code", "lao_type",
           "lao_name_th"]

KIND_ALIASES = {"village": AreaLevel.VILLAGE, "หมู่บ้าน": AreaLevel.VILLAGE,
                "community": AreaLevel.COMMUNITY, "ชุมชน": AreaLevel.COMMUNITY}

LAO_TYPE_ALIASES = {
    **{t.value: t for t in LaoType},
    "องค์การบริหารส่วนตำบล": LaoType.SAO, "อบต.": LaoType.SAO, "อบต": LaoType.SAO,
    "เทศบาลตำบล": LaoType.SUBDISTRICT_MUNICIPALITY, "ทต.": LaoType.SUBDISTRICT_MUNICIPALITY,
    "เทศบาลเมือง": LaoType.TOWN_MUNICIPALITY, "ทม.": LaoType.TOWN_MUNICIPALITY,
    "เทศบาลนคร": LaoType.CITY_MUNICIPALITY, "ทน.": LaoType.CITY_MUNICIPALITY,
    "เมืองพัทยา": LaoType.PATTAYA,
}
MUNICIPAL_TYPES = {LaoType.SUBDISTRICT_MUNICIPALITY, LaoType.TOWN_MUNICIPALITY,
                   LaoType.CITY_MUNICIPALITY, LaoType.PATTAYA}

VILLAGE_CODE = re.compile(r"^[0-9]{8}\Z")
SUBDISTRICT_CODE = re.compile(r"^[0-9]{6}\Z")
LAO_CODE = re.compile(r"^[0-9]{7}\Z")


# The reason for each row error, in Thai, for the upload page.
ERROR_TH = {
    "EXTRA_FIELDS": "จำนวนช่องมากกว่าหัวตาราง",
    "MALFORMED_CODE": "รหัสไม่ถูกต้องตามรูปแบบ",
    "UNKNOWN_SUBDISTRICT": "ไม่พบรหัสตำบลนี้ในทะเบียนกรมการปกครอง",
    "OUTSIDE_SURVEY": "ตำบลนี้อยู่นอกพื้นที่จัดเก็บข้อมูล จปฐ.",
    "OUT_OF_SCOPE": "ตำบลนี้อยู่นอกพื้นที่ที่ท่านรับผิดชอบ",
    "CODE_NOT_IN_SUBDISTRICT": "รหัสหมู่บ้าน/ชุมชนต้องขึ้นต้นด้วยรหัสตำบล",
    "UNKNOWN_KIND": "ประเภทต้องเป็น village (หมู่บ้าน) หรือ community (ชุมชน)",
    "REQUIRED": "ต้องระบุ",
    "UNKNOWN_LAO_TYPE": "ไม่รู้จักประเภท อปท. นี้",
    "COMMUNITY_OUTSIDE_MUNICIPALITY": "ชุมชนต้องสังกัดเทศบาลหรือเมืองพัทยา ไม่ใช่ อบต.",
    "DUPLICATE_CODE": "รหัสซ้ำกับบรรทัดก่อนหน้า",
    "LAO_CONFLICT": "รหัส อปท. เดียวกันมีชื่อหรือประเภทไม่ตรงกัน",
    "LAO_SPANS_DISTRICTS": "อปท. เดียวกันอยู่ต่างอำเภอ",
    "TEXT_INVALID_CHARACTER": "มีอักขระควบคุมหรืออักขระกลับทิศทางที่ไม่อนุญาต",
    "TEXT_TOO_LONG": "ชื่อยาวเกิน 200 ตัวอักษร",
    "NAME_NOT_TEXT": "ชื่อต้องมีตัวอักษร",
    "BAD_POINT": "พิกัดต้องเป็นละติจูดและลองจิจูดในประเทศไทย (ทศนิยม) หรือเว้นว่างทั้งคู่",
}
NAME_LIMIT = 200  # the name columns of areas and LAOs


def _error(line: int, field_name: str, code: str, message: str) -> RowError:
    return RowError(line, field_name, code, message, ERROR_TH[code])


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    villages_created: int = 0
    villages_updated: int = 0
    laos_created: int = 0
    laos_updated: int = 0
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"ok": self.ok, "encoding": self.encoding,
                "villages_created": self.villages_created,
                "villages_updated": self.villages_updated,
                "laos_created": self.laos_created, "laos_updated": self.laos_updated,
                "errors": [e.as_dict() for e in self.errors]}


@dataclass
class _Row:
    line: int
    code: str
    kind: AreaLevel
    name_th: str
    subdistrict: Area
    lao_code: str
    lao_type: LaoType
    lao_name_th: str
    lat: float | None = None
    lon: float | None = None


def import_register(data: bytes, *, allowed: Callable[[Area], bool] = lambda area: True,
                    dry_run: bool = False) -> ImportReport:
    """Validate the whole register, then apply it (insert or update, flushed: the caller
    commits) or nothing.

    ``allowed(subdistrict)`` says whether the importing user may register villages there;
    rows outside it are errors like any other bad row."""
    encoding, lines = read_rows(data, COLUMNS)
    report = ImportReport(encoding=encoding)
    subdistricts = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.level == AreaLevel.SUBDISTRICT.value))}
    rows: list[_Row] = []
    for line, raw in lines:
        row = _parse_row(line, raw, subdistricts, allowed, report)
        if row is not None:
            rows.append(row)
    _check_across_rows(rows, report)
    if report.errors or dry_run:
        return report
    _apply(rows, report)
    return report


def _parse_row(line, raw, subdistricts, allowed, report) -> _Row | None:
    def value(name: str) -> str:
        return unicodedata.normalize("NFC", raw.get(name) or "")

    def error(field_name: str, code: str, message: str) -> None:
        report.errors.append(_error(line, field_name, code, message))

    before = len(report.errors)
    if None in raw:
        error("", "EXTRA_FIELDS", "more fields than columns in the header")
    code, sub_code = value("village_code"), value("subdistrict_code")
    subdistrict = None
    if not SUBDISTRICT_CODE.match(sub_code):
        error("subdistrict_code", "MALFORMED_CODE", f"{sub_code!r} is not a 6-digit code")
    elif (subdistrict := subdistricts.get(sub_code)) is None:
        error("subdistrict_code", "UNKNOWN_SUBDISTRICT", f"no subdistrict {sub_code}")
    elif not subdistrict.in_survey:
        error("subdistrict_code", "OUTSIDE_SURVEY", f"subdistrict {sub_code} is outside the survey")
    elif not allowed(subdistrict):
        error("subdistrict_code", "OUT_OF_SCOPE", f"subdistrict {sub_code} is outside your area")
    if not VILLAGE_CODE.match(code):
        error("village_code", "MALFORMED_CODE", f"{code!r} is not an 8-digit code")
    elif SUBDISTRICT_CODE.match(sub_code) and not code.startswith(sub_code):
        error("village_code", "CODE_NOT_IN_SUBDISTRICT",
              f"village code {code} does not start with its subdistrict code {sub_code}")
    elif code.endswith("00"):
        error("village_code", "MALFORMED_CODE", f"village number 00 in {code} is not valid")
    kind = KIND_ALIASES.get(value("kind").lower())
    if kind is None:
        error("kind", "UNKNOWN_KIND", f"{value('kind')!r} is not village or community")
    for name in ("name_th", "lao_name_th"):
        problem = text_problem(value(name), NAME_LIMIT)
        if problem:
            error(name, problem[0], f"{name} is not a usable name")
        elif value(name) and not has_letter(value(name)):
            error(name, "NAME_NOT_TEXT", f"{name} has no letter")
    if not value("name_th"):
        error("name_th", "REQUIRED", "the village/community name is empty")
    lao_code = value("lao_code")
    if not LAO_CODE.match(lao_code):
        error("lao_code", "MALFORMED_CODE", f"{lao_code!r} is not a 7-digit LAO code")
    lao_type = LAO_TYPE_ALIASES.get(value("lao_type").lower())
    if lao_type is None:
        error("lao_type", "UNKNOWN_LAO_TYPE",
              f"{value('lao_type')!r} is not one of {', '.join(t.value for t in LaoType)}")
    elif kind is AreaLevel.COMMUNITY and lao_type not in MUNICIPAL_TYPES:
        error("kind", "COMMUNITY_OUTSIDE_MUNICIPALITY",
              "communities (ชุมชน) belong to a municipality or Pattaya, not to an SAO")
    if not value("lao_name_th"):
        error("lao_name_th", "REQUIRED", "the LAO name is empty")
    point = _point(value("lat"), value("lon"))
    if point is False:
        error("lat", "BAD_POINT", f"lat {value('lat')!r}, lon {value('lon')!r} is not a point "
                                  f"in Thailand (decimal degrees, both or neither)")
    if len(report.errors) > before:
        return None
    return _Row(line, code, kind, value("name_th"), subdistrict, lao_code, lao_type,
                value("lao_name_th"), *(point or (None, None)))


def _point(lat: str, lon: str) -> tuple[float, float] | None | bool:
    """``(lat, lon)``, None when both are empty, False when they are not a point in
    Thailand."""
    if not lat and not lon:
        return None
    try:
        point = float(lat), float(lon)
    except ValueError:
        return False
    min_lon, min_lat, max_lon, max_lat = THAILAND_BBOX
    inside = min_lat <= point[0] <= max_lat and min_lon <= point[1] <= max_lon
    return point if inside else False


def _check_across_rows(rows: list[_Row], report: ImportReport) -> None:
    first_line: dict[str, int] = {}
    laos: dict[str, _Row] = {}
    for row in rows:
        if row.code in first_line:
            report.errors.append(_error(row.line, "village_code", "DUPLICATE_CODE",
                                          f"{row.code} is already on line {first_line[row.code]}"))
        else:
            first_line[row.code] = row.line
        seen = laos.setdefault(row.lao_code, row)
        if (seen.lao_type, seen.lao_name_th) != (row.lao_type, row.lao_name_th):
            report.errors.append(_error(
                row.line, "lao_code", "LAO_CONFLICT",
                f"LAO {row.lao_code} is {seen.lao_type.value} {seen.lao_name_th!r} on line "
                f"{seen.line}, here {row.lao_type.value} {row.lao_name_th!r}"))
        elif seen.subdistrict.parent_code != row.subdistrict.parent_code:
            report.errors.append(_error(
                row.line, "lao_code", "LAO_SPANS_DISTRICTS",
                f"LAO {row.lao_code} is in district {seen.subdistrict.parent_code} on line "
                f"{seen.line}, here in {row.subdistrict.parent_code}"))
    # Existing LAOs keep their district: moving one is a different, deliberate change.
    existing = {l.code: l for l in db.session.scalars(select(Lao).where(Lao.code.in_(laos)))}
    for code, row in laos.items():
        lao = existing.get(code)
        if lao is not None and lao.district_code != row.subdistrict.parent_code:
            report.errors.append(_error(
                row.line, "lao_code", "LAO_SPANS_DISTRICTS",
                f"LAO {code} is registered in district {lao.district_code}"))


def _apply(rows: list[_Row], report: ImportReport) -> None:
    laos = {l.code: l for l in db.session.scalars(
        select(Lao).where(Lao.code.in_({r.lao_code for r in rows})))}
    for row in rows:
        lao = laos.get(row.lao_code)
        if lao is None:
            lao = laos[row.lao_code] = Lao(code=row.lao_code,
                                          province_code=row.subdistrict.province_code,
                                          district_code=row.subdistrict.parent_code,
                                          name_th=row.lao_name_th, type=row.lao_type.value)
            db.session.add(lao)
            report.laos_created += 1
        elif (lao.name_th, lao.type) != (row.lao_name_th, row.lao_type.value):
            lao.name_th, lao.type = row.lao_name_th, row.lao_type.value
            report.laos_updated += 1
    db.session.flush()
    areas = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.code.in_([r.code for r in rows])))}
    for row in rows:
        fields = dict(level=row.kind.value, parent_code=row.subdistrict.code,
                      province_code=row.subdistrict.province_code, name_th=row.name_th,
                      lao_code=row.lao_code, in_survey=True, lat=row.lat, lon=row.lon,
                      moo=int(row.code[6:]) if row.kind is AreaLevel.VILLAGE else None)
        area = areas.get(row.code)
        if area is None:
            db.session.add(Area(code=row.code, **fields))
            report.villages_created += 1
        elif any(getattr(area, k) != v for k, v in fields.items()):
            for key, val in fields.items():
                setattr(area, key, val)
            report.villages_updated += 1
    db.session.flush()
