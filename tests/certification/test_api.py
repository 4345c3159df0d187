"""Certification through the HTTP API: each transition allowed and refused (role × scope
× state), the gates, staleness after a correction, returns that travel down to the LAO
tier, the lock, concurrent decisions, minutes, quality issues and national progress."""
import io
import unicodedata

import pypdfium2
import pytest
from sqlalchemy import select, text

from app.extensions import db
from certification import log
from certification.models import Decision, Event
from tests.fixtures.certification import DISTRICT, LAOS, PROVINCE, VILLAGES
from tests.fixtures.concurrency import parallel

API = "/api/v1/certification"
LAO_A, LAO_B = sorted(LAOS)


def unit(client, headers, tier, code):
    response = client.get(f"{API}/units/{tier}/{code}?round=2565", headers=headers)
    assert response.status_code == 200, response.json
    return response


def certify(client, province, who, tier, code, **meeting):
    seen = unit(client, province.headers[who], tier, code)
    body = province.meeting(**meeting) if tier != "department" else {}
    return client.post(f"{API}/units/{tier}/{code}/certify?round=2565", json=body,
                       headers={**province.headers[who], "If-Match": seen.headers["ETag"]})


def certify_laos(client, province):
    for lao in LAOS:
        response = certify(client, province, f"lao{lao}", "lao", lao)
        assert response.status_code == 201, response.json


def pdf_text(data: bytes) -> str:
    """The PDF's text layer, compatibility-decomposed (SARA AM is written as NIKHAHIT +
    SARA AA, see certification/packs.py): compare with ``thai()`` of the expected text."""
    document = pypdfium2.PdfDocument(data)
    return thai("".join(page.get_textpage().get_text_range() for page in document))


def thai(text: str) -> str:
    return unicodedata.normalize("NFKD", text)


def test_units_show_their_state_and_every_failing_gate(client, tiny_province):
    listing = client.get(f"{API}/units?round=2565", headers=tiny_province.headers["district"])
    assert listing.status_code == 200
    units = {(u["tier"], u["code"]): u for u in listing.json["items"]}
    assert set(units) == {("lao", LAO_A), ("lao", LAO_B), ("district", DISTRICT)}
    lao = units[("lao", LAO_A)]
    assert lao["state"] == "collecting" and lao["coverage_pct"] == 0
    failing = {g["name"] for g in lao["gates"] if not g["passed"]}
    assert failing == {"coverage"}
    assert {g["name"] for g in units[("district", DISTRICT)]["gates"]
            if not g["passed"]} == {"coverage", "lower_units_certified"}
    # The province officer sees the province and its acceptance is the department's.
    mine = client.get(f"{API}/units?round=2565&tier=province",
                      headers=tiny_province.headers["province"]).json["items"]
    assert [(u["tier"], u["code"]) for u in mine] == [("province", PROVINCE)]


