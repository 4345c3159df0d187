"""The official DOPA registry loaded from geothai."""
from sqlalchemy import func, select

from app.areas.models import Area
from app.areas.official import load_official_areas
from app.extensions import db


def count(level: str) -> int:
    return db.session.scalar(select(func.count()).where(Area.level == level))


def test_official_counts_load(app):
    assert count("province") == 77
    assert count("district") == 928
    assert count("subdistrict") == 7436


def test_bangkok_is_registered_but_outside_the_survey(app):
    bangkok = db.session.get(Area, "10")
    assert bangkok.name_th == "กรุงเทพมหานคร" and not bangkok.in_survey
    assert not db.session.get(Area, "1001").in_survey
    assert db.session.get(Area, "65").in_survey
    outside = db.session.scalar(select(func.count()).where(Area.in_survey.is_(False),
                                                           Area.level == "province"))
    assert outside == 1


def test_codes_nest_under_their_parents(app):
    sub = db.session.get(Area, "650101")
    assert (sub.parent_code, sub.province_code, sub.name_en) == ("6501", "65", "Nai Mueang")
    orphans = db.session.scalar(select(func.count()).where(
        Area.level == "subdistrict", func.substr(Area.code, 1, 4) != Area.parent_code))
    assert orphans == 0


def test_loading_again_changes_nothing(app):
    result = load_official_areas()
    assert (result.created, result.updated) == (0, 0)
    assert count("subdistrict") == 7436
