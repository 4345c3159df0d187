"""The map dashboard in Chromium, as a province officer uses it: the menu, polygons drawn,
another indicator, down to villages and back, a screenshot of the map; and a district
officer who cannot get another district's features."""
from __future__ import annotations

from tests.e2e.conftest import SHOTS, fits, officer, shot
from tests.fixtures.gis import SUBDISTRICT


def drawn(page) -> int:
    page.wait_for_function("Number(document.querySelector('#map')?.dataset.drawn || 0) > 0")
    return page.locator("#map path.leaflet-interactive").count()


def drill_into(page, code: str) -> None:
    """As a person would: find the area in the table, open its popup, follow the link."""
    with page.expect_response(lambda r: "/api/v1/maps?" in r.url and r.ok):
        page.click(f'#figures a[data-focus="{code}"]')
        page.click(".leaflet-popup a.drill")


def test_the_province_officer_explores_the_map(browser, mapped, live_server):
    page = officer(browser, live_server, mapped["users"]["province"])
    page.click("text=แผนที่ข้อมูล จปฐ.")
    assert drawn(page) == 3  # the three districts of Samut Songkhram
    assert "ข้อ 22" in page.text_content("#legend")
    fits(page)
    page.select_option("#indicator", "5")
    page.wait_for_function("document.querySelector('#legend')?.textContent.includes('ข้อ 5')")
    drill_into(page, "7501")
    assert drawn(page) == 11  # the subdistricts of 7501
    assert "ตำบล" in page.text_content("#map-title")
    drill_into(page, SUBDISTRICT)
    page.wait_for_function("document.querySelector('#map-notes')?.textContent.includes('ค่าประมาณ')")
    assert drawn(page) == 2  # village cells (approximate): the two villages with households
    assert "ครัวเรือนน้อยเกินไป" in page.text_content("#figures") or \
        "ไม่แสดง" in page.text_content("#figures")  # the one-household village is hatched
    shot(page, "m01-village-map")
    page.locator("#map").screenshot(path=str(SHOTS / "m02-map-only.png"))
    page.click("#trail a[data-up='75']")
    assert drawn(page) == 3
    # The table sorts by a click on its header.
    page.click("#figures th[data-key='households']")
    fits(page)


def test_a_district_officer_cannot_get_another_districts_features(browser, mapped,
                                                                  live_server):
    page = officer(browser, live_server, mapped["users"]["district"])
    page.click("text=แผนที่ข้อมูล จปฐ.")
    assert drawn(page) == 11  # their own district's subdistricts
    response = page.goto("/maps/?area=7502")
    assert response.status == 403
    api = page.request.get("/api/v1/maps?round=2565&area=7502&level=subdistrict")
    assert api.status == 403
    features = page.request.get("/ogc/collections/subdistricts-2565/items?limit=100").json()
    assert features["features"] and all(f["id"].startswith("7501")
                                        for f in features["features"])
