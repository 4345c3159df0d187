"""GPS quality checks: a household placed in the wrong subdistrict, or with a poor fix,
becomes a quality issue that the certification gates count; the layer shows it only to
those who may see households; a resolved flag stays resolved when the check runs again."""
import random

from sqlalchemy import select

from app.auth.models import Role
from app.auth.services import issue_token
from app.extensions import db
from survey.models import QualityIssue
from tests.fixtures.gis import BIG_VILLAGE, inside

CHECK = "/api/v1/maps/gps-check?round=2565&area=75"


def issues(kind=None):
    query = select(QualityIssue).where(QualityIssue.resolved_at.is_(None))
    if kind:
        query = query.where(QualityIssue.kind == kind)
    db.session.expire_all()
    return db.session.scalars(query).all()


def test_a_household_in_the_wrong_subdistrict_is_flagged_and_gated(
        client, mapped, household_payload, make_user):
    rng = random.Random(1)
    astray = household_payload(700, village_code=BIG_VILLAGE, house_code="75010007000",
                               gps=inside("750101", rng))  # another subdistrict, km away
    blurry = household_payload(701, village_code=BIG_VILLAGE, house_code="75010007001",
                               gps={**inside("750102", rng), "accuracy_m": 450})
    for body in (astray, blurry):
        assert client.post("/api/v1/households", headers=mapped["enumerator_headers"],
                           json=body).status_code == 201
    h = mapped["headers"]
    assert client.post(CHECK, headers=h["district"]).status_code == 403  # the department's
    result = client.post(CHECK, headers=h["admin"]).json
    assert result == {"households_checked": 8, "outside": 1, "inaccurate": 1}
    outside = issues("GPS_OUTSIDE_SUBDISTRICT")
    assert [i.household_id for i in outside] == [astray["client_uuid"]]
    assert outside[0].detail["distance_m"] > 500
    assert [i.household_id for i in issues("GPS_INACCURATE")] == [blurry["client_uuid"]]
    # The LAO's certification gate counts them.
    lao = make_user(Role.LAO_CERTIFIER, lao_code="6750102")
    db.session.commit()
    unit = client.get("/api/v1/certification/units/lao/6750102?round=2565", headers={
        "Authorization": f"Bearer {issue_token(lao, 'x').token}"}).json
    gate = next(g for g in unit["gates"] if g["name"] == "no_open_issues")
    assert gate["passed"] is False and gate["value"].startswith("2")
    # The layer: exact for the district, rounded for the province, refused to a viewer.
    layer = client.get("/api/v1/maps/gps-issues?round=2565&area=7501", headers=h["district"])
    points = layer.json["features"]
    assert len(points) == 2 and layer.mimetype == "application/geo+json"
    exact = next(p for p in points if p["properties"]["household_id"] == astray["client_uuid"])
    assert exact["geometry"]["coordinates"] == [round(astray["gps"]["lon"], 6),
                                                round(astray["gps"]["lat"], 6)]
    coarse = client.get("/api/v1/maps/gps-issues?round=2565&area=75",
                        headers=h["province"]).json["features"]
    assert all(p["properties"]["coarse"] for p in coarse)
    assert client.get("/api/v1/maps/gps-issues?round=2565&area=75",
                      headers=h["viewer"]).status_code == 403
    # Resolved stays resolved; the check is repeatable.
    resolve = client.post(f"/api/v1/certification/issues/{outside[0].id}/resolve",
                          json={"note": "บ้านอยู่ตำบลนี้จริง พิกัดถูกบันทึกที่ทำงาน"},
                          headers=h["district"])
    assert resolve.status_code == 200
    again = client.post(CHECK, headers=h["admin"]).json
    assert again["outside"] == 0 and again["inaccurate"] == 1
    assert len(issues()) == 1


def test_the_command_runs_the_check(app, mapped):
    result = app.test_cli_runner().invoke(args=["gis", "check-gps", "--round", "2565"])
    assert result.exit_code == 0, result.output
    assert "6 households with GPS checked: 0 outside" in result.output