def test_an_lao_certifies_its_data_and_its_households_lock(client, collected):
    headers = collected.headers[f"lao{LAO_A}"]
    seen = unit(client, headers, "lao", LAO_A)
    assert seen.json["state"] == "ready" and seen.json["failing_gates"] == 0
    url = f"{API}/units/lao/{LAO_A}/certify?round=2565"
    no_etag = client.post(url, json=collected.meeting(), headers=headers)
    assert no_etag.status_code == 428 and no_etag.headers["ETag"] == seen.headers["ETag"]
    stale = client.post(url, json=collected.meeting(), headers={**headers, "If-Match": '"x"'})
    assert stale.status_code == 412
    small = client.post(url, json=collected.meeting(size=2),
                        headers={**headers, "If-Match": seen.headers["ETag"]})
    assert small.status_code == 422
    assert small.json["errors"]["participants"][0]["error_code"] == "TOO_FEW_PARTICIPANTS"
    early = client.post(url, json=collected.meeting(date="2021-12-31"),
                        headers={**headers, "If-Match": seen.headers["ETag"]})
    assert early.json["errors"]["date"][0]["error_code"] == "MEETING_DATE_OUTSIDE_ROUND"
    assert db.session.scalar(select(Decision.id)) is None  # nothing of it was stored
    done = client.post(url, json=collected.meeting(),
                       headers={**headers, "If-Match": seen.headers["ETag"]})
    assert done.status_code == 201, done.json
    assert done.json["kind"] == "certified" and done.json["meeting"]["place"]
    assert unit(client, headers, "lao", LAO_A).json["state"] == "certified"
    again = client.post(url, json=collected.meeting(),
                        headers={**headers, "If-Match": seen.headers["ETag"]})
    assert again.status_code == 409 and again.json["error_code"] == "ALREADY_CERTIFIED"
    # Its households are locked; the other LAO's are not.
    body = collected.sent[LAOS[LAO_A][0]][0]
    enumerator = collected.headers[f"enumerator{LAO_A}"]
    record = client.get(f"/api/v1/households/{body['client_uuid']}", headers=enumerator)
    assert record.json["status"] == "locked"
    edit = client.put(f"/api/v1/households/{body['client_uuid']}", json=body,
                      headers={**enumerator, "If-Match": record.headers["ETag"]})
    assert edit.status_code == 409 and edit.json["error_code"] == "HOUSEHOLD_LOCKED"
    other = collected.sent[LAOS[LAO_B][0]][0]["client_uuid"]
    assert client.get(f"/api/v1/households/{other}", headers=collected.headers[
        f"enumerator{LAO_B}"]).json["status"] == "submitted"
    # The log holds the certification with the stored pack's hash; the pack reads in Thai.
    event = db.session.scalars(select(Event)).one()
    decision = db.session.get(Decision, done.json["id"])
    assert (event.event, event.unit_code) == ("certified", LAO_A)
    assert event.document_sha256 == decision.pack_sha256 == done.json["pack_sha256"]
    pack = client.get(f"{API}/decisions/{decision.id}/pack.pdf", headers=headers)
    assert pack.status_code == 200 and pack.mimetype == "application/pdf"
    words = pdf_text(pack.data)
    for expected in ("เอกสารประกอบการประชุมรับรองข้อมูล", "องค์การบริหารส่วนตำบลทดสอบ01",
                     "รายงานประชากร", "ผ่านเกณฑ์", "นายทดสอบ คนที่0", "ลงชื่อ"):
        assert thai(expected) in words, expected


@pytest.mark.parametrize("who, code", [("district", "WRONG_TIER"), ("coordinator",
                                                                    "WRONG_TIER"),
                                       ("province", "WRONG_TIER")])
def test_only_the_lao_tier_certifies_an_lao(client, collected, who, code):
    response = certify(client, collected, who, "lao", LAO_A)
    assert response.status_code == 403 and response.json["error_code"] == code


def test_a_unit_outside_the_scope_is_not_found(client, collected):
    other_lao = collected.headers[f"lao{LAO_B}"]
    assert client.get(f"{API}/units/lao/{LAO_A}?round=2565",
                      headers=other_lao).status_code == 404
    far = collected.headers["other_district"]
    assert client.get(f"{API}/units/district/{DISTRICT}?round=2565",
                      headers=far).status_code == 404
    assert client.get(f"{API}/units?round=2565", headers=far).json["numberMatched"] == 0


def test_failing_gates_are_listed_and_block(client, tiny_province, household_payload):
    headers = tiny_province.headers[f"enumerator{LAO_A}"]
    body = household_payload(1, village_code=LAOS[LAO_A][0], house_code="74010000001")
    assert client.post("/api/v1/households", json=body, headers=headers).status_code == 201
    response = certify(client, tiny_province, f"lao{LAO_A}", "lao", LAO_A)
    assert response.status_code == 409 and response.json["error_code"] == "GATES_FAILED"
    gates = response.json["errors"]["gates"]
    assert [g["name"] for g in gates] == ["coverage"]
    assert "25.0%" in gates[0]["value"] and gates[0]["threshold"] == "≥ 90%"


def test_a_partial_household_with_its_reason_does_not_block_the_lao(client, collected,
                                                                      household_payload):
    village = LAOS[LAO_A][0]
    partial = household_payload(998, village_code=village, house_code="74010009998")
    partial["answers"] = {}
    headers = collected.headers[f"enumerator{LAO_A}"]
    assert client.post("/api/v1/households", json=partial,
                       headers=headers).status_code == 422
    partial["incomplete_reason"] = "refused_part"
    assert client.post("/api/v1/households", json=partial,
                       headers=headers).status_code == 201
    assert certify(client, collected, f"lao{LAO_A}", "lao", LAO_A).status_code == 201


def test_a_district_waits_for_every_lao(client, collected):
    early = certify(client, collected, "district", "district", DISTRICT)
    assert early.status_code == 409
    assert [g["name"] for g in early.json["errors"]["gates"]] == ["lower_units_certified"]
    certify_laos(client, collected)
    assert certify(client, collected, "district", "district", DISTRICT).status_code == 201


