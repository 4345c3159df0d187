"""The Alembic migrations round-trip on the database under test, and area geometry is
stored natively (PostGIS) or as WKB (SQLite) and read back as the same shape."""
import json
import os
import zipfile
from pathlib import Path

import geopandas
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.areas.models import Area
from app.extensions import db
from app.geometry import bbox_columns
from tests.conftest import PG_URL, create_empty_database, drop_database, make_app

BOUNDARIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "boundaries"
OUR_TABLES = {"areas", "laos", "users", "api_tokens", "audit_events", "survey_rounds",
              "survey_targets", "survey_assignments", "households", "household_members",
              "quality_issues", "village_rollups", "district_rollups", "household_history",
              "login_throttles",
              "survey_allocations", "enrolment_links", "certification_committees",
              "certification_decisions", "certification_events"}


def tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) & (OUR_TABLES | {"alembic_version"})


def test_upgrade_downgrade_upgrade(tmp_path):
    url = create_empty_database(tmp_path, "roundtrip")
    app = make_app(url, tmp_path / "instance")
    try:
        with app.app_context():
            upgrade()
            assert tables(db.engine) >= OUR_TABLES
            downgrade(revision="base")
            assert tables(db.engine) <= {"alembic_version"}
            upgrade()
            assert tables(db.engine) >= OUR_TABLES
            columns = {c["name"]: c for c in sa.inspect(db.engine).get_columns("areas")}
            kind = str(columns["geom"]["type"]).lower()
            assert ("geometry" in kind) if PG_URL else ("blob" in kind)
            db.engine.dispose()
    finally:
        drop_database(url)


@pytest.fixture(scope="module")
def samut_songkhram():
    path = BOUNDARIES / "samut_songkhram_adm3_full.zip"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must have ../shared beside the clone")
        pytest.skip("shared boundary data not present")
    with zipfile.ZipFile(path) as archive:
        shp = next(n for n in archive.namelist() if n.endswith(".shp"))
    return geopandas.read_file(f"zip://{path}!{shp}")


def test_real_boundary_geometry_round_trips(app, samut_songkhram):
    row = samut_songkhram[samut_songkhram["ADM3_PCODE"] == "TH750101"].iloc[0]
    shape = row.geometry
    if shape.geom_type == "Polygon":
        from shapely.geometry import MultiPolygon
        shape = MultiPolygon([shape])
    area = db.session.get(Area, "750101")
    area.geom = shape
    for key, value in bbox_columns(shape).items():
        setattr(area, key, value)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Area, "750101")
    assert stored.geom.equals(shape)
    assert stored.geom.area == pytest.approx(shape.area)
    assert stored.min_lon == pytest.approx(shape.bounds[0])
    assert row["ADM3_TH"] == stored.name_th  # the file's Thai name matches the registry
    if PG_URL:
        srid = db.session.execute(sa.text("SELECT ST_SRID(geom) FROM areas WHERE code='750101'"))
        assert srid.scalar() == 4326


def test_rollup_counts_survive_downgrade_and_upgrade(app, survey_round):
    """Revision 0008 moves the rollup counts between JSON and integer columns both ways
    without changing a figure (on the database under test)."""
    from survey import rollup
    from survey.models import VillageRollup
    from tests.fixtures.survey import VILLAGE
    values = rollup._empty_row_values(2565, VILLAGE)
    values.update(households=3, people=7, applicable_1=3, passed_1=2, incomplete_31=1,
                  people_1_0=2, people_2_unknown=1, people_2_20=4, income_item_1=120_000,
                  expense_item_4=9_000_000_000, revision=5)
    db.session.add(VillageRollup(**values))
    db.session.commit()
    before = rollup.totals_of(db.session.get(VillageRollup, (2565, VILLAGE)))
    db.session.remove()
    downgrade(revision="0007")
    row = db.session.execute(sa.text(
        "SELECT people_by_sex_age, indicator_passed, expense_items FROM village_rollups")).one()
    decoded = [v if isinstance(v, (dict, list)) else json.loads(v) for v in row]
    assert decoded[0] == {"1": {"0": 2}, "2": {"unknown": 1, "20": 4}}
    assert decoded[1][0] == 2 and len(decoded[1]) == 31
    assert decoded[2] == {"22.2.4": 9_000_000_000}
    db.session.remove()
    upgrade()
    assert rollup.totals_of(db.session.get(VillageRollup, (2565, VILLAGE))) == before


def test_district_rollups_are_filled_from_the_village_rows(app, survey_round):
    """Revision 0009 fills each district's row with its villages' sums: all of them, and
    apart those under the round's small-area threshold (5); downgrading drops them."""
    from survey import rollup
    from survey.models import DistrictRollup, VillageRollup
    from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE
    for code, households in ((VILLAGE, 2), (OTHER_VILLAGE, 6), ("65020101", 9)):
        values = rollup._empty_row_values(2565, code)
        values.update(households=households, people=3 * households, passed_7=households,
                      income_item_2=1_000 * households, revision=households + 1)
        db.session.add(VillageRollup(**values))
    db.session.commit()
    db.session.remove()
    downgrade(revision="0008")
    assert "district_rollups" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    rows = {r.district_code: r for r in db.session.scalars(sa.select(DistrictRollup))}
    assert sorted(rows) == ["6501", "6502"]
    assert (rows["6501"].households, rows["6501"].small_households,
            rows["6501"].small_villages, rows["6501"].revision) == (8, 2, 1, 10)
    assert rows["6501"].small_income_item_2 == 2_000 and rows["6501"].people == 24
    for code, row in rows.items():
        assert rollup.district_totals_of(row) == rollup.recompute_district(2565, code)
