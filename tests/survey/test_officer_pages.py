"""The officers' pages: progress (the home page) per village, area and enumerator with its
downloads; households with filters, personal data only where allowed, and the return
form; the standard reports as pages; payments."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import update

from app.auth.models import Role
from app.extensions import db
from app.units import Unit
from survey import households, progress
from survey.models import Household, Target
from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE


def text(response) -> str:
    return response.get_data(as_text=True)


def submit(client, auth_header, enumerator, household_payload, seeds, **overrides):
    ids = []
    for seed in seeds:
        response = client.post("/api/v1/households", headers=auth_header(enumerator),
                               json=household_payload(seed, **overrides))
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    return ids


@pytest.fixture
def enumerator(enumerator):
    """The enumerator with a person's name (the default one is their username)."""
    enumerator.display_name = "นายอาสา ตั้งใจงาน"
    db.session.commit()
    return enumerator


def sheet_rows(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_progress_counts_per_village_enumerator_and_area(client, login, make_user, survey_round,
                                                         enumerator, auth_header,
                                                         household_payload):
    db.session.add_all([Target(round_year=2565, area_code=VILLAGE, households=10),
                        Target(round_year=2565, area_code=OTHER_VILLAGE, households=4)])
    db.session.commit()
    first, _, _ = submit(client, auth_header, enumerator, household_payload, (1, 2, 3))
    with_warning = household_payload(4, village_code=OTHER_VILLAGE,
                                     incomplete_reason="refused_part")
    with_warning["answers"].pop(next(iter(with_warning["answers"])))
    response = client.post("/api/v1/households", headers=auth_header(enumerator),
                           json=with_warning)
    assert response.status_code == 201 and response.json["warnings"]
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    households.return_for_correction(officer, db.session.get(Household, first), "ตรวจสอบอายุ")
    db.session.commit()

    total, villages = progress.rows(survey_round, Unit.named(area="650102"),
                                    today=date(2022, 1, 31))
    row = {line.code: line for line in villages}
    assert (row[VILLAGE].target, row[VILLAGE].collected, row[VILLAGE].returned) == (10, 3, 1)
    assert (row[OTHER_VILLAGE].collected, row[OTHER_VILLAGE].warnings) == (1, 1)
    assert row[VILLAGE].last_sync is not None and row["65010203"].collected == 0
    # 4 of 14 in the window's first 31 days: 10 left at 4/31 a day → 78 more days.
    assert (total.collected, total.target, total.eta) == (4, 14, date(2022, 4, 19))
    assert row[OTHER_VILLAGE].eta == date(2022, 5, 4)  # 3 left at 1/31 a day
    people = progress.by_enumerator(survey_round, Unit.named(area="650102"),
                                    today=date(2022, 1, 31))
    assert [(p.code, p.target, p.collected, p.returned, p.warnings) for p in people] == \
        [(enumerator.username, 14, 4, 1, 1)]

    login(officer)
    home = client.get("/", follow_redirects=True)
    assert "ความก้าวหน้าการจัดเก็บข้อมูล" in text(home) and "วังน้ำคู้" in text(home)
    village_page = text(client.get("/progress/?area=650102&round=2565"))
    assert enumerator.display_name in village_page and "บ้านท่าเรือ" in village_page
    by_lao = text(client.get("/progress/?area=6501&by=lao&round=2565"))
    assert "6650102" in by_lao
    rows = sheet_rows(client.get("/progress/?area=650102&round=2565&format=xlsx"))
    assert rows[0][:5] == ["รหัส", "ชื่อ", "ประเภท", "เป้าหมาย", "จัดเก็บแล้ว"]
    assert [VILLAGE, 10, 3, 1] == [rows[1][0], rows[1][3], rows[1][4], rows[1][6]]
    listing = sheet_rows(client.get("/progress/?area=650102&round=2565&table=enumerators"
                                    "&format=xlsx"))
    assert listing[1][:2] == [enumerator.username, enumerator.display_name]
    csv = text(client.get("/progress/?area=6501&round=2565&format=csv&sort=collected&dir=desc"))
    assert csv.splitlines()[1].startswith("650102,")  # the subdistrict with households first


def test_progress_stays_in_scope(client, login, make_user, survey_round, enumerator,
                                 auth_header, household_payload):
    submit(client, auth_header, enumerator, household_payload, (1,))
    login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650101"))
    assert client.get("/progress/?area=650102&round=2565").status_code == 403
    assert client.get("/progress/?area=6501&round=2565&format=csv").status_code == 403
    page = text(client.get("/progress/?round=2565"))
    assert enumerator.display_name not in page
    login(make_user(Role.PROVINCE_OFFICER, area_code="65"))
    district = text(client.get("/progress/?area=650102&round=2565"))
    assert enumerator.username in district and enumerator.display_name not in district


def test_household_list_filters_and_personal_data_by_role(client, login, make_user,
                                                          survey_round, enumerator, auth_header,
                                                          household_payload):
    ids = submit(client, auth_header, enumerator, household_payload, (1, 2))
    submit(client, auth_header, enumerator, household_payload, (3,), village_code=OTHER_VILLAGE)
    head = db.session.get(Household, ids[0]).members[0]
    login(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    listing = text(client.get(f"/households/?round=2565&village={VILLAGE}"))
    assert "พบ 2 ครัวเรือน" in listing and head.first_name in listing
    detail = text(client.get(f"/households/{ids[0]}"))
    assert head.first_name in detail and head.national_id_masked in detail

    login(make_user(Role.PROVINCE_OFFICER, area_code="65"))
    listing = text(client.get("/households/?round=2565"))
    assert "พบ 3 ครัวเรือน" in listing and head.first_name not in listing
    detail = text(client.get(f"/households/{ids[0]}"))
    assert head.first_name not in detail and head.national_id_masked in detail

    login(make_user(Role.DISTRICT_OFFICER, area_code="6502"))
    assert "พบ 0 ครัวเรือน" in text(client.get("/households/?round=2565"))
    assert client.get(f"/households/{ids[0]}").status_code == 404


def test_return_form_sends_the_household_back(client, login, make_user, survey_round,
                                              enumerator, auth_header, household_payload):
    (household_id,) = submit(client, auth_header, enumerator, household_payload, (1,))
    csrf = login(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    empty = client.post(f"/households/{household_id}/return", data={"csrf_token": csrf,
                                                                     "reason": " "})
    assert empty.status_code == 422 and "กรุณาระบุเหตุผล" in text(empty)
    done = client.post(f"/households/{household_id}/return",
                       data={"csrf_token": csrf, "reason": "อายุสมาชิกไม่ตรงกับวันเกิด"},
                       follow_redirects=True)
    assert "ส่งกลับให้อาสาสมัครแก้ไขแล้ว" in text(done)
    assert db.session.get(Household, household_id).status == "returned"
    mine = client.get(f"/api/v1/households/{household_id}", headers=auth_header(enumerator))
    assert mine.json["returned"]["reason"] == "อายุสมาชิกไม่ตรงกับวันเกิด"
    twice = client.post(f"/households/{household_id}/return",
                        data={"csrf_token": csrf, "reason": "อีกครั้ง"})
    assert twice.status_code == 409 and "ส่งกลับให้แก้ไขอยู่แล้ว" in text(twice)
    filtered = text(client.get("/households/?round=2565&status=returned"))
    assert "พบ 1 ครัวเรือน" in filtered


def test_reports_as_pages_with_their_downloads(client, login, make_user, survey_round,
                                               enumerator, auth_header, household_payload):
    survey_round.min_area_households = 1
    db.session.commit()
    submit(client, auth_header, enumerator, household_payload, (1, 2))
    login(make_user(Role.PROVINCE_OFFICER, area_code="65"))
    page = text(client.get("/reports/?kind=indicators&area=6501&round=2565"))
    assert "ตัวชี้วัดที่ผ่านและไม่ผ่านเกณฑ์" in page and "ร้อยละผ่าน" in page
    assert "/api/v1/reports/indicators?round=2565&amp;area=6501&amp;breakdown=true&amp;format=xlsx" in page
    xlsx = client.get("/api/v1/reports/indicators?round=2565&area=6501&breakdown=true"
                      "&format=xlsx")
    assert xlsx.status_code == 200 and sheet_rows(xlsx)[1][0] == "6501"
    assert client.get("/reports/?kind=population&area=7401&round=2565").status_code == 403


def test_payments_split_certified_and_hide_names_from_the_province(
        client, login, make_user, survey_round, enumerator, auth_header, household_payload):
    ids = submit(client, auth_header, enumerator, household_payload, (1, 2, 3))
    submit(client, auth_header, enumerator, household_payload, (4,), village_code=OTHER_VILLAGE)
    db.session.execute(update(Household).where(Household.village_code == OTHER_VILLAGE)
                       .values(status="locked"))
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    households.return_for_correction(officer, db.session.get(Household, ids[0]), "แก้ไข")
    db.session.commit()
    login(officer)
    page = text(client.get("/payments/?round=2565"))
    assert 'id="payment-total">60 บาท' in page  # 3 accepted × 20 (one is returned)
    assert enumerator.display_name in page
    rows = sheet_rows(client.get("/payments/?round=2565&format=xlsx"))
    assert rows[1][2:] == [3, 1, 2, 60, 20, 40]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/payments/?round=2565&format=xlsx")
                                             .data), read_only=True)
    assert [s.title for s in book.worksheets] == ["ราย อปท.", "รายอาสาสมัคร"]

    login(make_user(Role.PROVINCE_OFFICER, area_code="65"))
    page = text(client.get("/payments/?round=2565"))
    assert "รายอำเภอ" in page and enumerator.display_name not in page
    district = text(client.get("/payments/?area=6501&round=2565"))
    assert "ราย อปท." in district and "รายอาสาสมัคร" not in district
    assert enumerator.username not in district and enumerator.display_name not in district
