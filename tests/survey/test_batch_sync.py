"""Batch sync (POST /api/v1/households:batch): each item answered on its own, as a single
POST would answer it; one bad item never rejects the others; replays inside and across
batches are 200s; concurrent batches with the same items store each household once; the
rollups stay exact."""
from sqlalchemy import func, select

from app.errors import ErrorSchema
from app.extensions import db
from survey.models import Household, HouseholdHistory
from survey.schemas import BatchItemResultSchema, HouseholdAckSchema
from survey.submission import Stored
from tests.fixtures.concurrency import parallel
from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE
from tests.survey.test_rollup_property import assert_rollups_exact

URL = "/api/v1/households:batch"


def stored_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Household))


def test_each_item_is_answered_on_its_own_and_bad_ones_reject_nothing(
        client, survey_round, enumerator, auth_header, household_payload):
    headers = auth_header(enumerator)
    good, other_good = household_payload(1), household_payload(2)
    no_members = {**household_payload(3), "members": "none"}
    unexplained = {**household_payload(4), "answers": {}}
    elsewhere = household_payload(5, village_code="65010301")  # not assigned to them
    same_house = household_payload(6, house_code=good["house_code"])
    response = client.post(URL, headers=headers, json={"items": [
        good, no_members, unexplained, elsewhere, same_house, other_good]})
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["status"] for r in results] == [201, 422, 422, 403, 409, 201]
    assert [r["index"] for r in results] == list(range(6))
    assert results[1]["error"]["errors"]["members"]
    missing = results[2]["error"]["errors"]
    assert missing and all(path.startswith("answers.") for path in missing)
    assert {e["error_code"] for issues in missing.values() for e in issues} == {"ANSWER_REQUIRED"}
    assert results[4]["error"]["error_code"] == "DUPLICATE_HOUSE_CODE"
    ack = results[0]["household"]
    assert ack["id"] == good["client_uuid"] and ack["etag"] and len(ack["indicators"]) == 31
    assert "members" not in ack  # a short acknowledgement: the full record is at GET
    got = client.get(f"/api/v1/households/{ack['id']}", headers=headers)
    assert got.headers["ETag"] == ack["etag"]
    assert stored_count() == 2
    assert_rollups_exact(survey_round)


def test_every_answer_is_what_the_documented_schemas_give(
        client, survey_round, enumerator, auth_header, household_payload):
    """The answers are built directly, not dumped through their schemas: they must hold
    exactly what the schemas (and so the OpenAPI description) say, warnings included."""
    headers = auth_header(enumerator)
    imprecise = household_payload(1)
    imprecise["gps"]["accuracy_m"] = 900.0  # stored, with a warning
    single = household_payload(2)
    single["gps"]["accuracy_m"] = 900.0
    response = client.post(URL, headers=headers, json={"items": [
        imprecise, {**household_payload(3), "members": "none"}]})
    alone = client.post("/api/v1/households", headers=headers, json=single)
    assert alone.status_code == 201, alone.json
    stored, refused = response.json["results"]
    for ack in (stored["household"], alone.json):
        assert ack["warnings"], ack
        assert ack == HouseholdAckSchema().dump(Stored.of(db.session.get(Household, ack["id"])))
    assert ErrorSchema().dump(refused["error"]) == refused["error"]
    fields = set(BatchItemResultSchema().fields)
    assert set(stored) <= fields and set(refused) <= fields


def test_replays_inside_and_across_batches_are_200_and_store_nothing_more(
        client, survey_round, enumerator, auth_header, household_payload):
    headers = auth_header(enumerator)
    first, second = household_payload(11), household_payload(12)
    once = client.post(URL, headers=headers, json={"items": [first, first, second]}).json
    assert [r["status"] for r in once["results"]] == [201, 200, 201]
    again = client.post(URL, headers=headers, json={"items": [second, first]}).json
    assert [r["status"] for r in again["results"]] == [200, 200]
    changed = {**first, "house_number": "999"}
    conflict = client.post(URL, headers=headers, json={"items": [changed]}).json["results"][0]
    assert conflict["status"] == 409 and conflict["error"]["error_code"] == "UUID_CONFLICT"
    assert stored_count() == 2
    assert db.session.scalar(select(func.count()).select_from(HouseholdHistory)) == 2
    assert_rollups_exact(survey_round)


def test_the_same_batch_four_times_at_once_stores_each_household_once(
        app, survey_round, enumerator, auth_header, household_payload):
    headers = auth_header(enumerator)
    items = [household_payload(20 + i) for i in range(5)]
    responses = parallel(app, 4, lambda c, i: c.post(URL, headers=headers,
                                                      json={"items": items}))
    assert all(r.status_code == 200 for r in responses), [r.json for r in responses]
    for index in range(5):
        statuses = sorted(r.json["results"][index]["status"] for r in responses)
        assert statuses == [200, 200, 200, 201], (index, statuses)
    assert stored_count() == 5
    assert_rollups_exact(survey_round)


def test_batches_and_single_posts_over_one_district_at_once_neither_deadlock_nor_drift(
        app, survey_round, enumerator, auth_header, household_payload):
    """Phones syncing at the same moment in two villages of one district: batches touch
    both villages (and their district's row), single POSTs one. Every writer takes the
    village rows before the district rows, each in code order, so none waits on another in
    a cycle (a deadlock would be a 500 here)."""
    headers = auth_header(enumerator)

    def sync(client, i):
        if i % 2:
            return [client.post("/api/v1/households", headers=headers,
                                json=household_payload(100 + 10 * i + k,
                                                       village_code=OTHER_VILLAGE))
                    for k in range(3)]
        return [client.post(URL, headers=headers, json={"items": [
            household_payload(100 + 10 * i + 2 * k + v, village_code=village)
            for v, village in enumerate((OTHER_VILLAGE, VILLAGE))]}) for k in range(3)]
    answers = [r for rs in parallel(app, 8, sync) for r in rs]
    assert [r.status_code for r in answers] == [200 if r.request.path == URL else 201
                                                for r in answers], [r.json for r in answers]
    assert stored_count() == 4 * 3 * 2 + 4 * 3
    assert_rollups_exact(survey_round)


def test_a_batch_envelope_is_checked_before_any_item(client, enumerator, auth_header,
                                                     household_payload):
    headers = auth_header(enumerator)
    assert client.post(URL, headers=headers, json={"items": []}).status_code == 422
    too_many = [household_payload(1)] * 101
    assert client.post(URL, headers=headers, json={"items": too_many}).status_code == 422
    assert client.post(URL, json={"items": [household_payload(1)]}).status_code == 401
    assert stored_count() == 0
