"""Submitting, replaying, correcting, returning and locking households through the API."""
import copy
import json

from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from app.units import Unit
from survey import rollup as rollups
from survey.households import lock_area
from survey.models import Household, QualityIssue, VillageRollup, indicator_column
from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE


def households() -> int:
    return db.session.scalar(select(func.count()).select_from(Household))


def rollup(code=VILLAGE) -> VillageRollup | None:
    return db.session.get(VillageRollup, (2565, code))


def post(client, headers, body):
    return client.post("/api/v1/households", headers=headers, json=body)


def stored_record(client, headers, response) -> dict:
    """The full record of an acknowledged submission (the POST answers only a short
    acknowledgement and where the record is)."""
    return client.get(response.headers["Location"], headers=headers).json


def test_submission_is_stored_scored_and_counted(client, enumerator, auth_header,
                                                 household_payload):
    body = household_payload(1)
    response = post(client, auth_header(enumerator), body)
    assert response.status_code == 201, response.json
    ack = response.json
    assert "members" not in ack and "answers" not in ack  # short: the full record is at GET
    stored = stored_record(client, auth_header(enumerator), response)
    assert ack["indicators"] == stored["indicators"] and ack["version"] == stored["version"]
    assert stored["id"] == body["client_uuid"] and stored["status"] == "submitted"
    assert stored["lao_code"] == "6650102"  # from the register, not from the phone
    assert [r["number"] for r in stored["indicators"]] == list(range(1, 32))
    assert all(r["reason_th"] for r in stored["indicators"])
    assert response.headers["ETag"] == '"1"'
    row = rollup()
    assert (row.households, row.people, row.revision) == (1, len(body["members"]), 1)
    passed = sum(1 for r in stored["indicators"] if r["outcome"] == "pass")
    assert sum(getattr(row, indicator_column("passed", n)) for n in range(1, 32)) == passed


