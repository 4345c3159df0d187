"""Rounds, target household counts and enumerator assignments."""
import io

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from survey.models import Target
from survey.planning import import_targets


def targets() -> dict:
    return dict(db.session.execute(select(Target.area_code, Target.households)).all())


def test_targets_import_reports_each_bad_row_and_saves_nothing(survey_round):
    report = import_targets(survey_round, (
        "village_code,target_households\n"
        "65010201,120\n"     # 2 ok
        "6501020,50\n"       # 3 malformed
        "65010201,80\n"      # 4 duplicate
        "65019999,40\n"      # 5 unknown village
        "65010202,-4\n"      # 6 not a count
        "650102,30\n"        # 7 a subdistrict is not a village
    ).encode())
    assert [(e.line, e.field, e.error_code) for e in report.errors] == [
        (3, "village_code", "MALFORMED_CODE"),
        (4, "village_code", "DUPLICATE_CODE"),
        (5, "village_code", "UNKNOWN_VILLAGE"),
        (6, "target_households", "NOT_A_COUNT"),
        (7, "village_code", "MALFORMED_CODE"),
    ]
    assert all(e.message_th for e in report.errors)
    assert targets() == {}


def test_targets_import_in_tis620_updates_existing_counts(survey_round):
    # Thai Excel saves TIS-620; extra columns (a Thai note here) are ignored.
    first = import_targets(survey_round, "village_code,target_households,หมายเหตุ\n"
                                         "65010201,120,บ้านสวนหลวง\n".encode("cp874"))
    again = import_targets(survey_round, "village_code,target_households\n65010201,95\n"
                           "65010202,60\n".encode())
    assert first.ok and again.ok and first.encoding == "cp874"
    assert targets() == {"65010201": 95, "65010202": 60}


def test_targets_api_is_scoped_to_the_officers_area(client, survey_round, make_user,
                                                    auth_header):
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    data = b"village_code,target_households\n65010201,120\n65020101,80\n"
    response = client.post("/api/v1/rounds/2565/targets", headers=auth_header(officer),
                           data={"file": (io.BytesIO(data), "targets.csv")})
    assert response.status_code == 422
    assert [(r["line"], r["error_code"]) for r in response.json["errors"]["rows"]] == \
        [(3, "OUT_OF_SCOPE")]
    assert targets() == {}


def test_assignments_through_the_api(client, survey_round, make_user, auth_header):
    coordinator = make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102")
    enumerator = make_user(Role.ENUMERATOR, username="somsri", area_code="650102")
    headers = auth_header(coordinator)
    ok = client.post("/api/v1/rounds/2565/assignments", headers=headers,
                     json={"username": "somsri", "area_code": "65010203"})
    assert ok.status_code == 201
    outside_coordinator = client.post("/api/v1/rounds/2565/assignments", headers=headers,
                                      json={"username": "somsri", "area_code": "65010301"})
    assert outside_coordinator.status_code == 403
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    outside_enumerator = client.post("/api/v1/rounds/2565/assignments",
                                     headers=auth_header(officer),
                                     json={"username": "somsri", "area_code": "65010301"})
    assert outside_enumerator.status_code == 422
    assert outside_enumerator.json["error_code"] == "OUTSIDE_ENUMERATOR_SCOPE"
    mine = client.get("/api/v1/rounds/2565/my-villages", headers=auth_header(enumerator)).json
    assert [v["code"] for v in mine] == ["65010203"]


@pytest.mark.parametrize("body, code", [
    ({"year": 2566, "questionnaire_version": "9999", "collection_start": "2023-01-01",
      "collection_end": "2023-05-31"}, "INVALID_ROUND"),
    ({"year": 2566, "questionnaire_version": "2560-2564", "collection_start": "2023-05-01",
      "collection_end": "2023-01-31"}, "INVALID_ROUND"),
])
def test_round_creation_rejects_bad_input(client, make_user, auth_header, body, code):
    admin = make_user(Role.DEPARTMENT_ADMIN)
    response = client.post("/api/v1/rounds", headers=auth_header(admin), json=body)
    assert response.status_code == 422 and response.json["error_code"] == code


def test_only_the_department_opens_rounds(client, make_user, auth_header):
    body = {"year": 2566, "questionnaire_version": "2560-2564",
            "collection_start": "2023-01-01", "collection_end": "2023-05-31"}
    province = make_user(Role.PROVINCE_OFFICER, area_code="65")
    assert client.post("/api/v1/rounds", headers=auth_header(province),
                       json=body).status_code == 403
    admin = make_user(Role.DEPARTMENT_ADMIN)
    created = client.post("/api/v1/rounds", headers=auth_header(admin), json=body)
    assert created.status_code == 201 and created.json["income_line"] == 38000
    assert db.session.scalar(select(func.count()).select_from(Target)) == 0
