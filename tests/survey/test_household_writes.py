"""Writes are exact and accountable: who may correct or move a household, the history of
every change, races answered as if the request came second, odd text refused field by
field, and one stored truth per household (results, income, dropped answers)."""
import unicodedata

from sqlalchemy import func, select

from app.areas.queries import get_area
from app.auth.models import Role
from app.extensions import db
from survey import planning
from survey.models import Household, HouseholdHistory
from survey.validation import national_id_check_digit
from tests.fixtures.concurrency import parallel
from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE

URL = "/api/v1/households"


def post(client, headers, body):
    return client.post(URL, headers=headers, json=body)


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Household))


def field_codes(response) -> dict:
    return {field: [e["error_code"] for e in items]
            for field, items in response.json.get("errors", {}).items()}


def history(client, headers, household_id):
    response = client.get(f"{URL}/{household_id}/history", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


# ------------------------------------------------------------------ who may change what

def test_an_enumerator_cannot_correct_or_take_another_villages_household(
        client, make_user, survey_round, enumerator, auth_header, household_payload):
    """Scoped to the whole subdistrict but assigned to one village only: the other
    village's households are not theirs to read, correct or pull into their village."""
    theirs = household_payload(1, village_code=OTHER_VILLAGE)
    assert post(client, auth_header(enumerator), theirs).status_code == 201
    intruder = make_user(Role.ENUMERATOR, area_code="650102")
    planning.assign(survey_round, intruder, get_area(VILLAGE))
    db.session.commit()
    headers = {**auth_header(intruder), "If-Match": '"1"'}
    taken = dict(theirs, village_code=VILLAGE)
    taken["members"][0]["first_name"] = "ผู้บุกรุก"
    for body in (taken, dict(theirs)):
        response = client.put(f"{URL}/{theirs['client_uuid']}", headers=headers, json=body)
        assert response.status_code == 404, response.json
    moved = client.post(f"{URL}/{theirs['client_uuid']}/move", headers=headers,
                        json={"village_code": VILLAGE, "reason": "ย้าย"})
    assert moved.status_code == 404
    record = db.session.get(Household, theirs["client_uuid"])
    assert record.village_code == OTHER_VILLAGE and record.version == 1
    assert record.members[0].first_name != "ผู้บุกรุก"


def test_a_correction_cannot_change_the_village_and_records_who_changed_what(
        client, enumerator, auth_header, household_payload):
    headers = auth_header(enumerator)
    body = household_payload(2)
    assert post(client, headers, body).status_code == 201
    url = f"{URL}/{body['client_uuid']}"
    elsewhere = dict(body, village_code=OTHER_VILLAGE)
    refused = client.put(url, headers={**headers, "If-Match": '"1"'}, json=elsewhere)
    assert refused.status_code == 422
    assert field_codes(refused)["village_code"] == ["VILLAGE_CHANGE_NOT_ALLOWED"]
    body["house_number"] = "77/1"
    body["answers"]["22.1.1"] = 55_555
    assert client.put(url, headers={**headers, "If-Match": '"1"'}, json=body).status_code == 200
    entries = history(client, headers, body["client_uuid"])
    assert [(e["action"], e["version"], e["actor_id"]) for e in entries] == [
        ("submitted", 1, enumerator.id), ("corrected", 2, enumerator.id)]
    assert entries[1]["actor_role"] == "enumerator" and entries[1]["actor_name"]
    assert {"house_number", "answers.22.1.1"} <= set(entries[1]["detail"]["fields"])
    assert "77/1" not in str(entries) and "55555" not in str(entries)  # names, not values
    assert db.session.get(Household, body["client_uuid"]).updated_by_id == enumerator.id


def test_moving_is_explicit_logged_and_allowed_only_on_both_villages(
        client, make_user, survey_round, enumerator, auth_header, household_payload):
    body = household_payload(3)
    assert post(client, auth_header(enumerator), body).status_code == 201
    url = f"{URL}/{body['client_uuid']}/move"
    request = {"village_code": "65010203", "reason": "บ้านหลังนี้อยู่หมู่ 3"}
    # The enumerator is not assigned to 65010203.
    not_assigned = client.post(url, headers={**auth_header(enumerator), "If-Match": '"1"'},
                               json=request)
    assert not_assigned.status_code == 403 and not_assigned.json["error_code"] == "NOT_ASSIGNED"
    # A district officer never edits data.
    district = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    assert client.post(url, headers={**auth_header(district), "If-Match": '"1"'},
                       json=request).status_code == 403
    # The subdistrict coordinator may, within the subdistrict, with If-Match and a reason.
    coordinator = make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102")
    headers = auth_header(coordinator)
    assert client.post(url, headers=headers, json=request).status_code == 428
    assert client.post(url, headers={**headers, "If-Match": '"1"'},
                       json={"village_code": "65010203"}).status_code == 422
    outside = client.post(url, headers={**headers, "If-Match": '"1"'},
                          json={"village_code": "65010301", "reason": "ผิดตำบล"})
    assert outside.status_code == 403
    moved = client.post(url, headers={**headers, "If-Match": '"1"'}, json=request)
    assert moved.status_code == 200 and moved.json["village_code"] == "65010203"
    last = history(client, headers, body["client_uuid"])[-1]
    assert (last["action"], last["reason"], last["actor_id"]) == (
        "moved", "บ้านหลังนี้อยู่หมู่ 3", coordinator.id)
    assert last["detail"] == {"from_village": VILLAGE, "to_village": "65010203"}


def test_every_return_keeps_its_reason(client, make_user, enumerator, auth_header,
                                       household_payload):
    body = household_payload(4)
    headers = auth_header(enumerator)
    assert post(client, headers, body).status_code == 201
    officer = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    url = f"{URL}/{body['client_uuid']}"
    assert client.post(url + "/return", headers=officer,
                       json={"reason": "รายได้ไม่ครบ"}).status_code == 200
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.put(url, headers={**headers, "If-Match": etag}, json=body).status_code == 200
    assert client.post(url + "/return", headers=officer,
                       json={"reason": "อายุสมาชิกไม่ตรง"}).status_code == 200
    reasons = [e["reason"] for e in history(client, headers, body["client_uuid"])
               if e["action"] == "returned"]
    assert reasons == ["รายได้ไม่ครบ", "อายุสมาชิกไม่ตรง"]


# ------------------------------------------------------------------ races

def test_the_same_submission_twenty_times_at_once_is_stored_once(
        app, enumerator, auth_header, household_payload):
    headers, body = auth_header(enumerator), household_payload(5)
    responses = parallel(app, 20, lambda c, i: c.post(URL, headers=headers, json=body))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 19 + [201], codes
    assert {r.json["id"] for r in responses} == {body["client_uuid"]}
    db.session.expire_all()
    assert stored_count() == 1
    assert db.session.scalar(select(func.count()).select_from(HouseholdHistory)) == 1


def test_two_corrections_of_the_same_version_one_wins_one_gets_412(
        app, client, enumerator, auth_header, household_payload):
    headers, body = auth_header(enumerator), household_payload(6)
    assert post(client, headers, body).status_code == 201
    edits = [dict(body, house_number=f"{n}/1") for n in range(2)]
    responses = parallel(app, 2, lambda c, i: c.put(
        f"{URL}/{body['client_uuid']}", headers={**headers, "If-Match": '"1"'}, json=edits[i]))
    assert sorted(r.status_code for r in responses) == [200, 412], [r.json for r in responses]
    loser = next(r for r in responses if r.status_code == 412)
    assert loser.json["error_code"] == "VERSION_MISMATCH"
    db.session.expire_all()
    assert db.session.get(Household, body["client_uuid"]).version == 2


# ------------------------------------------------------------------ odd text

def test_text_no_form_should_accept_is_refused_by_field(client, enumerator, auth_header,
                                                        household_payload):
    body = household_payload(7)
    body["members"][0]["first_name"] = "\u200b\u200c\u0e34\u0e37"  # zero-width + marks only
    body["members"][0]["last_name"] = "ใจดี\u202eเกิน"             # right-to-left override
    body["house_number"] = "12\x07"
    body["answers"]["22.1.1"] = 10 ** 11
    if len(body["members"]) > 1:
        body["members"][1]["first_name"] = "ก" * 10_000
    response = post(client, auth_header(enumerator), body)
    assert response.status_code == 422, response.json
    codes = field_codes(response)
    assert codes["members[0].first_name"] == ["NAME_NOT_TEXT"]
    assert codes["members[0].last_name"] == ["TEXT_INVALID_CHARACTER"]
    assert codes["house_number"] == ["TEXT_INVALID_CHARACTER"]
    assert codes["answers.22.1.1"] == ["AMOUNT_OUT_OF_RANGE"]
    if len(body["members"]) > 1:
        assert codes["members[1].first_name"] == ["TEXT_TOO_LONG"]
    assert all(item["message"] for items in response.json["errors"].values()
               for item in items)
    assert stored_count() == 0


def test_thai_digits_are_not_codes(client, enumerator, auth_header, household_payload):
    body = household_payload(8)
    thai = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
    body["village_code"] = VILLAGE.translate(thai)
    assert post(client, auth_header(enumerator), body).status_code == 422
    body = household_payload(9, house_code="65²²0000001")
    response = post(client, auth_header(enumerator), body)
    assert response.status_code == 422 and field_codes(response)["house_code"] == [
        "HOUSE_CODE_FORMAT"]


def test_text_is_stored_in_nfc(client, enumerator, auth_header, household_payload):
    body = household_payload(10)
    body["members"][0]["first_name"] = "Rene\u0301"
    response = post(client, auth_header(enumerator), body)
    assert response.status_code == 201
    name = db.session.get(Household, body["client_uuid"]).members[0].first_name
    assert name == "Ren\u00e9" and unicodedata.is_normalized("NFC", name)


def test_member_count_limits(client, enumerator, auth_header, household_payload):
    body = household_payload(11)
    template = body["members"][-1]
    many = dict(body, members=body["members"] + [
        dict(template, is_head=False, relationship=template.get("relationship") or "03",
             national_id=None) for _ in range(51)])
    response = post(client, auth_header(enumerator), many)
    assert response.status_code == 422 and field_codes(response)["members"] == [
        "MEMBERS_TOO_MANY"]
    assert stored_count() == 0
    large = household_payload(12)
    extra = 21 - len(large["members"])
    large["members"] += [dict(template, is_head=False, informant=False,
                              relationship=template.get("relationship") or "03",
                              national_id=valid_id(f"31006{n:07d}")) for n in range(extra)]
    accepted = post(client, auth_header(enumerator), large)
    assert accepted.status_code == 201, accepted.json
    assert "MEMBERS_MANY" in [w["error_code"] for w in accepted.json["warnings"]]


def valid_id(first_twelve: str) -> str:
    return first_twelve + str(national_id_check_digit(first_twelve))


# ------------------------------------------------------------------ one truth

def test_scoring_settings_cannot_change_once_households_exist(
        client, make_user, enumerator, auth_header, household_payload):
    body = household_payload(12)
    assert post(client, auth_header(enumerator), body).status_code == 201
    created = client.get(f"{URL}/{body['client_uuid']}", headers=auth_header(enumerator)).json
    admin = auth_header(make_user(Role.DEPARTMENT_ADMIN))
    round_ = {"year": 2565, "questionnaire_version": "2560-2564",
              "collection_start": "2022-01-01", "collection_end": "2022-05-31"}
    changed = client.post("/api/v1/rounds", headers=admin, json={**round_, "income_line": 50_000})
    assert changed.status_code == 409 and changed.json["error_code"] == "ROUND_HAS_HOUSEHOLDS"
    # The window is not a scoring setting: it may move.
    moved = client.post("/api/v1/rounds", headers=admin,
                        json={**round_, "collection_end": "2022-06-30"})
    assert moved.status_code == 201 and moved.json["income_line"] == 38_000
    seen = client.get(f"{URL}/{body['client_uuid']}", headers=auth_header(enumerator)).json
    assert seen["indicators"] == created["indicators"]
    assert seen["rules_version"] == created["rules_version"] == "2560-2564/1"


def test_an_unanswered_income_item_makes_income_unknown_not_zero(
        client, make_user, enumerator, auth_header, household_payload):
    headers = auth_header(enumerator)
    complete = household_payload(13)
    complete["answers"].update({"22.1.1": 100_000, "22.1.2": 20_000, "22.1.3": 0,
                                "22.1.4": 5_000})
    partial = household_payload(14, incomplete_reason="respondent_unavailable")
    partial["answers"].update({"22.1.1": 300_000, "22.1.2": 8_400, "22.1.4": 0})
    partial["answers"].pop("22.1.3", None)
    assert post(client, headers, complete).status_code == 201
    assert post(client, headers, partial).status_code == 201
    stored = client.get(f"{URL}/{partial['client_uuid']}", headers=headers).json
    assert stored["income_total"] is None and stored["income_per_person"] is None
    assert next(r for r in stored["indicators"] if r["number"] == 22)["outcome"] == "incomplete"
    officer = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    report = client.get(f"/api/v1/reports/income-expense?round=2565&area={VILLAGE}",
                        headers=officer).json
    income = report["income"]
    assert income["sum"] == 125_000 == sum(item["sum"] for item in income["items"])
    assert income["households"] == 1 and report["households"] == 2
    assert income["per_household"] == 125_000
    assert income["per_person"] == round(125_000 / len(complete["members"]), 2)


def test_an_answer_the_household_is_not_asked_is_dropped_with_a_warning(
        client, enumerator, auth_header, household_payload):
    body = household_payload(15)
    body["answers"]["22.3.1"] = {"option": "0"}
    body["answers"]["22.3.1.5"] = {"option": "1", "amount": 10_000}
    response = post(client, auth_header(enumerator), body)
    assert response.status_code == 201, response.json
    assert ("answers.22.3.1.5", "ANSWER_NOT_RELEVANT") in {
        (w["field"], w["error_code"]) for w in response.json["warnings"]}
    assert "22.3.1.5" not in db.session.get(Household, body["client_uuid"]).answers