def test_replay_returns_the_stored_record_once(client, enumerator, auth_header,
                                               household_payload):
    body = household_payload(2)
    headers = auth_header(enumerator)
    first = post(client, headers, body)
    # The phone resends the same household (e.g. the acknowledgement was lost), with its
    # keys in another order.
    reordered = json.loads(json.dumps(body, sort_keys=True))
    again = client.post("/api/v1/households", headers=headers,
                        data=json.dumps(dict(reversed(list(reordered.items())))),
                        content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert households() == 1 and rollup().households == 1 and rollup().revision == 1


def test_different_payload_under_same_uuid_is_409(client, enumerator, auth_header,
                                                  household_payload):
    body = household_payload(3)
    headers = auth_header(enumerator)
    assert post(client, headers, body).status_code == 201
    changed = copy.deepcopy(body)
    changed["house_number"] = "99/9"
    response = post(client, headers, changed)
    assert response.status_code == 409
    assert response.json["error_code"] == "UUID_CONFLICT"
    assert households() == 1


def test_same_house_code_twice_in_a_round_is_409_pointing_at_the_first(
        client, enumerator, auth_header, household_payload):
    headers = auth_header(enumerator)
    first = stored_record(client, headers, post(client, headers, household_payload(4)))
    second = household_payload(5, house_code=first["house_code"])
    response = post(client, headers, second)
    assert response.status_code == 409
    assert response.json["error_code"] == "DUPLICATE_HOUSE_CODE"
    detail = response.json["errors"]["house_code"][0]
    assert detail["existing_id"] == first["id"]
    assert detail["existing_house_number"] == first["house_number"]
    assert detail["existing_village_code"] == first["village_code"]
    assert households() == 1


def test_enumerator_submits_only_for_assigned_villages(client, make_user, survey_round,
                                                       auth_header, household_payload):
    unassigned = make_user(Role.ENUMERATOR, area_code="650102")
    response = post(client, auth_header(unassigned), household_payload(6))
    assert response.status_code == 403 and response.json["error_code"] == "NOT_ASSIGNED"
    elsewhere = make_user(Role.ENUMERATOR, area_code="650201")
    response = post(client, auth_header(elsewhere), household_payload(7))
    assert response.status_code == 403 and response.json["error_code"] == "OUT_OF_SCOPE"
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    response = post(client, auth_header(officer), household_payload(8))
    assert response.status_code == 403 and response.json["error_code"] == "ROLE_NOT_ALLOWED"
    assert households() == 0


def test_reading_households_is_scoped(client, make_user, enumerator, auth_header,
                                      household_payload):
    stored = post(client, auth_header(enumerator), household_payload(9)).json
    own = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    other = make_user(Role.DISTRICT_OFFICER, area_code="6502")
    province = make_user(Role.PROVINCE_OFFICER, area_code="65")
    viewer = make_user(Role.VIEWER, area_code="65")
    url = f"/api/v1/households/{stored['id']}"
    seen = client.get(url, headers=auth_header(own))
    assert seen.status_code == 200
    assert seen.json["members"][0]["first_name"]  # the district checks names
    denied = client.get(url, headers=auth_header(other))  # as if it did not exist
    assert denied.status_code == 404 and denied.json["error_code"] == "UNKNOWN_HOUSEHOLD"
    masked = client.get(url, headers=auth_header(province)).json
    assert "first_name" not in masked["members"][0] and "national_id" not in masked["members"][0]
    assert masked["members"][0]["national_id_masked"].count("x") == 11  # 13 digits, 2 shown
    assert client.get(url, headers=auth_header(viewer)).status_code == 403
    listing = client.get("/api/v1/households", headers=auth_header(other)).json
    assert listing["numberMatched"] == 0
    assert client.get("/api/v1/households", headers=auth_header(own)).json["numberMatched"] == 1


def test_correction_needs_if_match_and_the_current_version(client, enumerator, auth_header,
                                                           household_payload):
    headers = auth_header(enumerator)
    body = household_payload(10)
    url = f"/api/v1/households/{body['client_uuid']}"
    post(client, headers, body)
    body["house_number"] = "12/34"
    missing = client.put(url, headers=headers, json=body)
    assert missing.status_code == 428 and missing.json["error_code"] == "IF_MATCH_REQUIRED"
    ok = client.put(url, headers={**headers, "If-Match": '"1"'}, json=body)
    assert ok.status_code == 200 and ok.json["version"] == 2
    assert ok.headers["ETag"] == '"2"' and ok.json["house_number"] == "12/34"
    stale = client.put(url, headers={**headers, "If-Match": '"1"'}, json=body)
    assert stale.status_code == 412 and stale.json["error_code"] == "VERSION_MISMATCH"
    assert rollup().households == 1 and rollup().revision == 2


def test_moving_a_household_moves_its_counts(client, enumerator, auth_header,
                                             household_payload):
    headers = auth_header(enumerator)
    body = household_payload(11)
    url = f"/api/v1/households/{body['client_uuid']}"
    post(client, headers, body)
    body["village_code"] = OTHER_VILLAGE
    response = client.put(url, headers={**headers, "If-Match": '"1"'}, json=body)
    assert response.status_code == 422
    assert response.json["errors"]["village_code"][0]["error_code"] == \
        "VILLAGE_CHANGE_NOT_ALLOWED"
    moved = client.post(url + "/move", headers={**headers, "If-Match": '"1"'},
                        json={"village_code": OTHER_VILLAGE, "reason": "บ้านอยู่หมู่ 2"})
    assert moved.status_code == 200 and moved.json["village_code"] == OTHER_VILLAGE
    assert (rollup(VILLAGE).households, rollup(OTHER_VILLAGE).households) == (0, 1)
    assert rollup(VILLAGE).people == 0


def test_return_and_resubmission(client, enumerator, make_user, auth_header,
                                 household_payload):
    headers = auth_header(enumerator)
    body = household_payload(12)
    url = f"/api/v1/households/{body['client_uuid']}"
    post(client, headers, body)
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    enumerator_return = client.post(url + "/return", headers=headers,
                                    json={"reason": "รายได้ไม่สอดคล้องกับอาชีพ"})
    assert enumerator_return.status_code == 403
    returned = client.post(url + "/return", headers=auth_header(officer),
                           json={"reason": "รายได้ไม่สอดคล้องกับอาชีพ"})
    assert returned.status_code == 200
    assert returned.json["status"] == "returned"
    assert returned.json["returned"]["reason"] == "รายได้ไม่สอดคล้องกับอาชีพ"
    assert returned.json["returned"]["by"] == officer.id
    assert rollup().returned_households == 1
    fixed = client.put(url, headers={**headers, "If-Match": returned.headers["ETag"]},
                       json=body)
    assert fixed.status_code == 200 and fixed.json["status"] == "resubmitted"
    assert rollup().returned_households == 0


def test_locked_households_cannot_change(client, enumerator, make_user, auth_header,
                                         household_payload):
    headers = auth_header(enumerator)
    body = household_payload(13)
    url = f"/api/v1/households/{body['client_uuid']}"
    post(client, headers, body)
    assert lock_area(enumerator, 2565, Unit('area', VILLAGE)) == 1
    db.session.commit()
    current = client.get(url, headers=headers)
    assert current.json["status"] == "locked"
    response = client.put(url, headers={**headers, "If-Match": current.headers["ETag"]},
                          json=body)
    assert response.status_code == 409 and response.json["error_code"] == "HOUSEHOLD_LOCKED"
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    assert client.post(url + "/return", headers=auth_header(officer),
                       json={"reason": "ตรวจสอบอีกครั้ง"}).status_code == 409


def test_invalid_household_names_each_field_and_stores_nothing(client, enumerator,
                                                               auth_header, household_payload):
    body = household_payload(14)
    good_id = body["members"][0]["national_id"]
    body["members"][0]["national_id"] = good_id[:12] + str((int(good_id[12]) + 1) % 10)
    body["gps"] = {"lat": 51.5, "lon": -0.12, "accuracy_m": 5}
    body["head_signoff"] = None
    body["house_code"] = "1001" + body["house_code"][4:]
    response = post(client, auth_header(enumerator), body)
    assert response.status_code == 422 and response.json["error_code"] == "VALIDATION_ERROR"
    errors = response.json["errors"]
    codes = {field: [e["error_code"] for e in items] for field, items in errors.items()}
    assert codes["members[0].national_id"] == ["NATIONAL_ID_CHECK_DIGIT"]
    assert codes["gps"] == ["GPS_OUTSIDE_THAILAND"]
    assert codes["head_signoff"] == ["SIGNOFF_REQUIRED"]
    assert codes["house_code"] == ["HOUSE_CODE_OFFICE"]
    assert all(e["message"] for items in errors.items() for e in items[1])
    assert households() == 0 and rollup() is None


def test_missing_gps_needs_a_reason(client, enumerator, auth_header, household_payload):
    response = post(client, auth_header(enumerator), household_payload(15, gps=None))
    assert response.json["errors"]["gps_missing_reason"][0]["error_code"] == \
        "GPS_REASON_REQUIRED"
    ok = post(client, auth_header(enumerator),
              household_payload(15, gps=None, gps_missing_reason="ไม่มีสัญญาณ GPS ในบ้าน"))
    assert ok.status_code == 201
    assert stored_record(client, auth_header(enumerator), ok)["gps"] is None


def test_same_person_in_two_households_is_accepted_and_flagged(client, enumerator, auth_header,
                                                               household_payload):
    headers = auth_header(enumerator)
    first = household_payload(16)
    second = household_payload(17)
    second["members"][0]["national_id"] = first["members"][0]["national_id"]
    assert post(client, headers, first).status_code == 201
    assert post(client, headers, second).status_code == 201
    issues = db.session.scalars(select(QualityIssue)).all()
    assert sorted((i.household_id, i.other_household_id) for i in issues) == sorted(
        [(first["client_uuid"], second["client_uuid"]),
         (second["client_uuid"], first["client_uuid"])])
    assert first["members"][0]["national_id"] not in json.dumps([i.detail for i in issues])


def test_income_line_boundary_reaches_the_rollup(client, enumerator, auth_header,
                                                 household_payload):
    headers = auth_header(enumerator)
    at_line = household_payload(18)
    members = len(at_line["members"])
    income = {"22.1.1": 38_000 * members, "22.1.2": 0, "22.1.3": 0, "22.1.4": 0}
    at_line["answers"].update(income)
    under = household_payload(19)
    under["answers"].update({"22.1.1": 38_000 * len(under["members"]) - 1, "22.1.2": 0,
                             "22.1.3": 0, "22.1.4": 0})
    results = {}
    for body in (at_line, under):
        response = post(client, headers, body)
        assert response.status_code == 201, response.json
        results[body["client_uuid"]] = next(r for r in response.json["indicators"]
                                            if r["number"] == 22)["outcome"]
    assert results == {at_line["client_uuid"]: "pass", under["client_uuid"]: "fail"}
    assert rollup().below_income_line == 1


def test_questionnaire_is_served_to_phones(client, enumerator, auth_header):
    body = client.get("/api/v1/questionnaires/2560-2564", headers=auth_header(enumerator)).json
    assert len(body["indicators"]) == 31
    missing = client.get("/api/v1/questionnaires/9999", headers=auth_header(enumerator))
    assert missing.status_code == 404


def test_my_villages_show_progress(client, enumerator, auth_header, household_payload):
    post(client, auth_header(enumerator), household_payload(20))
    villages = client.get("/api/v1/rounds/2565/my-villages", headers=auth_header(enumerator)).json
    progress = {v["code"]: v["collected"] for v in villages}
    assert progress == {VILLAGE: 1, OTHER_VILLAGE: 0}
    assert villages[0]["lao_name_th"]


# ------------------------------------------------------------------ partial households

def reasons(client, headers) -> dict:
    questionnaire = client.get("/api/v1/questionnaires/2560-2564", headers=headers).json
    return {e["value"]: e for e in questionnaire["code_lists"]["incomplete_reason"]["values"]}


def test_unanswered_questions_are_refused_by_name_unless_a_reason_is_chosen(
        client, enumerator, auth_header, household_payload):
    """A field test stored a household with no answer at all: now it is a 422 naming
    every unanswered question, and nothing is stored."""
    headers = auth_header(enumerator)
    response = post(client, headers, household_payload(30, answers={}))
    assert response.status_code == 422 and response.json["error_code"] == "VALIDATION_ERROR"
    errors = response.json["errors"]
    assert {"answers.4.1", "answers.8.1", "answers.22.1.1"} <= set(errors)
    assert all(field.startswith("answers.") for field in errors)
    assert {e["error_code"] for items in errors.values() for e in items} == {"ANSWER_REQUIRED"}
    assert "ข้อ 4.1" in errors["answers.4.1"][0]["message"]
    assert households() == 0 and rollup() is None
    # The phone offers the reasons, with Thai labels, from the questionnaire.
    offered = reasons(client, headers)
    assert set(offered) == {"refused_part", "respondent_unavailable", "other"}
    assert offered["refused_part"]["label_th"] == "ครัวเรือนไม่ยินยอมตอบบางส่วน"
    assert offered["other"]["note_required"] is True


def test_reason_codes_outside_the_list_are_refused(client, enumerator, auth_header,
                                                   household_payload):
    headers = auth_header(enumerator)
    for reason, field, code in (("too_busy", "incomplete_reason", "CODE_NOT_IN_LIST"),
                                ("other", "incomplete_note", "FIELD_REQUIRED")):
        response = post(client, headers, household_payload(31, answers={},
                                                           incomplete_reason=reason))
        assert response.status_code == 422, response.json
        assert [e["error_code"] for e in response.json["errors"][field]] == [code]
    assert households() == 0


def test_a_partial_household_is_stored_with_its_reason_and_counted_apart(
        client, login, make_user, enumerator, auth_header, household_payload, survey_round):
    headers = auth_header(enumerator)
    assert post(client, headers, household_payload(32)).status_code == 201
    body = household_payload(33, answers={}, incomplete_reason="refused_part")
    response = post(client, headers, body)
    assert response.status_code == 201, response.json
    stored = stored_record(client, headers, response)
    assert (stored["incomplete_reason"], stored["incomplete_reason_th"]) == (
        "refused_part", "ครัวเรือนไม่ยินยอมตอบบางส่วน")
    assert "ANSWER_MISSING" in {w["error_code"] for w in stored["warnings"]}
    assert "incomplete" in {r["outcome"] for r in stored["indicators"]}
    url = f"/api/v1/households/{body['client_uuid']}"
    assert client.get(url, headers=headers).json["incomplete_reason"] == "refused_part"
    assert client.get(url + "/history", headers=headers).json[0]["detail"] == {
        "incomplete_reason": "refused_part"}
    # Rollups: collected like any household, and counted apart; still exact.
    row = rollup()
    assert (row.households, row.partial_households) == (2, 1)
    assert rollups.totals_of(row) == rollups.recompute(survey_round, VILLAGE)
    # Reports: JSON, CSV.
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    officer_headers = auth_header(officer)
    for kind in ("population", "indicators", "income-expense"):
        report = client.get(f"/api/v1/reports/{kind}?round=2565&area=650102&breakdown=true",
                            headers=officer_headers).json
        assert report["partial_households"] == 1, kind
        assert report["breakdown"][0]["partial_households"] == 1
    csv_lines = client.get("/api/v1/reports/population?round=2565&area=650102&format=csv",
                           headers=officer_headers).get_data(as_text=True).splitlines()
    header = csv_lines[0].lstrip("\ufeff").split(",")
    column = header.index("ครัวเรือนที่ข้อมูลไม่สมบูรณ์ (มีเหตุผล)")
    assert {line.split(",")[column] for line in csv_lines[1:]} == {"1"}
    # Progress: the page and its download have their own column.
    login(officer)
    page = client.get("/progress/?area=650102&round=2565").get_data(as_text=True)
    assert "ไม่สมบูรณ์ (มีเหตุผล)" in page and 'id="total-partial">1<' in page
    lines = client.get("/progress/?area=650102&round=2565&format=csv").get_data(
        as_text=True).lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    village = next(line.split(",") for line in lines if line.startswith(VILLAGE))
    assert village[header.index("จัดเก็บแล้ว")] == "2"
    assert village[header.index("ไม่สมบูรณ์ (มีเหตุผล)")] == "1"


def test_a_correction_that_removes_answers_needs_a_reason(client, enumerator, auth_header,
                                                          household_payload, survey_round):
    headers = auth_header(enumerator)
    body = household_payload(34)
    url = f"/api/v1/households/{body['client_uuid']}"
    assert post(client, headers, body).status_code == 201
    gaps = copy.deepcopy(body)
    del gaps["answers"]["4.1"], gaps["answers"]["8.1"]
    refused = client.put(url, headers={**headers, "If-Match": '"1"'}, json=gaps)
    assert refused.status_code == 422
    assert {field: [e["error_code"] for e in items]
            for field, items in refused.json["errors"].items()} == {
        "answers.4.1": ["ANSWER_REQUIRED"], "answers.8.1": ["ANSWER_REQUIRED"]}
    assert db.session.get(Household, body["client_uuid"]).version == 1
    note = "ผู้ให้ข้อมูลต้องรีบไปทำงาน"
    explained = dict(gaps, incomplete_reason="other", incomplete_note=note)
    corrected = client.put(url, headers={**headers, "If-Match": '"1"'}, json=explained)
    assert corrected.status_code == 200, corrected.json
    assert (corrected.json["incomplete_reason"], corrected.json["incomplete_note"]) == (
        "other", note)
    assert rollup().partial_households == 1
    last = client.get(url + "/history", headers=headers).json[-1]
    assert last["detail"]["incomplete_reason"] == "other" and note not in str(last)
    assert {"answers.4.1", "incomplete_reason", "incomplete_note"} <= set(
        last["detail"]["fields"])
    # Answered again: the reason has nothing left to explain and is dropped with a warning.
    complete = dict(body, incomplete_reason="other", incomplete_note=note)
    fixed = client.put(url, headers={**headers, "If-Match": '"2"'}, json=complete)
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["incomplete_reason"] is None and fixed.json["incomplete_note"] is None
    assert ("incomplete_reason", "REASON_NOT_NEEDED") in {
        (w["field"], w["error_code"]) for w in fixed.json["warnings"]}
    assert rollup().partial_households == 0
    assert rollups.totals_of(rollup()) == rollups.recompute(survey_round, VILLAGE)
