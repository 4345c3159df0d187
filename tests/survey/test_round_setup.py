"""Setting a round up in the browser: its settings, the allocation of target households
and budget to provinces and districts, and the villages' targets — every refusal in Thai
and changing nothing."""
import io
import re

from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from survey.models import Allocation, SurveyRound, Target
from tests.fixtures.survey import VILLAGE

ENGLISH_CODE = re.compile(r"\b[A-Z]{3,}_[A-Z_]{3,}\b")  # e.g. TOTAL_MISMATCH on a page


def text(response) -> str:
    return response.get_data(as_text=True)


def allocations(year=2565) -> dict:
    return {a.area_code: (a.households, a.budget) for a in db.session.scalars(
        select(Allocation).where(Allocation.round_year == year))}


def post_allocations(client, csrf, *, area=None, action="check", file=None, **fields):
    data = {"csrf_token": csrf, "action": action,
            **{f"alloc-{code}": value for code, value in fields.items()}}
    if file is not None:
        data["file"] = (io.BytesIO(file.encode()), "allocation.csv")
    url = "/rounds/allocations?round=2565" + (f"&area={area}" if area else "")
    return client.post(url, data=data, content_type="multipart/form-data")


def test_admin_sets_round_and_allocates_provinces_with_totals_checked(
        client, login, make_user, survey_round):
    csrf = login(make_user(Role.DEPARTMENT_ADMIN))
    form = {"csrf_token": csrf, "year": "2565", "questionnaire_version": "2560-2564",
            "collection_start": "01/01/2565", "collection_end": "31/05/2565",
            "income_line": "38,000", "coverage_threshold_pct": "90", "min_area_households": "5",
            "payment_rate": "20", "households_per_volunteer": "40", "national_target": "1,000"}
    assert client.post("/rounds/edit?year=2565", data=form).status_code == 302
    assert db.session.get(SurveyRound, 2565).national_target == 1000

    short = post_allocations(client, csrf, **{"65": "600", "74": "300"})
    assert short.status_code == 422
    assert "ยอดรวมที่จัดสรร 900 ครัวเรือน ไม่เท่ากับเป้าหมายทั้งประเทศ 1,000" in text(short)
    assert not ENGLISH_CODE.search(text(short))
    csv = "area_code,target_households\n65,600\n74,400\n"
    checked = post_allocations(client, csrf, file=csv)
    assert checked.status_code == 200 and "ไม่พบข้อผิดพลาด" in text(checked)
    assert allocations() == {}  # a dry run saves nothing
    saved = post_allocations(client, csrf, file=csv, action="save")
    assert saved.status_code == 200 and "บันทึกแล้ว 2 รายการ" in text(saved)
    assert allocations() == {"65": (600, 12_000), "74": (400, 8_000)}
    page = text(client.get("/rounds/allocations?round=2565"))
    assert 'value="600"' in page and "ครบตามยอด" in page

    bad = post_allocations(client, csrf, action="save",
                           file="area_code,target_households\n6501,10\n65,abc\n")
    assert bad.status_code == 422
    assert "รหัสนี้ไม่ใช่จังหวัดในพื้นที่ที่จัดสรร" in text(bad)
    assert "จำนวนครัวเรือนต้องเป็นจำนวนเต็ม" in text(bad)
    assert allocations()["65"] == (600, 12_000)


def test_round_form_explains_bad_fields_and_needs_the_department(client, login, make_user,
                                                                 survey_round):
    csrf = login(make_user(Role.DEPARTMENT_ADMIN))
    response = client.post("/rounds/edit?year=2565", data={
        "csrf_token": csrf, "year": "2565", "questionnaire_version": "2560-2564",
        "collection_start": "2022-01-01", "collection_end": "31/05/2565",
        "income_line": "38000", "coverage_threshold_pct": "150", "min_area_households": "5",
        "payment_rate": "20", "households_per_volunteer": "40", "national_target": ""})
    assert response.status_code == 422
    page = text(response)
    assert "วันที่ในรูปแบบ วว/ดด/ปปปป" in page and "จำนวนเต็ม 0 ถึง 100" in page
    assert db.session.get(SurveyRound, 2565).coverage_threshold_pct == 90

    client.post("/logout", data={"csrf_token": csrf})
    login(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    assert client.get("/rounds/").status_code == 403


def test_province_allocates_its_districts_within_its_own_allocation(
        client, login, make_user, survey_round, enumerator, auth_header, household_payload):
    survey_round.national_target = 1000
    db.session.add(Allocation(round_year=2565, area_code="65", households=600, budget=12_000))
    db.session.commit()
    for seed in (1, 2):
        assert client.post("/api/v1/households", headers=auth_header(enumerator),
                           json=household_payload(seed)).status_code == 201
    csrf = login(make_user(Role.PROVINCE_OFFICER, area_code="65"))

    below = post_allocations(client, csrf, action="save", **{"6501": "1", "6502": "599"})
    assert below.status_code == 422
    assert "น้อยกว่าจำนวนครัวเรือนที่จัดเก็บแล้ว (2 ครัวเรือน)" in text(below)
    mismatch = post_allocations(client, csrf, action="save", **{"6501": "500", "6502": "50"})
    assert "ไม่เท่ากับยอดที่จังหวัดพิษณุโลกได้รับ 600" in text(mismatch)
    assert post_allocations(client, csrf, action="save",
                            **{"6501": "550", "6502": "50"}).status_code == 200
    assert allocations()["6501"] == (550, 11_000)

    assert post_allocations(client, csrf, area="74", **{"7401": "1"}).status_code == 403
    assert "7401" not in allocations()


def test_district_targets_dry_run_and_a_target_below_what_is_collected(
        client, login, make_user, survey_round, enumerator, auth_header, household_payload):
    for seed in (1, 2):
        client.post("/api/v1/households", headers=auth_header(enumerator),
                    json=household_payload(seed))
    csrf = login(make_user(Role.DISTRICT_OFFICER, area_code="6501"))

    def upload(body, action):
        return client.post("/rounds/targets?round=2565", content_type="multipart/form-data",
                           data={"csrf_token": csrf, "action": action,
                                 "file": (io.BytesIO(body.encode()), "targets.csv")})
    below = upload(f"village_code,target_households\n{VILLAGE},1\n65010202,30\n", "save")
    assert below.status_code == 422
    assert "เป้าหมายน้อยกว่าจำนวนครัวเรือนที่จัดเก็บแล้ว (2 ครัวเรือน)" in text(below)
    assert db.session.scalars(select(Target)).all() == []
    good = f"village_code,target_households\n{VILLAGE},40\n65010202,30\n"
    assert "ไม่พบข้อผิดพลาด" in text(upload(good, "check"))
    assert db.session.scalars(select(Target)).all() == []
    page = text(upload(good, "save"))
    assert "บันทึกแล้ว 2 รายการ" in page and 'id="targets-total">70<' in page
    outside = upload("village_code,target_households\n65020101,5\n", "save")
    assert "อยู่นอกพื้นที่ที่ท่านรับผิดชอบ" in text(outside)
