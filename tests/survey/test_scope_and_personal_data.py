"""Every path to a household answers by the same scope rule, and personal data reaches only
roles that need it: reports by LAO, the LAO a household belongs to after a register change,
the fields of one household, and what errors say about other areas."""
import io

import pytest

from app.areas.queries import get_area, get_lao
from app.auth.models import Role
from app.extensions import db
from survey import planning
from tests.fixtures.survey import VILLAGE

SPLIT_VILLAGE = "65010301"   # in subdistrict 650103, registered under SAO 6650103
SAO = "6650102"              # the SAO of subdistrict 650102 (VILLAGE's LAO)
OTHER_SAO = "6650103"


def post(client, headers, body):
    response = client.post("/api/v1/households", headers=headers, json=body)
    assert response.status_code == 201, response.json
    return response.json


def poor(body: dict) -> dict:
    """The household falls below the income line (it is on the indicator-22 list)."""
    body["answers"].update({"22.1.1": 1000, "22.1.2": 0, "22.1.3": 0, "22.1.4": 0})
    return body


def move_village_to_lao(client, headers, village_code: str, lao_code: str) -> None:
    """The district re-registers a village under another LAO (the register upload)."""
    village, lao = get_area(village_code), get_lao(lao_code)
    csv = ("village_code,kind,name_th,subdistrict_code,lao_code,lao_type,lao_name_th\n"
           f"{village.code},village,{village.name_th},{village.parent_code},{lao.code},"
           f"{lao.type},{lao.name_th}\n")
    response = client.post("/api/v1/area-register", headers=headers,
                           data={"file": (io.BytesIO(csv.encode()), "register.csv")})
    assert response.status_code == 200, response.json


@pytest.fixture
def split_lao(client, make_user, auth_header, survey_round, enumerator, household_payload):
    """SAO 6650102 spans two subdistricts: its own villages and 65010301 of 650103. One poor
    household in VILLAGE and one in SPLIT_VILLAGE."""
    district = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    move_village_to_lao(client, auth_header(district), SPLIT_VILLAGE, SAO)
    other = make_user(Role.ENUMERATOR, area_code="650103")
    planning.assign(survey_round, other, get_area(SPLIT_VILLAGE))
    db.session.commit()
    here = post(client, auth_header(enumerator), poor(household_payload(1)))
    there = post(client, auth_header(other), poor(household_payload(
        2, village_code=SPLIT_VILLAGE)))
    return {"here": here, "there": there, "district": district, "other": other}


def failing(client, headers, query):
    return client.get(f"/api/v1/reports/income-failing?round=2565&{query}", headers=headers)


def test_an_enumerator_cannot_read_other_villages_through_the_lao(
        client, make_user, auth_header, survey_round, household_payload, split_lao):
    village_only = make_user(Role.ENUMERATOR, area_code=VILLAGE)
    planning.assign(survey_round, village_only, get_area(VILLAGE))
    db.session.commit()
    response = failing(client, auth_header(village_only), f"lao={SAO}")
    assert response.status_code == 403
    assert response.json["error_code"] == "LAO_PARTLY_OUTSIDE_SCOPE"
    assert "head_national_id" not in response.get_data(as_text=True)
    # The same person may still read their own village.
    own = failing(client, auth_header(village_only), f"area={VILLAGE}")
    assert own.status_code == 200 and own.json["households"] == 1


def test_a_coordinator_cannot_read_another_subdistrict_through_a_shared_lao(
        client, make_user, auth_header, split_lao):
    coordinator = make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650103")
    for query in (f"lao={SAO}", f"lao={SAO}&format=csv", f"lao={SAO}&format=xlsx"):
        response = failing(client, auth_header(coordinator), query)
        assert response.status_code == 403, query
    aggregate = client.get(f"/api/v1/reports/population?round=2565&lao={SAO}&breakdown=true",
                           headers=auth_header(coordinator))
    assert aggregate.status_code == 403
    # Their own subdistrict lists only its own household, with the name.
    own = failing(client, auth_header(coordinator), "area=650103").json
    assert [i["household_id"] for i in own["items"]] == [split_lao["there"]["id"]]
    assert own["items"][0]["head_national_id"]


def test_the_lao_certifier_and_the_district_see_the_whole_lao(client, make_user, auth_header,
                                                              split_lao):
    certifier = make_user(Role.LAO_CERTIFIER, lao_code=SAO)
    for user in (certifier, split_lao["district"]):
        listed = failing(client, auth_header(user), f"lao={SAO}").json
        assert sorted(i["household_id"] for i in listed["items"]) == sorted(
            [split_lao["here"]["id"], split_lao["there"]["id"]])


def test_a_households_lao_follows_the_register(client, make_user, auth_header, split_lao):
    """The village moves back to its own SAO: its household leaves the old LAO's lists and
    reports and appears in the new one's, with no stored copy left behind."""
    move_village_to_lao(client, auth_header(split_lao["district"]), SPLIT_VILLAGE, OTHER_SAO)
    old = make_user(Role.LAO_CERTIFIER, lao_code=SAO)
    new = make_user(Role.LAO_CERTIFIER, lao_code=OTHER_SAO)
    there = split_lao["there"]["id"]
    old_list = failing(client, auth_header(old), f"lao={SAO}").json
    assert there not in [i["household_id"] for i in old_list["items"]]
    assert client.get(f"/api/v1/households/{there}", headers=auth_header(old)).status_code == 404
    old_households = client.get("/api/v1/households", headers=auth_header(old)).json
    assert there not in [h["id"] for h in old_households["items"]]
    new_list = failing(client, auth_header(new), f"lao={OTHER_SAO}").json
    assert [i["household_id"] for i in new_list["items"]] == [there]
    record = client.get(f"/api/v1/households/{there}", headers=auth_header(new))
    assert record.status_code == 200 and record.json["lao_code"] == OTHER_SAO
    population = client.get(f"/api/v1/reports/population?round=2565&lao={OTHER_SAO}",
                            headers=auth_header(new)).json
    assert population["households"] == 1


