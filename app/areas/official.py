"""Loading the official DOPA provinces, districts and subdistricts from the geothai package."""
from __future__ import annotations

from dataclasses import dataclass

import geothai
from sqlalchemy import insert, select

from app.areas.models import Area, AreaLevel
from app.extensions import db

# Bangkok has its own survey system; it is in the registry but not in the BMN survey.
OUTSIDE_SURVEY = {"10"}


@dataclass
class LoadResult:
    created: int
    updated: int
    data_version: str


def official_rows() -> list[dict]:
    """Every official area as a row for the ``areas`` table, parents before children."""
    rows = []
    for province in geothai.provinces():
        in_survey = province.code not in OUTSIDE_SURVEY
        rows.append(_row(province, AreaLevel.PROVINCE, None, province.code, in_survey))
        for district in geothai.districts(province.code):
            rows.append(_row(district, AreaLevel.DISTRICT, province.code, province.code, in_survey))
            for sub in geothai.subdistricts(district.code):
                rows.append(_row(sub, AreaLevel.SUBDISTRICT, district.code, province.code,
                                 in_survey))
    return rows


def _row(item, level: AreaLevel, parent: str | None, province: str, in_survey: bool) -> dict:
    return {"code": item.code, "level": level.value, "parent_code": parent,
            "province_code": province, "name_th": item.name_th, "name_en": item.name_en,
            "in_survey": in_survey}


def load_official_areas() -> LoadResult:
    """Insert the official areas that are missing and refresh the names of the others.
    Safe to run again after a geothai upgrade; never deletes (villages may hang below)."""
    rows = official_rows()
    existing = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.level.in_([l.value for l in
                                           (AreaLevel.PROVINCE, AreaLevel.DISTRICT,
                                            AreaLevel.SUBDISTRICT)])))}
    new_rows = [r for r in rows if r["code"] not in existing]
    updated = 0
    for row in rows:
        area = existing.get(row["code"])
        if area is not None and (area.name_th, area.name_en) != (row["name_th"], row["name_en"]):
            area.name_th, area.name_en = row["name_th"], row["name_en"]
            updated += 1
    if new_rows:
        db.session.execute(insert(Area), new_rows)
    db.session.commit()
    return LoadResult(created=len(new_rows), updated=updated, data_version=geothai.DATA_VERSION)
