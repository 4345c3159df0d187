"""The standard reports, from the rollups, scoped, as JSON, CSV and XLSX."""
import io
import zipfile

from app.auth.models import Role
from app.extensions import db
from tests.fixtures.survey import OTHER_VILLAGE


def submit_some(client, enumerator, auth_header, household_payload, n=4):
    headers = auth_header(enumerator)
    bodies = []
    for seed in range(100, 100 + n):
        body = household_payload(seed, village_code=OTHER_VILLAGE if seed % 2 else None
                                 or "65010201")
        if seed == 100:  # one household clearly below the income line
            body["answers"].update({"22.1.1": 1000, "22.1.2": 0, "22.1.3": 0, "22.1.4": 0})
        assert client.post("/api/v1/households", headers=headers, json=body).status_code == 201
        bodies.append(body)
    return bodies


def test_population_report_counts_people_by_sex_and_band(client, enumerator, make_user,
                                                         auth_header, household_payload):
    bodies = submit_some(client, enumerator, auth_header, household_payload)
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    report = client.get("/api/v1/reports/population?round=2565&area=6501&breakdown=true",
                        headers=auth_header(officer)).json
    people = sum(len(b["members"]) for b in bodies)
    assert report["households"] == 4 and report["people"] == people
    assert sum(report["people_by_sex"].values()) == people
    women = sum(1 for b in bodies for m in b["members"] if m["sex"] == "2")
    assert report["people_by_sex"].get("2", 0) == women
    assert [row["code"] for row in report["breakdown"]] == ["650102"]


def test_indicator_report_percentages(client, enumerator, make_user, auth_header,
                                      household_payload):
    submit_some(client, enumerator, auth_header, household_payload)
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    report = client.get("/api/v1/reports/indicators?round=2565&area=6501",
                        headers=auth_header(officer)).json
    row22 = next(r for r in report["indicators"] if r["number"] == 22)
    assert row22["surveyed"] == 4 and row22["applicable"] == 4
    assert row22["failed"] >= 1
    assert row22["pct_passed"] == round(100 * row22["passed"] / 4, 2)


def test_income_failing_list_shows_names_only_to_allowed_roles(client, enumerator, make_user,
                                                               auth_header, household_payload):
    bodies = submit_some(client, enumerator, auth_header, household_payload)
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    listed = client.get("/api/v1/reports/income-failing?round=2565&area=6501",
                        headers=auth_header(officer)).json
    poor = next(i for i in listed["items"] if i["household_id"] == bodies[0]["client_uuid"])
    head = bodies[0]["members"][0]
    assert poor["head_national_id"] == head["national_id"]
    province = make_user(Role.PROVINCE_OFFICER, area_code="65")
    masked = client.get("/api/v1/reports/income-failing?round=2565&area=65",
                        headers=auth_header(province)).json
    assert masked["households"] == listed["households"]
    assert all("head_name" not in i and "head_national_id" not in i for i in masked["items"])
    viewer = make_user(Role.VIEWER, area_code="65")
    assert client.get("/api/v1/reports/income-failing?round=2565&area=65",
                      headers=auth_header(viewer)).status_code == 403


def test_reports_outside_scope_are_403(client, enumerator, make_user, auth_header):
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6502")
    response = client.get("/api/v1/reports/population?round=2565&area=6501",
                          headers=auth_header(officer))
    assert response.status_code == 403
    nation = client.get("/api/v1/reports/population?round=2565", headers=auth_header(officer))
    assert nation.status_code == 403


def test_csv_and_xlsx_exports(client, enumerator, make_user, auth_header, household_payload):
    submit_some(client, enumerator, auth_header, household_payload)
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    csv_text = client.get("/api/v1/reports/indicators?round=2565&area=6501&format=csv",
                          headers=auth_header(officer)).get_data(as_text=True)
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("รหัสพื้นที่,ชื่อพื้นที่,ตัวชี้วัด")
    assert len(lines) == 1 + 31
    xlsx = client.get("/api/v1/reports/income-failing?round=2565&area=6501&format=xlsx",
                      headers=auth_header(officer))
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode() if \
            "xl/sharedStrings.xml" in book.namelist() else sheet
    assert "รหัสบ้าน" in strings or "รหัสบ้าน" in sheet


def test_national_report_follows_every_change(survey_round, client, enumerator, make_user,
                                              auth_header, household_payload):
    """National totals are served from per-province sums that are kept only while no
    village of the province changed."""
    survey_round.min_area_households = 1  # a round that publishes every village
    db.session.commit()
    admin = make_user(Role.DEPARTMENT_ADMIN)
    url = "/api/v1/reports/population?round=2565"
    submit_some(client, enumerator, auth_header, household_payload, n=2)
    before = client.get(url, headers=auth_header(admin)).json
    body = household_payload(7)
    assert client.post("/api/v1/households", headers=auth_header(enumerator),
                       json=body).status_code == 201
    after = client.get(url, headers=auth_header(admin)).json
    assert after["households"] == before["households"] + 1
    assert after["people"] == before["people"] + len(body["members"])
    by_province = client.get(url + "&breakdown=true", headers=auth_header(admin)).json
    assert [p["code"] for p in by_province["breakdown"]] == ["65"]
    assert by_province["breakdown"][0]["households"] == after["households"]