def test_roles_without_personal_data_rights_see_no_names_or_exact_position(
        client, make_user, enumerator, auth_header, household_payload):
    body = household_payload(3)
    body["head_signoff"]["name"] = "นางสมศรี ใจดี"
    stored = post(client, auth_header(enumerator), body)
    url = f"/api/v1/households/{stored['id']}"
    district = client.get(url, headers=auth_header(make_user(Role.DISTRICT_OFFICER,
                                                             area_code="6501"))).json
    assert district["signed_by"] == "นางสมศรี ใจดี" and district["gps"]["lat"] == 16.82
    assert district["house_number"] == body["house_number"]
    for role, scope in ((Role.PROVINCE_OFFICER, {"area_code": "65"}),
                        (Role.DEPARTMENT_ADMIN, {})):
        seen = client.get(url, headers=auth_header(make_user(role, **scope)))
        assert seen.status_code == 200
        text = seen.get_data(as_text=True)
        assert "สมศรี" not in text and body["members"][0]["first_name"] not in text
        assert body["members"][0]["national_id"] not in text
        assert "signed_by" not in seen.json and "house_number" not in seen.json
        assert "address" not in seen.json
        gps = seen.json["gps"]
        assert gps["coarse"] is True and gps["accuracy_m"] is None
        assert (gps["lat"], gps["lon"]) == (round(16.82, 2), round(100.26, 2))


def test_a_duplicate_house_code_elsewhere_does_not_name_the_other_household(
        client, make_user, survey_round, enumerator, auth_header, household_payload):
    mine = household_payload(4)
    first = post(client, auth_header(enumerator), mine)
    stranger = make_user(Role.ENUMERATOR, area_code="650103")
    planning.assign(survey_round, stranger, get_area("65010302"))
    db.session.commit()
    clash = household_payload(5, village_code="65010302", house_code=mine["house_code"])
    response = client.post("/api/v1/households", headers=auth_header(stranger), json=clash)
    assert response.status_code == 409 and response.json["error_code"] == "DUPLICATE_HOUSE_CODE"
    text = response.get_data(as_text=True)
    assert first["id"] not in text and VILLAGE not in text
    assert "existing_id" not in response.json["errors"]["house_code"][0]


def test_a_foreign_uuid_is_refused_without_describing_the_record(
        client, make_user, survey_round, enumerator, auth_header, household_payload):
    body = household_payload(6)
    post(client, auth_header(enumerator), body)
    stranger = make_user(Role.ENUMERATOR, area_code="650102")
    planning.assign(survey_round, stranger, get_area(VILLAGE))
    db.session.commit()
    # Even the identical body from someone else is not a replay of *their* submission.
    response = client.post("/api/v1/households", headers=auth_header(stranger), json=body)
    assert response.status_code == 409 and response.json["error_code"] == "UUID_CONFLICT"
    text = response.get_data(as_text=True)
    assert body["members"][0]["first_name"] not in text and "members" not in response.json


def test_refusals_do_not_name_what_exists_elsewhere(client, make_user, enumerator, auth_header,
                                                    household_payload):
    stored = post(client, auth_header(enumerator), household_payload(7))
    url = f"/api/v1/households/{stored['id']}"
    missing = "/api/v1/households/00000000-0000-4000-8000-000000000000"
    # Anonymous: 401 whether or not the household exists.
    assert client.get(url).status_code == client.get(missing).status_code == 401
    # Out of scope: exactly the answer for a household that does not exist.
    outsider = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6502"))
    seen, absent = client.get(url, headers=outsider), client.get(missing, headers=outsider)
    assert seen.status_code == absent.status_code == 404
    assert seen.json["error_code"] == absent.json["error_code"] == "UNKNOWN_HOUSEHOLD"
    for path in (url + "/history", url + "/return"):
        assert client.open(path, method="GET" if path.endswith("history") else "POST",
                           headers=outsider, json={"reason": "ตรวจสอบ"}).status_code == 404
    # A 403 on an area names the action, never the area.
    report = client.get("/api/v1/reports/population?round=2565&area=650102", headers=outsider)
    assert report.status_code == 403 and "650102" not in report.get_data(as_text=True)


def test_assignments_do_not_reveal_who_exists(client, make_user, survey_round, auth_header):
    coordinator = make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102")
    make_user(Role.DISTRICT_OFFICER, username="boss", area_code="6501")
    make_user(Role.ENUMERATOR, username="far", area_code="650201")
    answers = []
    for username in ("boss", "far", "nobody-at-all"):
        response = client.post("/api/v1/rounds/2565/assignments",
                               headers=auth_header(coordinator),
                               json={"username": username, "area_code": VILLAGE})
        answers.append((response.status_code, response.json["error_code"]))
    assert answers == [(422, "UNKNOWN_ENUMERATOR")] * 3