def test_the_whole_cycle_with_a_return_that_travels_down(client, collected):
    h = collected.headers
    certify_laos(client, collected)
    assert certify(client, collected, "district", "district", DISTRICT).status_code == 201
    # The province returns one household of LAO A (the district never edits data).
    body = collected.sent[LAOS[LAO_A][1]][0]
    returned = client.post(f"{API}/returns", headers=h["province"], json={
        "round": 2565, "households": [{"id": body["client_uuid"],
                                       "reason": "รายได้ไม่สอดคล้องกับอาชีพ"}]})
    assert returned.status_code == 201, returned.json
    assert unit(client, h[f"lao{LAO_A}"], "lao", LAO_A).json["state"] == "stale"
    assert unit(client, h["district"], "district", DISTRICT).json["state"] == "stale"
    assert unit(client, h[f"lao{LAO_B}"], "lao", LAO_B).json["state"] == "certified"
    # The LAO sees what came back, from whom and why; the enumerator gets it to fix.
    lao_view = unit(client, h[f"lao{LAO_A}"], "lao", LAO_A).json
    assert [(r["household_id"], r["reason"], r["by_role"]) for r in
            lao_view["returned_households"]] == [
        (body["client_uuid"], "รายได้ไม่สอดคล้องกับอาชีพ", "province_officer")]
    enumerator = h[f"enumerator{LAO_A}"]
    waiting = client.get("/api/v1/households?status=returned&round=2565",
                         headers=enumerator).json
    assert [x["id"] for x in waiting["items"]] == [body["client_uuid"]]
    blocked = certify(client, collected, f"lao{LAO_A}", "lao", LAO_A)
    assert blocked.status_code == 409
    assert [g["name"] for g in blocked.json["errors"]["gates"]] == ["no_returned"]
    record = client.get(f"/api/v1/households/{body['client_uuid']}", headers=enumerator)
    body["answers"]["22.1.1"] = 250_000
    fixed = client.put(f"/api/v1/households/{body['client_uuid']}", json=body,
                       headers={**enumerator, "If-Match": record.headers["ETag"]})
    assert fixed.status_code == 200 and fixed.json["status"] == "resubmitted"
    # Certified again from the LAO up, then the department accepts the province.
    assert certify(client, collected, f"lao{LAO_A}", "lao", LAO_A).status_code == 201
    assert certify(client, collected, "district", "district", DISTRICT).status_code == 201
    assert certify(client, collected, "province", "province", PROVINCE).status_code == 201
    not_admin = certify(client, collected, "province", "department", PROVINCE)
    assert not_admin.status_code == 403
    accepted = certify(client, collected, "admin", "department", PROVINCE)
    assert accepted.status_code == 201 and accepted.json["kind"] == "accepted"
    progress = client.get(f"{API}/progress?round=2565", headers=h["admin"]).json
    tiny = next(p for p in progress["provinces"] if p["code"] == PROVINCE)
    assert tiny["accepted"] is True and tiny["households"] == 2 * len(VILLAGES)
    assert progress["accepted_households"] == 2 * len(VILLAGES)
    events = [e.event for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert events == ["certified", "certified", "certified", "households_returned",
                      "certified", "certified", "certified", "accepted"]
    assert log.verify().ok


def test_returning_an_lao_unit_reopens_it(client, collected):
    h = collected.headers
    certify_laos(client, collected)
    assert certify(client, collected, "district", "district", DISTRICT).status_code == 201
    url = f"{API}/units/lao/{LAO_B}/return?round=2565"
    assert client.post(url, json={"reason": "ขาดข้อมูลหมู่ 2"},
                       headers=h[f"lao{LAO_B}"]).status_code == 403
    done = client.post(url, json={"reason": "ขาดข้อมูลหมู่ 2"}, headers=h["district"])
    assert done.status_code == 201 and done.json["kind"] == "returned"
    assert unit(client, h[f"lao{LAO_B}"], "lao", LAO_B).json["state"] == "returned"
    assert unit(client, h["district"], "district", DISTRICT).json["state"] == "stale"
    assert unit(client, h[f"lao{LAO_A}"], "lao", LAO_A).json["state"] == "certified"
    household = collected.sent[LAOS[LAO_B][0]][0]["client_uuid"]
    assert client.get(f"/api/v1/households/{household}", headers=h[
        f"enumerator{LAO_B}"]).json["status"] == "submitted"
    twice = client.post(url, json={"reason": "อีกครั้ง"}, headers=h["district"])
    assert twice.status_code == 409 and twice.json["error_code"] == "NOT_CERTIFIED"
    assert certify(client, collected, f"lao{LAO_B}", "lao", LAO_B).status_code == 201
    assert unit(client, h["district"], "district", DISTRICT).json["state"] == "stale"


def test_two_committees_certifying_at_once_store_one_decision(app, client, collected):
    headers = collected.headers[f"lao{LAO_A}"]
    etag = unit(client, headers, "lao", LAO_A).headers["ETag"]
    url = f"{API}/units/lao/{LAO_A}/certify?round=2565"
    responses = parallel(app, 2, lambda c, i: c.post(
        url, json=collected.meeting(), headers={**headers, "If-Match": etag}))
    assert sorted(r.status_code for r in responses) == [201, 409], [r.json for r in responses]
    db.session.expire_all()
    assert len(db.session.scalars(select(Decision)).all()) == 1
    assert len(db.session.scalars(select(Event)).all()) == 1


def test_the_log_refuses_changes_and_verify_names_a_tampered_event(app, client, collected):
    certify_laos(client, collected)
    assert log.verify().ok and log.verify().events == 2
    first = db.session.scalars(select(Event).order_by(Event.id)).first()
    for statement in ("UPDATE certification_events SET unit_code = 'x'",
                      "DELETE FROM certification_events"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    # Someone with the database owner's rights removes the guard and edits an entry.
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE certification_events DISABLE TRIGGER ALL"))
    else:
        db.session.execute(text("DROP TRIGGER certification_events_no_update"))
    db.session.execute(text("UPDATE certification_events SET detail = '{}' WHERE id = :id"),
                       {"id": first.id})
    db.session.commit()
    db.session.expire_all()
    result = log.verify()
    assert not result.ok and result.broken_at == first.id
    cli = app.test_cli_runner().invoke(args=["certification", "verify-log"])
    assert cli.exit_code != 0 and f"broken at event {first.id}" in cli.output


def test_signed_minutes_are_a_pdf_attached_once(client, collected):
    certify_laos(client, collected)
    decision = db.session.scalars(select(Decision)).first()
    headers = collected.headers[f"lao{decision.unit_code}"]
    url = f"{API}/decisions/{decision.id}/minutes"
    bad = client.post(url, headers=headers, data={"file": (io.BytesIO(b"hello"), "m.txt")})
    assert bad.status_code == 422 and bad.json["error_code"] == "NOT_A_PDF"
    pdf = b"%PDF-1.4\n% minutes\n"
    ok = client.post(url, headers=headers, data={"file": (io.BytesIO(pdf), "m.pdf")})
    assert ok.status_code == 201 and ok.json["minutes_sha256"]
    again = client.post(url, headers=headers, data={"file": (io.BytesIO(pdf), "m.pdf")})
    assert again.status_code == 409
    assert client.get(url, headers=headers).data == pdf
    assert db.session.scalars(select(Event).order_by(Event.id.desc())).first().event == \
        "minutes_attached"


def test_a_duplicate_person_blocks_until_resolved(client, collected, household_payload):
    h = collected.headers
    village = LAOS[LAO_A][0]
    twin = household_payload(999, village_code=village, house_code="74010009999")
    twin["members"][0]["national_id"] = collected.sent[village][0]["members"][0]["national_id"]
    assert client.post("/api/v1/households", json=twin,
                       headers=h[f"enumerator{LAO_A}"]).status_code == 201
    blocked = certify(client, collected, f"lao{LAO_A}", "lao", LAO_A)
    assert [g["name"] for g in blocked.json["errors"]["gates"]] == ["no_open_issues"]
    issues = client.get(f"{API}/issues?round=2565&lao={LAO_A}", headers=h[f"lao{LAO_A}"]).json
    assert issues["numberMatched"] == 2  # flagged on both households
    issue = issues["items"][0]
    detail = client.get(f"{API}/issues/{issue['id']}", headers=h[f"lao{LAO_A}"]).json
    assert len(detail["households"]) == 2 and detail["kind_th"]
    assert client.post(f"{API}/issues/{issue['id']}/resolve", json={"note": "ตรวจแล้ว"},
                       headers=h["province"]).status_code == 403
    resolved = client.post(f"{API}/issues/{issue['id']}/resolve",
                           json={"note": "ตรวจกับทะเบียนราษฎร์แล้ว เป็นคนละคน"},
                           headers=h[f"lao{LAO_A}"])
    assert resolved.status_code == 200 and resolved.json["resolution"]
    assert client.get(f"{API}/issues?round=2565&lao={LAO_A}",
                      headers=h[f"lao{LAO_A}"]).json["numberMatched"] == 0
    assert certify(client, collected, f"lao{LAO_A}", "lao", LAO_A).status_code == 201
    logged = db.session.scalars(select(Event).where(Event.event == "issue_resolved")).one()
    assert "เป็นคนละคน" not in str(logged.detail)  # the note's hash, not its text


def test_packs_on_demand_show_names_only_to_roles_allowed(client, collected,
                                                          household_payload):
    poor = household_payload(4242, village_code=LAOS[LAO_A][0], house_code="74010004242")
    poor["answers"].update({"22.1.1": 1000, "22.1.2": 0, "22.1.3": 0, "22.1.4": 0})
    poor["members"][0]["first_name"] = "ยากจนทดสอบ"
    assert client.post("/api/v1/households", json=poor, headers=collected.headers[
        f"enumerator{LAO_A}"]).status_code == 201
    lao = client.get(f"{API}/units/lao/{LAO_A}/pack.pdf?round=2565",
                     headers=collected.headers[f"lao{LAO_A}"])
    province = client.get(f"{API}/units/province/{PROVINCE}/pack.pdf?round=2565",
                          headers=collected.headers["province"])
    assert lao.status_code == province.status_code == 200
    assert thai("ยากจนทดสอบ") in pdf_text(lao.data)
    assert thai("ยากจนทดสอบ") not in pdf_text(province.data)
    assert "74010004242" in pdf_text(province.data)  # the house code, without the name
    xlsx = client.get(f"{API}/units/lao/{LAO_A}/pack.xlsx?round=2565",
                      headers=collected.headers[f"lao{LAO_A}"])
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_bad_requests_change_nothing(app, client, collected):
    h = collected.headers
    ready = f"{API}/units/lao/{LAO_A}/return?round=2565"
    not_yet = client.post(ready, json={"reason": "ตรวจสอบอีกครั้ง"}, headers=h["district"])
    assert not_yet.status_code == 409 and not_yet.json["error_code"] == "NOT_CERTIFIED"
    no_reason = client.post(ready, json={"reason": ""}, headers=h["district"])
    assert no_reason.status_code == 422
    no_reason = client.post(f"{API}/returns", headers=h["district"], json={
        "round": 2565, "households": [{"id": collected.sent[LAOS[LAO_A][0]][0]["client_uuid"],
                                       "reason": ""}]})
    assert no_reason.status_code == 422
    elsewhere = client.post(f"{API}/returns", headers=h["other_district"], json={
        "round": 2565, "households": [{"id": collected.sent[LAOS[LAO_A][0]][0]["client_uuid"],
                                       "reason": "ไม่ใช่พื้นที่ของฉัน"}]})
    assert elsewhere.status_code == 404
    certify_laos(client, collected)
    decision = db.session.scalars(select(Decision)).first()
    app.config["MAX_CONTENT_LENGTH"] = 1024
    large = client.post(f"{API}/decisions/{decision.id}/minutes",
                        headers=h[f"lao{decision.unit_code}"],
                        data={"file": (io.BytesIO(b"%PDF-" + b"0" * 4096), "m.pdf")})
    assert large.status_code == 413 and large.json["error_code"] == "PAYLOAD_TOO_LARGE"
    db.session.expire_all()
    assert db.session.get(Decision, decision.id).minutes_pdf is None
    assert [e.event for e in db.session.scalars(select(Event))] == ["certified", "certified"]


@pytest.mark.parametrize("who, expected", [
    (f"enumerator{LAO_A}", 403), ("coordinator", 403), (f"lao{LAO_A}", 201),
    (f"lao{LAO_B}", 404), ("district", 403), ("province", 403), ("admin", 403),
    ("other_district", 404)])
def test_who_may_certify_an_lao(client, collected, who, expected):
    """Role × scope for the LAO tier: only its own certifier; others in scope are told
    their role does not decide here; out of scope, the unit does not exist for them."""
    etag = unit(client, collected.headers[f"lao{LAO_A}"], "lao", LAO_A).headers["ETag"]
    response = client.post(f"{API}/units/lao/{LAO_A}/certify?round=2565",
                           json=collected.meeting(),
                           headers={**collected.headers[who], "If-Match": etag})
    assert response.status_code == expected, response.json


@pytest.mark.parametrize("who, expected", [
    (f"lao{LAO_A}", 403), ("coordinator", 403), ("district", 201), ("province", 201),
    ("admin", 403), ("other_district", 404)])
def test_who_may_return_an_lao(client, collected, who, expected):
    certify_laos(client, collected)
    response = client.post(f"{API}/units/lao/{LAO_A}/return?round=2565",
                           json={"reason": "ตรวจสอบรายได้"}, headers=collected.headers[who])
    assert response.status_code == expected, response.json
