"""A coordinator's volunteers: accounts, villages and load, enrolling a phone from a one-time
link, revoking a lost phone, deactivating — with every refusal specific and harmless."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import EnrolmentLink, Role, User
from app.db_types import utcnow
from app.extensions import db
from survey.models import Assignment, Household, Target
from tests.fixtures.concurrency import parallel
from tests.fixtures.survey import VILLAGE

ENGLISH_CODE = re.compile(r"\b[A-Z]{3,}_[A-Z_]{3,}\b")


def text(response) -> str:
    return response.get_data(as_text=True)


def volunteer_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ENUMERATOR.value))


def create(client, csrf, name="นางสาวใจดี มีสุข", phone="081-234-5678",
           villages=(VILLAGE, "65010203")):
    return client.post("/volunteers/?round=2565", data={
        "csrf_token": csrf, "display_name": name, "phone": phone, "villages": list(villages)})


def enrol_code(client, csrf, user_id) -> str:
    page = text(client.post(f"/volunteers/{user_id}/enrol?round=2565",
                            data={"csrf_token": csrf}))
    assert "<svg" in page  # the QR code
    return re.search(r'id="enrol-link" href="[^"]*/collect/#enrol/([^"]+)"', page).group(1)


def test_coordinator_creates_a_volunteer_and_enrols_their_phone(client, login, make_user,
                                                                survey_round):
    coordinator = make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102")
    csrf = login(coordinator)
    created = create(client, csrf)
    assert created.status_code == 302
    volunteer = db.session.scalar(select(User).where(User.role == Role.ENUMERATOR.value))
    assert (volunteer.display_name, volunteer.phone, volunteer.scope_area_code) == \
        ("นางสาวใจดี มีสุข", "0812345678", "650102")
    assert sorted(a.area_code for a in db.session.scalars(select(Assignment))) == \
        [VILLAGE, "65010203"]
    assert "สร้างบัญชีอาสาสมัครเรียบร้อย" in text(client.get(created.headers["Location"]))

    code = enrol_code(client, csrf, volunteer.id)
    phone = client.post("/api/v1/auth/enrolments", json={"code": code, "device": "Android"})
    assert phone.status_code == 201 and phone.json["username"] == volunteer.username
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {phone.json['token']}"})
    assert me.json["username"] == volunteer.username
    villages = client.get("/api/v1/rounds/2565/my-villages",
                          headers={"Authorization": f"Bearer {phone.json['token']}"})
    assert [v["code"] for v in villages.json] == [VILLAGE, "65010203"]

    again = client.post("/api/v1/auth/enrolments", json={"code": code, "device": "second"})
    assert again.status_code == 409 and again.json["error_code"] == "ENROLMENT_USED"
    assert "ถูกใช้กับโทรศัพท์เครื่องอื่นไปแล้ว" in again.json["message_th"]
    unknown = client.post("/api/v1/auth/enrolments", json={"code": "x" * 32})
    assert unknown.status_code == 404 and unknown.json["error_code"] == "ENROLMENT_UNKNOWN"
    assert "1 เครื่อง" in text(client.get("/volunteers/?round=2565"))


def test_an_expired_link_and_a_newer_link_replace_the_old_one(client, login, make_user,
                                                              survey_round):
    csrf = login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102"))
    create(client, csrf)
    volunteer = db.session.scalar(select(User).where(User.role == Role.ENUMERATOR.value))
    first = enrol_code(client, csrf, volunteer.id)
    second = enrol_code(client, csrf, volunteer.id)
    replaced = client.post("/api/v1/auth/enrolments", json={"code": first})
    assert replaced.status_code == 410 and "หมดอายุ" in replaced.json["message_th"]
    for link in db.session.scalars(select(EnrolmentLink)):
        link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = client.post("/api/v1/auth/enrolments", json={"code": second})
    assert expired.status_code == 410 and expired.json["error_code"] == "ENROLMENT_EXPIRED"


def test_two_phones_racing_for_one_link_only_one_is_enrolled(app, client, login, make_user,
                                                             survey_round):
    csrf = login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102"))
    create(client, csrf)
    volunteer = db.session.scalar(select(User).where(User.role == Role.ENUMERATOR.value))
    code = enrol_code(client, csrf, volunteer.id)
    statuses = parallel(app, 4, lambda c, i: c.post(
        "/api/v1/auth/enrolments", json={"code": code, "device": f"phone {i}"}).status_code)
    assert sorted(statuses) == [201, 409, 409, 409]


def test_revoked_and_deactivated_phones_cannot_sync_but_households_stay(
        client, login, make_user, survey_round, household_payload):
    csrf = login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102"))
    create(client, csrf)
    volunteer = db.session.scalar(select(User).where(User.role == Role.ENUMERATOR.value))
    token = client.post("/api/v1/auth/enrolments",
                        json={"code": enrol_code(client, csrf, volunteer.id)}).json["token"]
    phone = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/households", headers=phone,
                       json=household_payload(1)).status_code == 201

    assert client.post(f"/volunteers/{volunteer.id}/revoke?round=2565",
                       data={"csrf_token": csrf}).status_code == 302
    lost = client.post("/api/v1/households", headers=phone, json=household_payload(2))
    assert lost.status_code == 401 and lost.json["error_code"] == "TOKEN_REVOKED"

    token = client.post("/api/v1/auth/enrolments",
                        json={"code": enrol_code(client, csrf, volunteer.id)}).json["token"]
    client.post(f"/volunteers/{volunteer.id}/active?round=2565",
                data={"csrf_token": csrf, "active": "0"})
    refused = client.post("/api/v1/households", headers={"Authorization": f"Bearer {token}"},
                          json=household_payload(3))
    assert refused.status_code == 401 and refused.json["error_code"] == "TOKEN_REVOKED"
    blocked = client.post(f"/volunteers/{volunteer.id}/enrol?round=2565",
                          data={"csrf_token": csrf})
    assert blocked.status_code == 409 and "ยังใช้งานอยู่" in text(blocked)
    assert db.session.scalar(select(Household.enumerator_id)) == volunteer.id
    assert "ระงับแล้ว" in text(client.get("/volunteers/?round=2565"))


def test_refusals_name_the_field_in_thai_and_create_nothing(client, login, make_user,
                                                            survey_round):
    csrf = login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102"))
    outside = create(client, csrf, villages=(VILLAGE, "65010101"))
    assert outside.status_code == 403
    assert "รหัส 65010101 อยู่นอกพื้นที่ของท่าน" in text(outside)
    bad_phone = create(client, csrf, phone="12345")
    assert bad_phone.status_code == 422 and "หมายเลขโทรศัพท์ต้องเป็นตัวเลข" in text(bad_phone)
    no_name = create(client, csrf, name="  ")
    assert "กรุณากรอกชื่อ-นามสกุล" in text(no_name)
    no_village = create(client, csrf, villages=())
    assert "กรุณาเลือกหมู่บ้าน/ชุมชน" in text(no_village)
    for response in (outside, bad_phone, no_name, no_village):
        assert not ENGLISH_CODE.search(text(response))
    assert volunteer_count() == 0


def test_load_warning_and_a_village_with_households_stays_assigned(
        client, login, make_user, survey_round, household_payload):
    db.session.add(Target(round_year=2565, area_code=VILLAGE, households=90))
    db.session.commit()
    csrf = login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102"))
    create(client, csrf)
    volunteer = db.session.scalar(select(User).where(User.role == Role.ENUMERATOR.value))
    page = text(client.get(f"/volunteers/{volunteer.id}?round=2565"))
    assert "เกินประมาณ 40 ครัวเรือนต่อคน" in page
    assert "ภาระงานสูง" in text(client.get("/volunteers/?round=2565"))
    create(client, csrf, name="นายสอง ช่วยงาน", villages=(VILLAGE,))
    page = text(client.get(f"/volunteers/{volunteer.id}?round=2565"))
    assert "เกินประมาณ" in page  # 90 / 2 = 45, still above 40

    token = client.post("/api/v1/auth/enrolments",
                        json={"code": enrol_code(client, csrf, volunteer.id)}).json["token"]
    client.post("/api/v1/households", headers={"Authorization": f"Bearer {token}"},
                json=household_payload(1))
    dropped = client.post(f"/volunteers/{volunteer.id}?round=2565", data={
        "csrf_token": csrf, "display_name": "นางสาวใจดี มีสุข", "phone": "0812345678",
        "villages": ["65010203"]})
    assert dropped.status_code == 409
    assert "มีข้อมูลครัวเรือนในหมู่บ้าน/ชุมชนรหัส 65010201 แล้ว" in text(dropped)
    assert db.session.get(Assignment, (2565, VILLAGE, volunteer.id)) is not None


def test_volunteers_of_another_subdistrict_are_out_of_reach(client, login, make_user,
                                                            survey_round):
    csrf = login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102"))
    create(client, csrf)
    volunteer = db.session.scalar(select(User).where(User.role == Role.ENUMERATOR.value))
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650101"))
    hidden = client.get(f"/volunteers/{volunteer.id}?round=2565")
    assert hidden.status_code == 404 and "ไม่พบอาสาสมัครนี้ในพื้นที่ของท่าน" in text(hidden)
    assert not ENGLISH_CODE.search(text(hidden)) and "รหัสอ้างอิง" in text(hidden)
    assert client.post(f"/volunteers/{volunteer.id}/enrol?round=2565",
                       data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/volunteers/{volunteer.id}/active?round=2565",
                       data={"csrf_token": csrf, "active": "0"}).status_code == 404
    assert "นางสาวใจดี" not in text(client.get("/volunteers/?round=2565"))
    assert db.session.get(User, volunteer.id).active


def test_the_qr_link_uses_the_public_address_when_one_is_set(app, client, login, make_user,
                                                             survey_round):
    app.config["BMN_PUBLIC_URL"] = "https://bmn.example.go.th"
    csrf = login(make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102"))
    create(client, csrf)
    volunteer = db.session.scalar(select(User).where(User.role == Role.ENUMERATOR.value))
    page = text(client.post(f"/volunteers/{volunteer.id}/enrol?round=2565",
                            data={"csrf_token": csrf}))
    assert 'href="https://bmn.example.go.th/collect/#enrol/' in page
